"""Truthful states (issue 13, items 3 and 6): what the header and the bubbles say is what is so."""

from __future__ import annotations

from pathlib import Path

from sms_tui.ui.text import one_line
from tests.ui.harness import inbox, seeded_app, settle, shown, until


async def test_offline_keeps_the_counts_and_says_queued_offline(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.status.unread == 3)
        await settle(pilot)
        status = screen.status
        status.state = "offline"
        status.detail = one_line("Could not reach https://api.close.com/api/v1/: connection refused " * 3)
        status.outbox = 1
        await pilot.pause()
        bar = shown(status)
        assert "offline" in bar and "3 unread" in bar and "outbox 1 queued — offline" in bar
        assert "1 failed" in bar
        status.state = "online"
        status.detail = one_line("")
        await pilot.pause()
        assert "queued" not in shown(status)
