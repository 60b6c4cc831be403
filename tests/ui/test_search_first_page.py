"""A new search's (or filter's) first page is waited for on the UI loop for a moment, so its rows
go out in the next frame and the query runs without a frame being painted against it (a page that
takes longer arrives later, as before); the search line closes in the frame after the rows."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import sms_tui.ui.screens.inbox as inbox_screen
from sms_tui.ui.widgets import lead_list
from sms_tui.ui.widgets.search_bar import SearchBar
from tests.ui.harness import Clock, inbox, seeded_app, settle, until


async def test_a_filters_first_page_is_in_the_list_when_the_key_handler_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_screen, "FIRST_PAGE_WAIT", 30.0)  # a loaded machine: no race
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        screen.action_filter(1)  # "2": Unread (Ada, then Bob); no await: the loop has not run since
        assert screen.leads.total == 2
        first = screen.leads.row_at(0)
        assert first is not None and first.lead_id == "lead_ada"
        await until(pilot, lambda: screen.conversation.lead_id == "lead_ada")


async def test_a_first_page_that_is_not_in_within_the_wait_arrives_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        release = threading.Event()
        page = app.store.lead_page

        def slow_page(**kwargs: Any) -> Any:
            release.wait(10)
            return page(**kwargs)

        monkeypatch.setattr(app.store, "lead_page", slow_page)
        screen.leads.set_query("is:unread", wait=0.01)
        assert screen.leads.total == 6  # not in yet: the old list stays until it is
        release.set()
        await until(pilot, lambda: screen.leads.total == 2)
        first = screen.leads.row_at(0)
        assert first is not None and first.lead_id == "lead_ada"


async def test_the_search_line_closes_in_the_frame_after_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rows paint in a frame without a layout; closing the line (a layout) comes after it.
    monkeypatch.setattr(inbox_screen, "FIRST_PAGE_WAIT", 30.0)
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await pilot.press("slash", *"is:unread")
        bar = screen.query_one(SearchBar)
        assert bar.is_open
        screen._search(SearchBar.Submitted("is:unread"))  # what Enter posts to the screen
        assert screen.leads.total == 2 and bar.is_open  # the rows are in; the line still open
        await until(pilot, lambda: not bar.is_open)
        assert screen.leads.has_focus


async def test_moving_the_focus_repaints_what_it_changes_not_the_whole_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Enter in the search line moves the focus to the list: the search's rows then go out in a
    # frame of the widgets that changed, not in a whole-screen repaint.
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.leads.total == 6)
        await pilot.press("slash", *"ada")
        await settle(pilot)
        field = screen.query_one(SearchBar).query_one("#search-input")
        assert screen.focused is field
        asked: list[dict[str, Any]] = []
        refresh = screen.refresh

        def spy(*regions: Any, **kwargs: Any) -> Any:
            asked.append(kwargs)
            return refresh(*regions, **kwargs)

        monkeypatch.setattr(screen, "refresh", spy)
        screen.set_focus(screen.leads)
        assert screen.focused is screen.leads
        assert [k for k in asked if k.get("repaint", True)] == []
        await settle(pilot)
        assert screen.leads.has_focus


async def _ready(app: Any, pilot: Any) -> Any:
    """The inbox once its six seeded leads are listed and the loop is quiet."""
    screen = inbox(app)
    await until(pilot, lambda: screen.leads.total == 6)
    await settle(pilot)
    return screen


def _reads(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The query of each lead page the store reads from now on."""
    reads: list[str | None] = []
    page = app.store.lead_page

    def spy(**kwargs: Any) -> Any:
        reads.append(kwargs.get("query"))
        return page(**kwargs)

    monkeypatch.setattr(app.store, "lead_page", spy)
    return reads


async def _typed(pilot: Any, screen: Any, query: str) -> None:
    """Open the search line, type `query` and wait until its first rows are read ahead."""
    await pilot.press("slash", *query)
    leads = screen.leads
    await until(pilot, lambda: leads.loader.prefetched is not None and leads.loader.prefetched.query == query)
    prefetched = leads.loader.prefetched
    await until(pilot, prefetched.done.is_set)


async def test_a_typed_query_is_read_while_the_rep_pauses_and_enter_uses_that_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_screen, "FIRST_PAGE_WAIT", 30.0)
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        await _typed(pilot, screen, "is:unread")
        reads = _reads(app, monkeypatch)
        screen._search(SearchBar.Submitted("is:unread"))  # what Enter posts to the screen
        assert screen.leads.total == 2 and reads == []  # the rows are in, read before Enter
        first = screen.leads.row_at(0)
        assert first is not None and first.lead_id == "lead_ada"


async def test_a_read_ahead_that_is_old_or_predates_a_change_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_screen, "FIRST_PAGE_WAIT", 30.0)
    clock = Clock()
    app = seeded_app(tmp_path, clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        reads = _reads(app, monkeypatch)
        await _typed(pilot, screen, "is:unread")
        clock.at += timedelta(seconds=3)  # past PREFETCH_FRESH
        reads.clear()
        screen._search(SearchBar.Submitted("is:unread"))
        assert screen.leads.total == 2 and reads[:1] == ["is:unread"]  # read again at Enter
        await until(pilot, lambda: not screen.query_one(SearchBar).is_open)
        await settle(pilot)
        screen.leads.prefetch("")  # All, read ahead
        prefetched = screen.leads.loader.prefetched
        assert prefetched is not None
        await until(pilot, prefetched.done.is_set)
        screen.leads.reload()  # the cache changed (a sync, a triage key)
        await settle(pilot)
        reads.clear()
        screen._search(SearchBar.Submitted(""))
        assert screen.leads.total == 6 and reads[:1] == [None]  # read again at Enter


async def test_a_one_letter_query_is_not_read_ahead(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        screen._search_settled(SearchBar.Settled("a"))
        assert screen.leads.loader.prefetched is None
        screen._search_settled(SearchBar.Settled("ad"))
        assert screen.leads.loader.prefetched is not None and screen.leads.loader.prefetched.query == "ad"


async def test_what_a_new_list_starts_after_its_rows_waits_for_them_to_be_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first conversation (like the count and the rest of a first page, for a longer list)
    # starts AFTER_PAINT after the rows' frame: the loop sleeps meanwhile, so Textual's writer
    # thread sends that frame first.
    monkeypatch.setattr(inbox_screen, "FIRST_PAGE_WAIT", 30.0)
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _ready(app, pilot)
        held: list[tuple[float, Any]] = []
        monkeypatch.setattr(screen.leads, "set_timer", lambda delay, callback: held.append((delay, callback)))
        before = screen.conversation.lead_id
        screen.action_filter(2)  # "3": Failed, its rows in at once, another first row
        top = screen.leads.row_at(0)
        assert top is not None and top.lead_id != before
        await settle(pilot)  # painted
        assert held and all(delay == lead_list.AFTER_PAINT for delay, _ in held)
        assert screen.conversation.lead_id == before  # its first row: not asked for yet
        for _, callback in held:
            callback()
        await until(pilot, lambda: screen.conversation.lead_id == top.lead_id)
