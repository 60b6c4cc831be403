"""Scrollbars painted again only when what they show changed: Textual's `ScrollBar.render_lines`
with a small memo of its answers.

Textual repaints a scrollbar whenever its position changes (a `j` that scrolls the lead list, a
new conversation's length), and each repaint renders the bar through Rich and then each of its
~34 lines through the styles pipeline: ~1.7 ms a bar, two bars per `j` (~4 ms of a ~18 ms frame,
benchmarks/trace_frames.py in the real process at 100k leads, 2026-11-30). But what a bar shows
changes far less often than its position: the lead list's thumb over 100,000 rows moves one
eighth of a cell every ~370 rows.

`install()` wraps `ScrollBar.render_lines`: the bar's own renderable is asked for its segments
(cheap: one list), and the answer is kept under those segments plus everything else the styles
pipeline reads (the bar's size and crop, its own styles' version, its background, opacity, the
app's ANSI theme and line filters). The same key answers the same lines, unchanged strips and
all; any other key renders as Textual does. tests/ui/test_scrollbar_memo.py compares the answers
with Textual's own.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.segment import Segments
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

_textual_render_lines = ScrollBar.render_lines

#: Answers kept per scrollbar (a thumb in a few places: moving back and forth repaints nothing).
KEPT = 16


def _key(bar: ScrollBar, crop: Region) -> Hashable | None:
    renderable = bar.render()
    if type(renderable) is not ScrollBarRender:
        return None  # a renderer of the app's own: Textual's way
    width, height = bar.size
    app = bar.app
    options = app.console_options.update_dimensions(width, height)
    rendered = list(renderable.__rich_console__(app.console, options))
    if len(rendered) != 1 or not isinstance(rendered[0], Segments):
        return None
    return (
        tuple(rendered[0].segments),
        rendered[0].new_lines,
        crop,
        bar.size,
        bar.styles._cache_key,
        bar.background_colors,
        bar.opacity,
        id(app.ansi_theme),
        app.native_ansi_color,
        tuple(id(f) for f in bar.get_line_filters()),
    )


def _render_lines(self: ScrollBar, crop: Region) -> list[Strip]:
    key = _key(self, crop)
    if key is None:
        return _textual_render_lines(self, crop)
    memo: dict[Hashable, list[Strip]] | None = self.__dict__.get("_sms_memo")
    if memo is None:
        memo = self.__dict__["_sms_memo"] = {}
    lines = memo.get(key)
    if lines is None:
        lines = _textual_render_lines(self, crop)
        if len(memo) >= KEPT:
            del memo[next(iter(memo))]
        memo[key] = lines
    return list(lines)


def install() -> None:
    """Use the memo for every ScrollBar (once; idempotent)."""
    ScrollBar.render_lines = _render_lines  # type: ignore[method-assign,assignment]
