"""The conversation stays on the newest message at a small terminal (80×24): what the rep sees."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sms_tui.core.models import Message
from sms_tui.ui.app import SmsApp
from tests.ui._composer_host import screen_text
from tests.ui.harness import inbox, open_lead, seeded_app, settle
from tests.ui.seed import NOW


def _long_conversation(app: SmsApp, lead_id: str = "lead_ada", count: int = 30) -> None:
    """Older back-and-forth for `lead_id`, well over a screen of bubbles."""
    msgs = []
    for i in range(count):
        when = NOW - timedelta(hours=48) + timedelta(minutes=10 * i)
        outbound = i % 2 == 0
        msgs.append(
            Message(
                local_id=0,
                lead_id=lead_id,
                direction="outbound" if outbound else "inbound",
                local_state="inbox",
                text=f"Earlier message number {i} about the proposal and the next steps for the rollout",
                remote_id=f"acti_long{i:03d}",
                contact_id="cont_ada",
                status="sent" if outbound else "inbox",
                local_phone="+14155550000",
                remote_phone="+14155550101",
                date_created=when,
                date_sent=when if outbound else None,
            )
        )
    app.store.apply_remote_messages(msgs, unread_inbound=False, now=NOW)


async def test_after_send_the_new_bubble_is_on_screen_at_80x24(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _long_conversation(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_lead(pilot, "lead_ada")
        assert "Maybe 2pm?" in screen_text(app)  # opened at the newest message
        long_text = "See you Thursday at two. " + "Bring the contract and the plan. " * 2
        await pilot.press("enter", *long_text, "ctrl+j")
        await settle(pilot)
        await pilot.pause()
        shown = screen_text(app)
        assert "See you Thursday at two" in shown
        assert "Sending in 5 s" in shown


async def test_older_messages_stay_where_the_rep_is_reading(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    _long_conversation(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = inbox(app)
        screen.page_messages = 10
        await open_lead(pilot, "lead_ada")
        await pilot.press("o")
        await settle(pilot)
        await pilot.pause()
        shown = screen_text(app)
        assert "Maybe 2pm?" not in shown  # the top of the longer page, not the end
