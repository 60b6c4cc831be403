"""The sync starts after the first conversation is painted (it imports the provider client and
competes with that conversation's read for the two cores), or at once when the list has no lead
(`InboxScreen.after_first_conversation`, `ConversationLoader.after_first_shown`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sms_tui.ui.screens import inbox_loading
from sms_tui.ui.sync_worker import SyncRunner
from tests.ui.harness import inbox, live_app, until
from tests.ui.seed import seed


async def test_the_sync_starts_once_the_first_conversation_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = await live_app(tmp_path)
    seed(live.store, live.clock.now())  # the cache has leads: there is a first conversation
    first = live.store.lead_page(now=live.clock.now(), limit=1).rows[0].lead_id
    shown_at_start: list[str | None] = []
    start = SyncRunner.start

    def started(self: SyncRunner) -> None:
        shown_at_start.append(inbox(live.app).conversation.lead_id)
        start(self)

    monkeypatch.setattr(SyncRunner, "start", started)
    monkeypatch.setattr(inbox_loading, "FIRST_SHOWN_LATEST", 3600.0)  # only the conversation starts it
    async with live.app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: live.app.sync_started)
    assert shown_at_start == [first]


async def test_with_no_lead_to_show_the_sync_starts_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = await live_app(tmp_path)  # an empty cache: the first sync brings the leads
    monkeypatch.setattr(inbox_loading, "FIRST_SHOWN_LATEST", 3600.0)
    async with live.app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: live.app.sync_started)
        await until(pilot, lambda: inbox(live.app).leads.total > 0)  # what it brought is listed
