"""The lead list's store reads, run in its thread workers (no Textual here).

Pages come by keyset from a known page (`walk`), or — far from any known page, once the count is
in — in one query from the nearer end of the list (`far`: an offset, or the index walked
backwards, so End costs what the first page does). `count` counts on the store's counting
connection: up to `COUNT_CAP` first (the list says "1,000+"), then exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Generic, TypeVar, cast

from sms_tui.core.models import LeadRow
from sms_tui.store import Store

T = TypeVar("T")

PAGE = 100
#: Counted exactly up to here at once; past it the list says "1,000+" until the exact count is in.
COUNT_CAP = 1000


@dataclass(frozen=True, slots=True)
class Fetched:
    """Pages fetched by a worker for generation `generation`, starting at page `first`."""

    generation: int
    first: int
    pages: list[list[LeadRow]]
    cursors: list[Any]  # cursors[i] = the `after` cursor of page first+i+1 (None: the end)
    reset: bool  # a (re)load from the top: replaces every page


def walk(
    store: Store, query: str, now: datetime, tz: tzinfo | None, first: int, after: Any, last: int
) -> tuple[list[list[LeadRow]], list[Any]]:
    """Pages first..last by keyset from the page that `after` starts (stops at the end)."""
    pages: list[list[LeadRow]] = []
    cursors: list[Any] = []
    cursor = after
    for _ in range(first, last + 1):
        page = store.lead_page(query=query or None, after=cursor, limit=PAGE, now=now, tz=tz)
        pages.append(list(page.rows))
        cursors.append(page.next_cursor)
        cursor = page.next_cursor
        if cursor is None:
            break
    return pages, cursors


def head(
    store: Store, query: str, now: datetime, tz: tzinfo | None, rows: int
) -> tuple[list[list[LeadRow]], list[Any]]:
    """The first `rows` rows of the list as page 0 (a head: `PageBook.put`), in walk's shape."""
    page = store.lead_page(query=query or None, limit=rows, now=now, tz=tz)
    return [list(page.rows)], [page.next_cursor]


class ThreadRead(Generic[T]):
    """`read()` run in a plain thread as soon as this is made (a Textual worker would only start
    once the UI loop runs again), so the loop can wait a few ms for it (`done`) and paint its rows
    in the same frame; `outcome` is its answer or what it raised, once `done` is set."""

    def __init__(self, read: Callable[[], T], *, name: str) -> None:
        self.done = threading.Event()
        self._outcome: T | Exception | None = None
        threading.Thread(target=self._run, args=(read,), name=name, daemon=True).start()

    def _run(self, read: Callable[[], T]) -> None:
        try:
            self._outcome = read()
        except Exception as error:
            self._outcome = error
        self.done.set()

    @property
    def outcome(self) -> T | Exception:
        if not self.done.is_set():
            raise RuntimeError("ThreadRead.outcome before done")
        return cast("T | Exception", self._outcome)


class HeadRead(ThreadRead[tuple[list[list[LeadRow]], list[Any]]]):
    """A query's first `rows` rows (`head`), read at once in a plain thread."""

    def __init__(self, store: Store, query: str, now: datetime, tz: tzinfo | None, rows: int) -> None:
        self.query = query
        self.started = now
        super().__init__(lambda: head(store, query, now, tz, rows), name="first-lead-page")

    def fetched(self, generation: int) -> Fetched | Exception:
        """What was read, as a reset of the list for `generation` (only once `done` is set)."""
        result = self.outcome
        if isinstance(result, Exception):
            return result
        pages, cursors = result
        return Fetched(generation, 0, pages, cursors, True)


def first_page(store: Store, now: datetime, tz: tzinfo | None) -> HeadRead:
    """The inbox's first page (the whole list, PAGE rows: what the list's own first load reads),
    read at once in a plain thread. The `sms-tui` command starts it as soon as the cache is open,
    so it runs beside the imports and the app's start, and the first frame shows its rows
    (`LeadList(first=...)`)."""
    return HeadRead(store, "", now, tz, PAGE)


def far(
    store: Store, query: str, now: datetime, tz: tzinfo | None, page_no: int, total: int
) -> tuple[list[LeadRow], Any]:
    """Page `page_no` of a list of `total` rows in one query, from the nearer end."""
    start, end = page_no * PAGE, min((page_no + 1) * PAGE, total)
    from_end = total - end < start
    page = store.lead_page(
        query=query or None,
        limit=max(1, end - start),
        offset=total - end if from_end else start,
        from_end=from_end,
        now=now,
        tz=tz,
    )
    return list(page.rows), page.next_cursor


