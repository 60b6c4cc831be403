"""Truthful states (issue 13, items 3 and 6): what the header and the bubbles say is what is so."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from sms_tui.core.models import CloseStatus, Message
from sms_tui.ui.app import SmsApp
from sms_tui.ui.messages import SyncUpdate
from sms_tui.ui.retry import retryable
from sms_tui.ui.text import one_line
from sms_tui.ui.widgets.bubbles import status_text
from sms_tui.ui.widgets.search_bar import FilterBar
from tests.ui.harness import Clock, bubbles, inbox, open_lead, seeded_app, settle, shown, until
from tests.ui.seed import NOW


async def test_offline_keeps_the_counts_and_says_queued_offline(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.status.unread == 2)
        await settle(pilot)
        status = screen.status
        status.state = "offline"
        status.detail = one_line("Could not reach https://api.close.com/api/v1/: connection refused " * 3)
        status.outbox = 1
        await pilot.pause()
        bar = shown(status)
        assert "offline" in bar and "2 unread" in bar and "outbox 1 queued — offline" in bar
        assert "1 failed" in bar
        status.state = "online"
        status.detail = one_line("")
        await pilot.pause()
        assert "queued" not in shown(status)


async def test_unread_count_is_the_unread_filters_count_without_done_leads(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.status.unread == 2)  # Ada and Bob
        app.store.set_done("lead_bob", True)
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen._load_counts()
        await settle(pilot)
        await until(pilot, lambda: screen.status.unread == 1)
        await pilot.press("2")  # the Unread filter
        await settle(pilot)
        await until(pilot, lambda: screen.query_one(FilterBar).total == 1)
        assert "1 unread" in shown(screen.status)


def _failed(text: str, error: str, state: str = "error") -> Message:
    return Message(
        local_id=1,
        lead_id="l",
        direction="outbound",
        local_state=state,  # type: ignore[arg-type]
        text=text,
        error_message=error if state == "error" else None,
        block_reason=error if state == "blocked" else None,
    )


def test_R_to_retry_only_on_failures_a_retry_can_fix() -> None:
    tz = ZoneInfo("UTC")
    for error in (
        "Landline or unreachable carrier: the number is a landline or cannot receive SMS; call instead.",
        "Unknown destination handset: the number may be disconnected or no longer in service.",
        "Attempt to send to unsubscribed recipient",
        "Message Delivery - Carrier Violation",
    ):
        assert not retryable(_failed("hi", error))
        assert "to retry" not in status_text(_failed("hi", error), NOW, tz).plain
    for error in ("Unreachable destination handset: the phone is off", "Server error (503)", "Unknown error"):
        assert retryable(_failed("hi", error))
        assert status_text(_failed("hi", error), NOW, tz).plain.endswith("R to retry")
    assert not retryable(_failed("hi", "This contact has opted out (replied STOP).", "blocked"))


async def test_R_on_a_landline_failure_says_why_and_queues_nothing(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    app.store.apply_remote_messages(
        [
            Message(
                local_id=0,
                lead_id="lead_eve",
                direction="outbound",
                local_state="inbox",
                text="Are you there?",
                remote_id="acti_land",
                contact_id="cont_eve",
                status="error",
                local_phone="+14155550000",
                remote_phone="+14155550105",
                date_created=NOW,
                error_message="Landline or unreachable carrier: the number is a landline.",
            )
        ],
        unread_inbound=False,
        now=NOW,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_eve")
        text = next(t for t in bubbles(app) if "Are you there?" in t)
        assert "✗ Failed" in text and "to retry" not in text
        await pilot.press("R")
        await settle(pilot)
        assert app.store.outbox() == []
        assert any(str(n.message).startswith("Cannot retry: Landline") for n in app._notifications)


async def test_a_failed_search_shows_no_stale_count(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        bar = screen.query_one(FilterBar)
        await until(pilot, lambda: bar.total == 6)
        await pilot.press("slash", *"foo:bar", "enter")
        await settle(pilot)
        await until(pilot, lambda: bar.failed)
        line = shown(bar)
        assert "foo:bar" in line and "invalid query" in line and " 6" not in line
        await pilot.press("escape", "2")  # the Unread filter: its own count, the error gone
        await settle(pilot)
        await until(pilot, lambda: bar.total == 2 and not bar.failed)
        assert "invalid" not in shown(bar)


def _last_line(text: str, app: SmsApp) -> str:
    return next((t.rstrip() for t in bubbles(app) if text in t), "")


async def test_a_queued_bubble_says_queued_offline_while_the_provider_is_unreachable(tmp_path: Path) -> None:
    clock = Clock()
    app = seeded_app(tmp_path, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", *"On my way", "ctrl+j")
        await settle(pilot)
        clock.at = NOW + timedelta(seconds=6)  # the undo window is over
        screen._tick()
        screen.reload_current()
        await settle(pilot)
        await until(
            pilot, lambda: any("On my way" in t and t.rstrip().endswith("Sending…") for t in bubbles(app))
        )
        screen.post_message(SyncUpdate(SimpleNamespace(state="offline", detail="connection refused")))
        await settle(pilot)
        await until(pilot, lambda: any("On my way" in t and "Queued — offline" in t for t in bubbles(app)))
        assert "outbox 1 queued — offline" in shown(screen.status)
        screen.post_message(SyncUpdate(SimpleNamespace(state="online", detail="")))
        await settle(pilot)
        await until(
            pilot, lambda: any("On my way" in t and t.rstrip().endswith("Sending…") for t in bubbles(app))
        )


async def test_the_footer_at_80x24_names_quit_whole(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: inbox(app).leads.total == 6)
        await settle(pilot)
        keys = list(app.screen.query("FooterKey"))
        quit_key = next(k for k in keys if getattr(k, "description", "") == "Quit")
        palette = next(k for k in keys if getattr(k, "description", "") == "Commands")
        # Not cut by the command palette's key docked on the right ("^q Qui▏^p Commands" before).
        assert quit_key.region.right <= palette.region.x <= 80


def _sent(status: str) -> Message:
    """An outbound message Close reported with `status` (the store keeps statuses it does not know)."""
    return Message(
        local_id=1,
        lead_id="l",
        direction="outbound",
        local_state="sent",
        text="hi",
        status=cast(CloseStatus, status),
    )


def test_a_status_close_added_later_is_shown_as_it_came() -> None:
    tz = ZoneInfo("UTC")
    assert status_text(_sent("delivered"), NOW, tz).plain == "Close says: delivered"
    assert "\x1b" not in status_text(_sent("\x1b]0;x\x07"), NOW, tz).plain
    assert status_text(_sent("sent"), NOW, tz).plain == "✓ Sent"
    assert status_text(_sent("outbox"), NOW, tz).plain == "✓ Accepted, on its way"


async def test_header_counts_stopped_by_a_list_reload_count_again_without_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lead list's reload stops the counting connection's query (`interrupt_counts`), which
    can be the header's: that is counted again, not shown as "Header counts failed: interrupted"
    (seen while typing a reply on the 100k-lead cache)."""
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.status.unread == 2)
        app.store.set_done("lead_bob", True)
        original, stops = app.store.header_counts, [2]

        def interrupted_twice(now: Any = None) -> Any:
            if stops[0]:
                stops[0] -= 1
                raise sqlite3.OperationalError("interrupted")
            return original(now)

        monkeypatch.setattr(app.store, "header_counts", interrupted_twice)
        notes: list[str] = []
        monkeypatch.setattr(screen, "notify", lambda message, **kw: notes.append(str(message)))
        screen.live.load_counts()
        await until(pilot, lambda: screen.status.unread == 1)
        await settle(pilot)
        assert stops == [0] and not any("interrupted" in n or "failed" in n for n in notes)
