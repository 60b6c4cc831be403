"""The conversation is a virtual column: a long lead opens at its newest message having laid out
only about two screens of bubbles; scrolling up lays out more above without moving the view."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sms_tui.core.models import Message
from sms_tui.ui.app import SmsApp
from sms_tui.ui.widgets.conversation import MessageColumn
from tests.ui._composer_host import screen_text
from tests.ui.harness import inbox, open_lead, seeded_app
from tests.ui.seed import NOW

COUNT = 300


def _history(app: SmsApp, count: int = COUNT) -> None:
    msgs = []
    for i in range(count):
        when = NOW - timedelta(days=30) + timedelta(minutes=10 * i)
        outbound = i % 2 == 0
        msgs.append(
            Message(
                local_id=0,
                lead_id="lead_ada",
                direction="outbound" if outbound else "inbound",
                local_state="inbox",
                text=f"Note {i:03d} on the rollout plan",
                remote_id=f"acti_hist{i:04d}",
                contact_id="cont_ada",
                status="sent" if outbound else "inbox",
                local_phone="+14155550000",
                remote_phone="+14155550101",
                date_created=when,
                date_sent=when if outbound else None,
            )
        )
    app.store.apply_remote_messages(msgs, unread_inbound=False, now=NOW)


def _notes_on_screen(app: SmsApp) -> list[int]:
    return [int(n) for n in re.findall(r"Note (\d{3}) on the rollout", screen_text(app))]


async def test_a_long_conversation_opens_at_the_newest_with_only_the_view_laid_out(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _history(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = inbox(app)
        screen.page_messages = 1000  # every message of the lead is loaded...
        await open_lead(pilot, "lead_ada")
        column = screen.conversation.query_one(MessageColumn)
        assert len(screen.conversation.message_texts()) == COUNT + 3
        assert "Maybe 2pm?" in screen_text(app)  # ...the newest is on screen
        assert column.laid_out < 20  # ...but only about two screens of bubbles are laid out


async def test_paging_up_walks_back_through_every_message_in_order(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _history(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = inbox(app)
        screen.page_messages = 1000
        await open_lead(pilot, "lead_ada")
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
    _history(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = inbox(app)
        screen.page_messages = 1000
        await open_lead(pilot, "lead_ada")
        column = screen.conversation.query_one(MessageColumn)
        await open_lead(pilot, "lead_bob")
        rendered = column._cache.misses
        await open_lead(pilot, "lead_ada")
        assert "Maybe 2pm?" in screen_text(app)
        assert column._cache.misses == rendered  # every bubble in view came from the line cache