def count(
    store: Store, query: str, now: datetime, tz: tzinfo | None, report: Callable[[int, bool], None]
) -> None:
    """Report (n, exact): at once if there are at most COUNT_CAP, else (COUNT_CAP, False) first.
    Raises sqlite3.OperationalError when `store.interrupt_counts()` stopped it."""
    n = store.count_leads(query or None, now=now, tz=tz, cap=COUNT_CAP + 1)
    if n > COUNT_CAP:
        report(COUNT_CAP, False)
        n = store.count_leads(query or None, now=now, tz=tz)
    report(n, True)


class PageBook:
    """The loaded pages of the list, the keyset cursor that starts each known page, the last
    page (once seen) and the pages being fetched. Plain data: the widget decides when to fetch."""

    def __init__(self) -> None:
        self.pages: dict[int, list[LeadRow]] = {}
        self.starts: dict[int, Any] = {0: None}  # page -> `after` cursor that starts it
        self.end_page: int | None = None
        self.inflight: set[int] = set()
        self.partial: set[int] = set()  # pages holding only their first rows (a head)

    def clear(self) -> None:
        self.pages.clear()
        self.starts = {0: None}
        self.end_page = None
        self.inflight.clear()
        self.partial.clear()

    def row_at(self, index: int) -> LeadRow | None:
        page = self.pages.get(index // PAGE)
        if page is None or index % PAGE >= len(page):
            return None
        return page[index % PAGE]

    def loaded_rows(self) -> list[tuple[int, LeadRow]]:
        out: list[tuple[int, LeadRow]] = []
        for page_no, rows in self.pages.items():
            out.extend((page_no * PAGE + i, row) for i, row in enumerate(rows))
        return sorted(out, key=lambda pair: pair[0])

    def replace_rows(self, rows: list[LeadRow]) -> list[str]:
        """Replace loaded rows in place (no reordering); return the ids that were not loaded."""
        by_id = {row.lead_id: row for row in rows}
        for page in self.pages.values():
            for i, row in enumerate(page):
                fresh = by_id.pop(row.lead_id, None)
                if fresh is not None:
                    page[i] = fresh
        return list(by_id)

    def plan(self, index: int, *, far_ok: bool) -> tuple[int, Any] | None:
        """How to fetch the page holding `index`: (first page to walk from, its cursor), or
        (page, FAR) for one far query; None when it is loaded, coming, or past the end."""
        page_no = index // PAGE
        if (page_no in self.pages and page_no not in self.partial) or page_no in self.inflight:
            return None
        if self.end_page is not None and page_no > self.end_page:
            return None
        known = max(p for p in self.starts if p <= page_no)
        if page_no - known <= NEAR_PAGES or not far_ok:
            self.inflight.update(range(known, page_no + 1))
            return known, self.starts[known]
        self.inflight.add(page_no)
        return page_no, FAR

    def put(self, page_no: int, rows: list[LeadRow], next_cursor: Any) -> None:
        """Keep a page; one with fewer than PAGE rows and more after it is a head (`head`): its
        cursor starts no page, and `plan` fetches the whole page when a row past it is needed."""
        self.pages[page_no] = rows
        if next_cursor is None:
            self.end_page = page_no
            self.partial.discard(page_no)
        elif len(rows) < PAGE:
            self.partial.add(page_no)
        else:
            self.partial.discard(page_no)
            self.starts[page_no + 1] = next_cursor

    def evict(self, *near: int) -> None:
        """Keep at most MAX_PAGES pages: drop the ones farthest from the pages `near`."""
        if len(self.pages) <= MAX_PAGES:
            return

        def distance(page_no: int) -> int:
            return min(abs(page_no - n) for n in near)

        for page_no in sorted(self.pages, key=distance, reverse=True)[: len(self.pages) - MAX_PAGES]:
            del self.pages[page_no]
            self.partial.discard(page_no)


#: `PageBook.plan`'s marker for "fetch this page alone, in one query from the nearer end".
FAR = object()
#: Pages kept in memory (each PAGE rows); the rest are fetched again when scrolled to.
MAX_PAGES = 64
#: A page at most this many pages past a known one is walked to by keyset; farther, one query.
NEAR_PAGES = 2
