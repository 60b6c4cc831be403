"""Undo for triage (issue 13, item 4): done, snooze, read/unread and cancel-scheduled each say
"U undo" and `U` (or ctrl+z with no send waiting) takes the last one back; single keys never act
while a text field has focus; `x` leaves focus where it was."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.message import Message
from textual.notifications import Notify

from sms_tui.core.models import LeadRow
from sms_tui.ui.app import SmsApp
from sms_tui.ui.widgets.composer_input import ComposerInput
from sms_tui.ui.widgets.lead_list import LeadList
from tests.ui.harness import Clock, bubbles, inbox, open_lead, seeded_app, settle, until
from tests.ui.seed import NOW


def _row(app: SmsApp, lead_id: str) -> LeadRow:
    row = app.store.lead_row(lead_id)
    assert row is not None
    return row


def _toasts(messages: list[Message]) -> list[str]:
    return [m.notification.message for m in messages if isinstance(m, Notify)]


async def test_done_then_U_brings_the_lead_back(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    seen: list[Message] = []
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("e")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 5)
        assert _row(app, "lead_ada").done
        assert any("Done" in t and "U undo" in t for t in _toasts(seen))
        await pilot.press("U")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 6)
        assert not _row(app, "lead_ada").done
        assert any(t == "Undone: done." for t in _toasts(seen))
        await pilot.press("U")  # only the last action: nothing more to undo
        await settle(pilot)
        assert not _row(app, "lead_ada").done


async def test_ctrl_z_undoes_triage_when_no_send_waits(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        assert _row(app, "lead_ada").unread == 2
        await pilot.press("m")
        await settle(pilot)
        assert _row(app, "lead_ada").unread == 0
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert _row(app, "lead_ada").unread >= 1


async def test_snooze_undo_unsnoozes(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("1")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 5)
        assert _row(app, "lead_ada").snoozed_until is not None
        await pilot.press("U")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 6)
        assert _row(app, "lead_ada").snoozed_until is None


async def test_single_keys_are_text_while_the_composer_has_focus(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("e")  # done (from the list): something to undo
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 5)
        await open_lead(pilot, "lead_bob")
        await pilot.press("enter")
        await pilot.press(*"emuzUxR")
        await settle(pilot)
        assert screen.composer.text == "emuzUxR"
        bob = _row(app, "lead_bob")
        assert not bob.done and bob.snoozed_until is None and bob.unread == 1
        assert _row(app, "lead_ada").done  # U typed into the draft did not undo anything


async def test_x_cancels_at_once_keeps_focus_and_U_schedules_it_again(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    when = NOW + timedelta(days=1)
    app.store.schedule(
        date_scheduled=when,
        now=NOW,
        lead_id="lead_ada",
        contact_id="cont_ada",
        text="See you Thursday",
        local_phone="+14155550000",
        remote_phone="+14155550101",
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        assert any("See you Thursday" in t and "Scheduled" in t for t in bubbles(app))
        assert isinstance(screen.focused, LeadList)
        await pilot.press("x")
        # The bubble goes in the key's own handler, before any store write comes back.
        assert not any("See you Thursday" in t for t in bubbles(app))
        await settle(pilot)
        assert isinstance(screen.focused, LeadList)  # x did not move focus into the composer
        assert screen.composer.text == "See you Thursday"
        assert [
            m.local_state for m in app.store.conversation("lead_ada") if m.text == "See you Thursday"
        ] == []
        await pilot.press("j", "k")  # list keys still move the list, not the draft
        await settle(pilot)
        assert screen.composer.text == "See you Thursday" or screen.composer.context is not None
        await open_lead(pilot, "lead_ada")
        await pilot.press("U")
        await settle(pilot)
        again = [m for m in app.store.conversation("lead_ada") if m.text == "See you Thursday"]
        assert [(m.local_state, m.date_scheduled) for m in again] == [("scheduled", when)]
        assert screen.composer.text == ""
        assert app.store.get_draft("lead_ada") in ("", None)
        await until(pilot, lambda: any("See you Thursday" in t and "Scheduled" in t for t in bubbles(app)))
        assert not isinstance(screen.focused, ComposerInput)


async def test_a_snoozed_lead_coming_back_says_so(tmp_path: Path) -> None:
    clock = Clock()
    app = seeded_app(tmp_path, clock=clock)
    seen: list[Message] = []
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("z")
        await pilot.pause()
        await pilot.press("1")  # one hour
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 5)
        screen._tick()
        assert not any("back from snooze" in t for t in _toasts(seen))
        clock.at = NOW + timedelta(hours=1, minutes=1)
        screen._tick()
        await settle(pilot)
        assert _toasts(seen).count("⏰ Lovelace Analytics is back from snooze.") == 1
        await until(pilot, lambda: screen.leads.total == 6)
        screen._tick()  # said once
        assert _toasts(seen).count("⏰ Lovelace Analytics is back from snooze.") == 1
