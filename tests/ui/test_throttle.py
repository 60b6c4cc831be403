"""Throttle: at once, then at most once per window; and the inbox's sync redraws through it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sms_tui.ui.messages import SyncProgress, SyncUpdate
from sms_tui.ui.screens import inbox_live
from sms_tui.ui.throttle import Throttle
from sms_tui.ui.widgets.lead_list import LeadList
from tests.ui.harness import inbox, seeded_app, settle, until


class Owner:
    """Records the timers a Throttle asks for; the test closes them by hand."""

    def __init__(self) -> None:
        self.timers: list[Callable[[], None]] = []

    def set_timer(self, delay: float, callback: Callable[[], None], *, name: str) -> object:
        assert delay == 0.5 and name == "t"
        self.timers.append(callback)
        return object()  # stands for the Timer


def test_the_first_call_acts_at_once_and_a_burst_acts_once_more_when_the_window_closes() -> None:
    owner = Owner()
    calls: list[int] = []
    throttle = Throttle(owner, 0.5, lambda: calls.append(len(calls)), name="t")  # type: ignore[arg-type]
    throttle()
    assert calls == [0] and len(owner.timers) == 1
    for _ in range(20):
        throttle()
    assert calls == [0]  # merged while the window is open
    owner.timers.pop()()  # the window closes: one call for the twenty
    assert calls == [0, 1] and len(owner.timers) == 1  # and a new window opens
    owner.timers.pop()()  # nothing came meanwhile: nothing runs, no window
    assert calls == [0, 1] and owner.timers == []
    throttle()
    assert calls == [0, 1, 2]  # a lone call later acts at once again


async def test_a_burst_of_sync_changes_reloads_the_list_twice_and_shows_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first sync reports every page it saves; the list reloads at once for the first report and
    once for all the others, and the status line shows the last progress."""
    monkeypatch.setattr(inbox_live, "SYNC_REDRAW_SECONDS", 0.2)
    reloads: list[set[str] | None] = []
    reload = LeadList.reload

    def spy(self: LeadList, **kwargs: Any) -> None:
        reloads.append(kwargs.get("changed"))
        reload(self, **kwargs)

    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await settle(pilot)
        monkeypatch.setattr(LeadList, "reload", spy)
        leads = ["lead_ada", "lead_bob", "lead_cyd", "lead_dee", "lead_eve", "lead_fay"]
        for page, lead_id in enumerate(leads * 5):
            event = SimpleNamespace(changed_lead_ids=frozenset({lead_id}), state="online", detail="")
            screen.post_message(SyncUpdate(event))
            screen.post_message(SyncProgress(f"messages… · messages {(page + 1) * 100:,}"))
        await until(pilot, lambda: len(reloads) == 2)
        assert reloads[0] == {"lead_ada"}
        assert reloads[1] == set(leads)  # every later change, in one reload
        await until(pilot, lambda: "messages 3,000" in str(screen.status.progress))
        await pilot.pause(0.3)  # a third window would have closed by now
        assert len(reloads) == 2
