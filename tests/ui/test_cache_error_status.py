"""A cache that fails under the inbox is named as such ("cache error: …"), never blamed on the provider."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sms_tui.sync.engine import SyncEngine
from tests.ui.harness import inbox, live_app, open_lead, settle, shown, until


async def test_a_damaged_page_during_the_first_sync_says_cache_error_not_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def damaged(self: SyncEngine, *args: Any, **kwargs: Any) -> None:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorname = "SQLITE_CORRUPT"
        raise error

    monkeypatch.setattr(SyncEngine, "first_sync", damaged)
    live = await live_app(tmp_path)
    async with live.app.run_test(size=(160, 30), message_hook=live.messages.append) as pilot:
        await until(pilot, lambda: live.app.sync.started)
        await settle(pilot)
        bar = shown(inbox(live.app).status)
        assert "cache error" in bar and "offline" not in bar, bar
        assert "is damaged" in bar
        toasts = [str(n.message) for n in live.notifications()]
        assert any(t.startswith("cache error: The cache") and "sms-tui cache rebuild" in t for t in toasts), (
            toasts
        )


async def test_a_send_the_full_disk_refuses_goes_back_to_the_composer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = await live_app(tmp_path)

    def full(*args: Any, **kwargs: Any) -> int:
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorname = "SQLITE_FULL"
        raise error

    async with live.app.run_test(size=(160, 36), message_hook=live.messages.append) as pilot:
        await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
        await settle(pilot)
        screen = inbox(live.app)
        row = next(r for _, r in screen.leads.loaded_rows() if (r.phone or "").startswith("+1"))
        await open_lead(pilot, row.lead_id)
        monkeypatch.setattr(live.store, "enqueue_send", full)
        await pilot.press("enter", *"Are we still on for Tuesday?", "ctrl+j")
        await settle(pilot)
        assert screen.composer.text == "Are we still on for Tuesday?"  # nothing the rep typed is lost
        bar = shown(screen.status)
        assert "cache error" in bar and "disk is full" in bar, bar
        assert not [m for m in live.store.conversation(row.lead_id) if m.text.startswith("Are we still")]
