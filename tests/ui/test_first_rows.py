"""The inbox's first page, read by the command before the app runs (`lead_pages.first_page`), is in
the lead list when it mounts, so the first frame shows the rows; a read still running then is
applied when it ends, as the list's own first load would be.

The inbox is the app's first screen (`SmsApp.get_default_screen`): no blank screen is painted
before it. Textual makes the app ready before that screen has mounted what it composes; what is
told to the inbox meanwhile waits in its queue."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console, RenderableType
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from sms_tui.store import Store
from sms_tui.ui.app import SmsApp
from sms_tui.ui.messages import SyncStarted
from sms_tui.ui.screens.inbox_live import LiveUpdates
from sms_tui.ui.sync_worker import SyncRunner
from sms_tui.ui.widgets import lead_list, lead_pages
from sms_tui.ui.widgets.lead_list import LeadList
from tests.ui.harness import Clock, inbox, settle, until
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


def _text(renderable: RenderableType) -> str:
    """The characters a frame Textual hands its driver writes (cursor moves left out)."""
    console = Console(width=200, height=60, color_system=None, legacy_windows=False)
    return "".join(segment.text for segment in console.render(renderable) if not segment.control)


async def test_the_first_frame_painted_is_the_inbox_with_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, store, _ = _seeded(tmp_path)
    name = store.lead_page(now=clock.now(), tz=TZ, limit=1).rows[0].display_name
    first = lead_pages.first_page(store, clock.now(), TZ)
    assert first.done.wait(10)
    frames: list[tuple[Screen[Any], str]] = []
    display = SmsApp._display

    def spy(self: SmsApp, screen: Screen[Any], renderable: RenderableType | None) -> None:
        if renderable is not None:
            frames.append((screen, _text(renderable)))
        display(self, screen, renderable)

    monkeypatch.setattr(SmsApp, "_display", spy)
    app = SmsApp(store, now=clock.now, poll_seconds=999, rep_tz=TZ, first_rows=first)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: bool(frames))
        stack = app.screen_stack
    screen, painted = frames[0]
    assert screen is app.inbox
    assert name in painted
    assert stack == [app.inbox]  # no blank `_default` screen under it


async def test_the_sync_start_told_before_the_inbox_has_mounted_is_heard_with_its_widgets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a provider the app tells the inbox at once, in its Mount; the inbox, the app's first
    screen, may not have mounted what it composes then. The message waits in its queue until it has."""
    clock, store, expected = _seeded(tmp_path)
    told: list[bool] = []
    heard: list[list[str]] = []
    start, sync_started = SyncRunner.start, LiveUpdates.sync_started

    def started(self: SyncRunner) -> None:
        told.append(cast(SmsApp, self._app).inbox.is_mounted)
        start(self)

    def hears(self: LiveUpdates, message: SyncStarted) -> None:
        heard.append([row.lead_id for _, row in self.screen.leads.loaded_rows()])  # no NoMatches
        sync_started(self, message)

    monkeypatch.setattr(SyncRunner, "start", started)
    monkeypatch.setattr(LiveUpdates, "sync_started", hears)
    first = lead_pages.first_page(store, clock.now(), TZ)
    assert first.done.wait(10)
    app = SmsApp(store, now=clock.now, poll_seconds=999, rep_tz=TZ, first_rows=first)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: inbox(app).status.state == "no provider")
        assert told == [False]  # the case this test is about
        assert heard == [expected]


async def test_the_footer_offers_reply_done_and_snooze_once_the_first_lead_is_open(tmp_path: Path) -> None:
    """The footer is told when the first lead opens: the keys that act on a lead were dimmed while
    none was. (Before, it waited for some other change of bindings; with the inbox as the first
    screen none came in time, and under load the keys stayed dim.)"""
    clock, store, expected = _seeded(tmp_path)
    app = SmsApp(store, now=clock.now, poll_seconds=999, rep_tz=TZ)
    told: list[bool | None] = []
    async with app.run_test(size=(100, 30)) as pilot:
        screen = inbox(app)
        screen.bindings_updated_signal.subscribe(screen, lambda s: told.append(s.check_action("reply", ())))
        await until(pilot, lambda: screen.conversation.lead_id == expected[0])
        await settle(pilot)
        footer = {key.action: key for key in screen.query(FooterKey)}
        assert told and told[-1] is True  # the last word the footer had: reply is available
        assert not any(footer[a].has_class("-disabled") for a in ("reply", "done", "snooze"))
