"""The conversation is a virtual column: a long lead opens at its newest message having laid out
only about two screens of bubbles; scrolling up lays out more above without moving the view."""

from __future__ import annotations

import re
from pathlib import Path

from textual.geometry import Region
from textual.pilot import Pilot

from sms_tui.ui.app import SmsApp
from sms_tui.ui.screens.inbox import InboxScreen
from sms_tui.ui.widgets.message_column import MessageColumn
from tests.ui._composer_host import screen_text
from tests.ui.harness import inbox, open_lead, seeded_app
from tests.ui.test_conversation_scroll import _long_conversation

COUNT = 250  # all older than the seeded messages (one every 10 min from 48 h ago)


async def _open_long_lead(pilot: Pilot[None], app: SmsApp) -> InboxScreen:
    """lead_ada with COUNT older messages, every one of them loaded, opened at the newest."""
    screen = inbox(app)
    screen.page_messages = 1000
    await open_lead(pilot, "lead_ada")
    return screen


def _notes_on_screen(app: SmsApp) -> list[int]:
    return [int(n) for n in re.findall(r"Earlier message number (\d+) ", screen_text(app))]


async def test_a_long_conversation_opens_at_the_newest_with_only_the_view_laid_out(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _long_conversation(app, count=COUNT)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_long_lead(pilot, app)  # every message of the lead is loaded...
        column = screen.conversation.query_one(MessageColumn)
        assert len(screen.conversation.message_texts()) == COUNT + 3
        assert "Maybe 2pm?" in screen_text(app)  # ...the newest is on screen
        assert column.laid_out < 20  # ...but only about two screens of bubbles are laid out


async def test_paging_up_walks_back_through_every_message_in_order(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _long_conversation(app, count=COUNT)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_long_lead(pilot, app)
        seen: list[int] = []
        for _ in range(200):
            await pilot.press("left_square_bracket")
            await pilot.pause()
            shown = _notes_on_screen(app)
            assert shown == sorted(shown)  # oldest first, no gaps or repeats within a screen
            assert shown == list(range(shown[0], shown[0] + len(shown))) if shown else True
            if seen and shown:
                assert shown[0] < seen[0] and shown[-1] >= seen[0] - 1  # a page back, overlapping
            seen = shown or seen
            if shown and shown[0] == 0:
                break
        assert seen[0] == 0  # the oldest message is reachable
        assert screen.conversation.query_one(MessageColumn).laid_out == COUNT + 3
        for _ in range(200):
            await pilot.press("right_square_bracket")
            await pilot.pause()
            if "Maybe 2pm?" in screen_text(app):
                break
        assert "Maybe 2pm?" in screen_text(app)  # and back down to the newest


async def test_going_back_to_a_lead_reuses_its_rendered_bubbles(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _long_conversation(app, count=COUNT)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_long_lead(pilot, app)
        column = screen.conversation.query_one(MessageColumn)
        await open_lead(pilot, "lead_bob")
        rendered = column._cache.misses
        await open_lead(pilot, "lead_ada")
        assert "Maybe 2pm?" in screen_text(app)
        assert column._cache.misses == rendered  # every bubble in view came from the line cache


def _bar_is_background(column: MessageColumn) -> bool:
    """Every cell of the scrollbar has the column's background (no track, no thumb)."""
    bar = column.vertical_scrollbar
    colours = {
        seg.style.bgcolor
        for y in range(bar.size.height)
        for seg in bar.render_lines(Region(0, y, bar.size.width, 1))[0]
        if seg.style
    }
    return colours == {column.background_colors[1].rich_color}


async def test_the_scrollbar_keeps_its_columns_from_a_long_to_a_short_conversation(tmp_path: Path) -> None:
    """Shown or hidden, the scrollbar would lay the screen out on every such move: it stays, in
    the background colour while the bubbles fit, and the bubbles keep one width."""
    app = seeded_app(tmp_path)
    _long_conversation(app, count=COUNT)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open_long_lead(pilot, app)
        column = screen.conversation.query_one(MessageColumn)
        assert column.show_vertical_scrollbar and not _bar_is_background(column)
        width = column._width
        await open_lead(pilot, "lead_bob")  # two bubbles: they fit
        assert column.show_vertical_scrollbar and column.vertical_scrollbar.display
        assert _bar_is_background(column) and column._width == width  # no track, no thumb
        await open_lead(pilot, "lead_ada")
        assert column.show_vertical_scrollbar and not _bar_is_background(column)
        assert not column.has_class("-fits")  # a class change restyles the column: none is made
