"""The inbox's first page, read by the command before the app runs (`lead_pages.first_page`), is in
the lead list when it mounts, so the first frame shows the rows; a read still running then is
applied when it ends, as the list's own first load would be."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from sms_tui.store import Store
from sms_tui.ui.app import SmsApp
from sms_tui.ui.widgets import lead_list, lead_pages
from sms_tui.ui.widgets.lead_list import LeadList
from tests.ui.harness import Clock, inbox, until
from tests.ui.seed import REP_TZ, seeded_store

TZ = ZoneInfo(REP_TZ)


def _rows_at_mount(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The lead ids the list holds when its on_mount returns (before anything is painted)."""
    seen: list[list[str]] = []
    mount = LeadList.on_mount

    def on_mount(self: LeadList) -> None:
        mount(self)
        seen.append([row.lead_id for _, row in self.loaded_rows()])

    monkeypatch.setattr(LeadList, "on_mount", on_mount)
    return seen


def _seeded(tmp_path: Path) -> tuple[Clock, Store, list[str]]:
    """A seeded store, its clock, and the lead ids of its first page."""
    clock = Clock()
    store = seeded_store(tmp_path / "cache.sqlite3", clock.now())
    expected = [r.lead_id for r in store.lead_page(now=clock.now(), tz=TZ, limit=lead_pages.PAGE).rows]
    return clock, store, expected


async def test_the_first_frame_shows_the_rows_read_before_the_app_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, store, expected = _seeded(tmp_path)
    first = lead_pages.first_page(store, clock.now(), TZ)
    assert first.done.wait(10)
    seen = _rows_at_mount(monkeypatch)
    app = SmsApp(store, now=clock.now, poll_seconds=999, rep_tz=TZ, first_rows=first)
    async with app.run_test(size=(100, 30)) as pilot:
        leads = inbox(app).leads
        await until(pilot, lambda: leads.exact)
        assert seen == [expected]  # in the list before its first paint
        assert [r.lead_id for _, r in leads.loaded_rows()] == expected
        assert leads.selected is not None and leads.selected.lead_id == expected[0]
        assert app.first_rows is None  # taken by the list, once


class _SlowStore:
    """A store whose first page waits for the test (a read that outlasts the list's wait)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.release = threading.Event()

    def lead_page(self, **kwargs: Any) -> Any:
        assert self.release.wait(10)
        return self._store.lead_page(**kwargs)


async def test_a_first_page_still_being_read_at_mount_is_applied_when_it_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, store, expected = _seeded(tmp_path)
    slow = _SlowStore(store)
    first = lead_pages.first_page(cast(Store, slow), clock.now(), TZ)
    monkeypatch.setattr(lead_list, "FIRST_PAGE_WAIT", 0.0)
    seen = _rows_at_mount(monkeypatch)
    app = SmsApp(store, now=clock.now, poll_seconds=999, rep_tz=TZ, first_rows=first)
    async with app.run_test(size=(100, 30)) as pilot:
        leads = inbox(app).leads
        assert seen == [[]]  # not in yet: the list did not wait
        slow.release.set()
        await until(pilot, lambda: leads.exact)
        assert [r.lead_id for _, r in leads.loaded_rows()] == expected
        assert leads.selected is not None and leads.selected.lead_id == expected[0]
