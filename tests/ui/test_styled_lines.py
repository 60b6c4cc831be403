"""Lines kept by content are styled as Textual styles them, and a scroll styles only what is new
(ui/styled_lines.py)."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sms_tui.ui.styled_lines import ContentStylesCache, style_by_content


class _Rows(ScrollView):
    """Lines from a cache of strips, as the lead list and the conversation have."""

    DEFAULT_CSS = "_Rows { height: 1fr; padding: 0 1; background: $panel; tint: red 10%; }"

    def __init__(self) -> None:
        super().__init__()
        self.strips = [
            Strip([Segment(f"row {i:03d} ", Style(bold=i % 2 == 0)), Segment("x" * (i % 7))])
            for i in range(300)
        ]

    def on_mount(self) -> None:
        self.virtual_size = Size(30, len(self.strips))

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y
        return self.strips[line] if line < len(self.strips) else Strip.blank(self.size.width)


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        rows = _Rows()
        style_by_content(rows)
        yield rows


def _textuals(rows: _Rows) -> list[Strip]:
    """What Textual's own styles cache paints for the whole widget now."""
    ours = rows._styles_cache
    rows._styles_cache = StylesCache()
    try:
        return rows.render_lines(rows.size.region)
    finally:
        rows._styles_cache = ours


async def test_lines_are_styled_as_textual_styles_them() -> None:
    app = _Host()
    async with app.run_test(size=(50, 20)) as pilot:
        rows = app.query_one(_Rows)
        assert isinstance(rows._styles_cache, ContentStylesCache)
        for y in (0, 1, 5, 4, 150, 290):
            rows.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            ours = rows.render_lines(rows.size.region)
            assert [list(s) for s in ours] == [list(s) for s in _textuals(rows)]
        rows.styles.tint = "blue 30%"  # new styles: nothing kept from before is answered
        await pilot.pause()
        ours = rows.render_lines(rows.size.region)
        assert [list(s) for s in ours] == [list(s) for s in _textuals(rows)]
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        ours = rows.render_lines(rows.size.region)
        assert [list(s) for s in ours] == [list(s) for s in _textuals(rows)]


async def test_a_scroll_by_a_line_styles_only_the_new_line() -> None:
    app = _Host()
    async with app.run_test(size=(50, 20)) as pilot:
        rows = app.query_one(_Rows)
        rows.scroll_to(y=10, animate=False, immediate=True)
        await pilot.pause()
        before = rows.render_lines(rows.size.region)
        rows.scroll_to(y=11, animate=False, immediate=True)
        await pilot.pause()
        after = rows.render_lines(rows.size.region)
        assert all(a is b for a, b in zip(after[:-1], before[1:], strict=True))  # kept, not styled again
        assert after[-1] is not before[-1]


async def test_lines_styled_ahead_are_not_styled_again_when_shown(monkeypatch: Any) -> None:
    app = _Host()
    async with app.run_test(size=(50, 20)) as pilot:
        rows = app.query_one(_Rows)
        await pilot.pause()
        rows.render_lines(rows.size.region)  # a first paint: what lines are styled with
        cache = rows._styles_cache
        assert isinstance(cache, ContentStylesCache)
        ahead = rows.strips[200 : 200 + rows.size.height]
        cache.prestyle(ahead)  # e.g. a conversation loaded ahead
        styled: list[int] = []
        textual_render_line = StylesCache.render_line

        def counted(self: StylesCache, *args: Any) -> Strip:
            if self is cache:  # (not the scrollbar's)
                styled.append(args[1])
            return textual_render_line(self, *args)

        monkeypatch.setattr(StylesCache, "render_line", counted)
        rows.scroll_to(y=200, animate=False, immediate=True)
        await pilot.pause()
        shown = rows.render_lines(rows.size.region)
        assert styled == []  # every line shown was styled ahead
        monkeypatch.setattr(StylesCache, "render_line", textual_render_line)
        assert [list(s) for s in shown] == [list(s) for s in _textuals(rows)]
