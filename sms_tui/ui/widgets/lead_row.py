"""How one lead looks in the list: name line (markers, age) and preview line (unread badge).

Pure functions from a `LeadRow` to a Rich `Text`; `style` looks up the list's component classes,
which are declared here with their CSS (`ROW_CLASSES`, `LEAD_LIST_CSS`: `LeadList` uses both).
Names and previews are data: `one_line` makes controls visible and folds line breaks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from sms_tui.core.models import LeadRow
from sms_tui.ui.text import one_line, relative_time

StyleOf = Callable[[str], Style]

#: The component classes a row is drawn with (`style` looks them up on the list).
ROW_CLASSES = {
    "lead-list--cursor",
    "lead-list--name",
    "lead-list--unread-name",
    "lead-list--preview",
    "lead-list--time",
    "lead-list--badge",
    "lead-list--failed",
    "lead-list--opted-out",
    "lead-list--draft",
    "lead-list--scheduled",
    "lead-list--placeholder",
    "lead-list--marked",
}

#: `LeadList.DEFAULT_CSS`: the colours of those classes.
LEAD_LIST_CSS = """
LeadList {
    background: $surface;
    scrollbar-size-vertical: 1;
    overflow-x: hidden;
    & > .lead-list--cursor { background: $surface-lighten-2; }
    &:focus > .lead-list--cursor { background: $primary 40%; }
    & > .lead-list--name { }
    & > .lead-list--unread-name { text-style: bold; color: $text; }
    & > .lead-list--preview { color: $text-muted; }
    & > .lead-list--time { color: $text-muted; }
    & > .lead-list--badge { background: $accent; color: $text; text-style: bold; }
    & > .lead-list--failed { color: $error; text-style: bold; }
    & > .lead-list--opted-out { color: $warning; }
    & > .lead-list--draft { color: $secondary; }
    & > .lead-list--scheduled { color: $primary; }
    & > .lead-list--placeholder { color: $text-disabled; }
    & > .lead-list--marked { color: $success; text-style: bold; }
}
"""


def markers(row: LeadRow, style: StyleOf) -> Text:
    """! failed, ⊘ opted out, ✎ draft, ◷ scheduled."""
    marks = Text()
    if row.failed_count:
        marks.append("!", style("lead-list--failed"))
    if row.opted_out:
        marks.append("⊘", style("lead-list--opted-out"))
    if row.has_draft:
        marks.append("✎", style("lead-list--draft"))
    if row.has_scheduled:
        marks.append("◷", style("lead-list--scheduled"))
    return marks


def name_line(
    row: LeadRow, width: int, style: StyleOf, *, compact: bool, when: str = "", marked: bool = False
) -> Text:
    """● unread dot (✓ when marked for bulk), the name (cut with …), markers and age; compact:
    markers and unread count."""
    if marked:
        dot = Text("✓ ", style=style("lead-list--marked"))
    else:
        dot = Text("● " if row.unread else "  ", style=style("lead-list--unread-name"))
    name_style = style("lead-list--unread-name" if row.unread else "lead-list--name")
    right = markers(row, style)
    if compact:
        if row.unread:
            right.append(f" {row.unread}", style("lead-list--unread-name"))
    elif when:
        right.append(" " if right else "")
        right.append(when, style("lead-list--time"))
    right.append(" ")
    name_room = max(1, width - 2 - right.cell_len - 1)
    name = Text(one_line(row.display_name) or "(no name)", style=name_style)
    name.truncate(name_room, overflow="ellipsis")
    gap = max(1, width - 2 - name.cell_len - right.cell_len)
    return Text.assemble(dot, name, " " * gap, right)


def preview_line(row: LeadRow, width: int, style: StyleOf) -> Text:
    """The last message on one line, and the unread badge at the right."""
    badge = Text()
    if row.unread:
        badge = Text(f" {row.unread if row.unread < 100 else '99+'} ", style("lead-list--badge"))
    room = max(1, width - 2 - badge.cell_len - 2)
    preview = Text(one_line(row.preview), style=style("lead-list--preview"))
    preview.truncate(room, overflow="ellipsis")
    gap = max(1, width - 2 - preview.cell_len - badge.cell_len - 1)
    return Text.assemble("  ", preview, " " * gap, badge, " ")


def drawn_from(row: LeadRow | None, sub: int, row_height: int, now: datetime) -> tuple[object, ...] | None:
    """Everything `row_strip` draws line `sub` of `row` from (with the width, cursor, focus and
    mark: a key for a cache of drawn lines that holds whichever lead shows them)."""
    if row is None:
        return None
    marks = (row.unread, row.failed_count, row.opted_out, row.has_draft, row.has_scheduled)
    if row_height == 1:
        return (row.display_name, *marks)
    if sub == 0:
        return (row.display_name, *marks, relative_time(row.last_activity_at, now))
    return (row.preview, row.unread)


def row_strip(
    row: LeadRow | None,
    sub: int,
    width: int,
    row_height: int,
    style: StyleOf,
    base: Style,
    console: Console,
    now: datetime,
    marked: bool = False,
) -> Strip:
    """Line `sub` of a row as the list draws it (a placeholder while the row is not loaded);
    `marked`: the row is marked for a bulk text (✓)."""
    if row is None:
        text = Text("  …" if sub == 0 else "", style=style("lead-list--placeholder"))
    elif row_height == 1:
        text = name_line(row, width, style, compact=True, marked=marked)
    elif sub == 0:
        when = relative_time(row.last_activity_at, now)
        text = name_line(row, width, style, compact=False, when=when, marked=marked)
    else:
        text = preview_line(row, width, style)
    text.truncate(width, overflow="ellipsis", pad=True)
    segments = list(Segment.apply_style(text.render(console), base))
    return Strip(segments, width).adjust_cell_length(width, base)
