"""A scrollbar that shows the same is not painted again, and shows what Textual's shows
(ui/scrollbar_memo.py)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from sms_tui.ui import scrollbar_memo


class _Long(ScrollView):
    DEFAULT_CSS = "_Long { height: 1fr; overflow-y: scroll; }"

    def on_mount(self) -> None:
        self.virtual_size = Size(40, 100_000)

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield _Long()


def _textuals(bar: ScrollBar, crop: Region) -> list[Strip]:
    bar.refresh()  # Textual renders again after any refresh
    return scrollbar_memo._textual_render_lines(bar, crop)


def _parts(app: _Host) -> tuple[_Long, ScrollBar, Region]:
    view = app.query_one(_Long)
    bar = view.vertical_scrollbar
    return view, bar, Region(0, 0, bar.size.width, bar.size.height)


async def test_the_bar_shows_what_textual_shows_in_every_state() -> None:
    scrollbar_memo.install()
    app = _Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view, bar, crop = _parts(app)
        states = 0
        for y in (0, 1, 2, 500, 5_000, 37_777, 99_990):
            for over in (False, True):
                view.scroll_to(y=y, animate=False, immediate=True)
                bar.mouse_over = over
                await pilot.pause()
                ours = bar.render_lines(crop)
                assert [list(s) for s in ours] == [list(s) for s in _textuals(bar, crop)]
                states += 1
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        ours = bar.render_lines(crop)
        assert [list(s) for s in ours] == [list(s) for s in _textuals(bar, crop)]
        assert states == 14


async def test_a_scroll_that_does_not_move_the_thumb_paints_nothing_new() -> None:
    scrollbar_memo.install()
    app = _Host()
    async with app.run_test(size=(60, 20)) as pilot:
        view, bar, crop = _parts(app)
        view.scroll_to(y=1_000, animate=False, immediate=True)
        await pilot.pause()
        before = bar.render_lines(crop)
        view.scroll_to(y=1_001, animate=False, immediate=True)  # 1/100,000 of the list
        await pilot.pause()
        assert bar.position == 1_001  # Textual refreshed the bar: its position changed
        after = bar.render_lines(crop)
        assert all(a is b for a, b in zip(after, before, strict=True))  # the same lines
