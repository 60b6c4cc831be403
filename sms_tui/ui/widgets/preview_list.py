"""The bulk preview's list: every recipient, drawn line by line like the lead list.

A `ScrollView` whose `render_line` draws only the visible rows (two lines each) from the plan's
previews, through a small strip cache; 10,000 recipients cost what 20 do. Line 1: the rep's
decision (✓ approved, ✗ skipped, · undecided), the verdict, the lead, their local time, segments
and cost, the phone and our number. Line 2: the rendered text, or for a blocked lead the guard's
reason. Names and texts are data: they pass through `one_line` (the safe path).
"""

from __future__ import annotations

from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sms_tui.core.campaign import Preview, format_cents
from sms_tui.core.phones import format_phone
from sms_tui.ui.bulk import BulkPlan, Filter
from sms_tui.ui.text import one_line
from sms_tui.ui.widgets.scroll_size import set_virtual_size

ROW_HEIGHT = 2
VERDICT_MARK = {"ok": ("OK", "preview-list--ok"), "warn": ("WARN", "preview-list--warn"),
                "block": ("BLOCKED", "preview-list--block")}  # fmt: skip
DECISION_MARK = {"approved": "✓", "skipped": "✗", None: "·"}


class PreviewList(ScrollView, can_focus=True):
    """The recipients of the plan that the filter shows."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Next", show=False),
        Binding("k,up", "cursor_up", "Previous", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES = {
        "preview-list--cursor",
        "preview-list--ok",
        "preview-list--warn",
        "preview-list--block",
        "preview-list--muted",
        "preview-list--approved",
    }
    DEFAULT_CSS = """
    PreviewList {
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        & > .preview-list--cursor { background: $surface-lighten-2; }
        &:focus > .preview-list--cursor { background: $primary 40%; }
        & > .preview-list--ok { color: $success; text-style: bold; }
        & > .preview-list--warn { color: $warning; text-style: bold; }
        & > .preview-list--block { color: $error; text-style: bold; }
        & > .preview-list--muted { color: $text-muted; }
        & > .preview-list--approved { color: $success; text-style: bold; }
    }
    """

    cursor: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        def __init__(self, preview: Preview | None) -> None:
            super().__init__()
            self.preview = preview

    def __init__(self, plan: BulkPlan, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.plan = plan
        self.filter: Filter = "all"
        self.rows: list[int] = []
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(256)

    # -- data ---------------------------------------------------------------------------------

    @property
    def selected(self) -> Preview | None:
        if 0 <= self.cursor < len(self.rows):
            return self.plan.previews[self.rows[self.cursor]]
        return None

    def set_filter(self, which: Filter) -> None:
        self.filter = which
        self.rows = self.plan.visible(which)
        self.cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True)
        self.changed()
        self.post_message(PreviewList.Highlighted(self.selected))

    def grew(self) -> None:
        """The plan has more previews: show those the filter takes (the cursor stays)."""
        had = len(self.rows)
        self.rows = self.plan.visible(self.filter)
        # The rows already drawn stay as they are (their strips too): only the scrollbar changes,
        # and the list is drawn again only when the new rows reach the screen.
        set_virtual_size(self, Size(self.size.width, len(self.rows) * ROW_HEIGHT))
        if had * ROW_HEIGHT < int(self.scroll_offset.y) + self.size.height:
            self.refresh()
        if had == 0 and self.rows:
            self.post_message(PreviewList.Highlighted(self.selected))

    def changed(self) -> None:
        """Decisions or texts changed: draw again."""
        self._strips.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) * ROW_HEIGHT)
        self.refresh()

    # -- keys ---------------------------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if self.rows:
            self.cursor = max(0, min(index, len(self.rows) - 1))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height // ROW_HEIGHT - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height // ROW_HEIGHT - 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self.rows) - 1)

    def watch_cursor(self) -> None:
        top = self.cursor * ROW_HEIGHT
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + ROW_HEIGHT > self.scroll_offset.y + max(self.size.height, ROW_HEIGHT):
            self.scroll_to(y=top + ROW_HEIGHT - self.size.height, animate=False, immediate=True)
        self.refresh()
        self.post_message(PreviewList.Highlighted(self.selected))

    def on_resize(self, event: events.Resize) -> None:
        self.changed()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        self.move_to((int(self.scroll_offset.y) + event.y) // ROW_HEIGHT)

    # -- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line_no = int(self.scroll_offset.y) + y
        index, sub = divmod(line_no, ROW_HEIGHT)
        width = self.size.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        p = self.plan.previews[self.rows[index]]
        decision = self.plan.decision(p.lead_id)
        is_cursor = index == self.cursor
        key = (p.lead_id, id(p), decision, sub, width, is_cursor, self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            base = self.rich_style + (self._style("preview-list--cursor") if is_cursor else Style())
            text = self._line(p, decision, sub)
            text.truncate(width, overflow="ellipsis", pad=True)
            segments = list(Segment.apply_style(text.render(self.app.console), base))
            strip = Strip(segments, width).adjust_cell_length(width, base)
            self._strips[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _line(self, p: Preview, decision: str | None, sub: int) -> Text:
        muted = self._style("preview-list--muted")
        if sub == 1:
            body = p.reason if p.verdict == "block" else p.text
            style = self._style("preview-list--block") if p.verdict == "block" else Style()
            return Text.assemble("    ", (one_line(body), style), no_wrap=True)
        mark = DECISION_MARK.get(decision, "·")
        label, cls = VERDICT_MARK[p.verdict]
        mark_style = self._style("preview-list--approved") if decision == "approved" else muted
        to = format_phone(p.to_number) if p.to_number else "no phone"
        frm = format_phone(p.from_number) if p.from_number else "no number"
        clock = local_clock(p.local_time)
        segs = f"{p.segments} seg" + ("s" if p.segments != 1 else "")
        edited = " ✎" if p.edited else ""
        return Text.assemble(  # what matters most first: a narrow terminal cuts the numbers
            (f" {mark} ", mark_style),
            (f"{label:<7} ", self._style(cls)),
            one_line(p.lead_name),
            (edited, muted),
            (f"  {clock}" if clock else "", muted),
            (f"  {segs} {p.encoding} {format_cents(p.cost_cents)}", muted),
            (f"  {one_line(to)} ← {one_line(frm)}", muted),
            no_wrap=True,
        )


def local_clock(when: datetime | None) -> str:
    """ "11:00 Wed" in the lead's own zone ("" when their zone is unknown)."""
    return f"{when:%H:%M %a}" if when is not None else ""
