"""The composer's lines under the text: what they say (guard, route) and how they are updated.

Pure functions from the guard's `SendCheck`, the context and the bound keys to `Content` (the
counter's own text is `counter.py`), plus `update_line`, which spares the screen a new layout
when a line keeps its number of lines (the bulk preview's totals use it too). Everything is built
from plain strings: nothing is parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from textual.content import Content
from textual.css.styles import RulesMap
from textual.widgets import Static

from sms_tui.core import segments
from sms_tui.core.compliance import Issue, SendCheck
from sms_tui.ui.widgets.composer_context import ComposerContext
from sms_tui.ui.widgets.counter import describe_forcing, route_content

#: (binding id, default key) -> the key the rep has bound.
KeyOf = Callable[[str, str], str]


def guard_content(has_context: bool, check: SendCheck | None, text: str, key: KeyOf) -> Content:
    """The guard line: a quiet hint, the blocks, the warnings (and the key that overrides), or Ready."""
    if not has_context or check is None:
        return Content("")  # the text area's placeholder says there is no conversation
    send_key = key("composer.send", "ctrl+j")
    if not text:
        return Content(
            f"{send_key} send · {key('composer.schedule', 'ctrl+s')} schedule · "
            f"{key('composer.templates', 'ctrl+t')} templates"
        )
    if check.blocks:
        return Content("⛔ Can't send: " + issues_sentence(check.blocks))
    if check.warnings:
        return Content(
            f"⚠ {key('composer.send_anyway', 'ctrl+o')} sends anyway · " + issues_sentence(check.warnings)
        )
    return Content(f"Ready · {send_key} send")


def route_line(context: ComposerContext | None) -> Content:
    """From … · To …, and the recipient picker's key when there is a choice."""
    line = route_content(context)
    if context is not None and (len(context.phones) > 1 or len(context.numbers) > 1):
        line += Content(" · ctrl+f change")  # the inbox's recipient picker
    return line


def update_line(line: Static, content: Content) -> None:
    """Update a status line; a new layout of the screen only when the new text wraps onto another
    number of lines than the line has now (a layout is most of what a key that switches leads
    costs, and of what each chunk of a bulk preview's verdicts would cost its totals line)."""
    old = line.content
    if isinstance(old, Content) and old == content:
        return
    width, height = line.content_size
    rules = cast("RulesMap", line.styles)  # what Textual's own get_content_height passes
    same = width > 0 and height > 0 and content.get_height(rules, width) == height
    line.update(content, layout=not same)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def issues_sentence(issues: tuple[Issue, ...] | list[Issue]) -> str:
    return " ".join(issue.message for issue in issues)


def forcing_summary(info: segments.SegmentInfo) -> str:
    return describe_forcing(info.ucs2_chars) + "."
