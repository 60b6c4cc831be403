"""The lead list's reads, off the UI loop (STYLE.md §2.3: every store call in a thread).

`LeadLoader` starts each read the list asks for — pages walked by keyset (`walk`), a far page in
one query (`far`), a new query's first rows (`first`, read ahead by `prefetch` while the rep
types), the count (`count`), the rows of given leads (`rows`) and every id of a query (`ids`) — in
a thread worker of the list, and hands each answer back to the list on the UI loop through the
callbacks it was made with. It knows nothing of the cursor, the scroll or the painting: the list
decides what to read and what an answer means (`lead_list.py`).

Two reads let the UI loop wait a few ms for them (`first`, `far` with `wait`): they run in a
plain thread that starts at once (`lead_pages.ThreadRead`), so rows that come in time paint in
the key's own frame; later ones are handed back by a worker when they come.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from textual.widget import Widget

from sms_tui.core.models import LeadRow
from sms_tui.store import Store
from sms_tui.ui.widgets import lead_pages
from sms_tui.ui.widgets.lead_pages import Fetched, HeadRead, ThreadRead
from sms_tui.ui.workers import in_thread

#: A prefetched first read (`prefetch`) serves a `first` of the same query within this time.
PREFETCH_FRESH = timedelta(seconds=2)

#: Called on the UI loop with pages read for the list.
OnPages = Callable[[Fetched], None]
#: Called on the UI loop when a read of pages first..last for a generation failed.
OnFailed = Callable[[int, int, int], None]
#: Called on the UI loop with a generation's count: (generation, n, exact).
OnCount = Callable[[int, int, bool], None]
#: Called (from any thread) with the query the store refused and what it raised.
OnError = Callable[[str, Exception], None]


class LeadLoader:
    """Reads for one lead list (`widget`) from `store`, answered through the callbacks."""

    def __init__(
        self,
        widget: Widget,
        store: Store,
        now: Callable[[], datetime],
        tz: tzinfo | None,
        *,
        on_pages: OnPages,
        on_failed: OnFailed,
        on_count: OnCount,
        on_error: OnError,
    ) -> None:
        self._widget = widget
        self.store = store
        self._now = now
        self._tz = tz
        self._on_pages = on_pages
        self._on_failed = on_failed
        self._on_count = on_count
        self._on_error = on_error
        #: A search's first rows, read while the rep typed (`prefetch`).
        self.prefetched: HeadRead | None = None

    def _back(self, callback: Callable[..., object], *args: Any) -> None:
        """Run `callback(*args)` on the UI loop (from a worker's thread)."""
        self._widget.app.call_from_thread(callback, *args)

    # -- pages ------------------------------------------------------------------------------

    def walk(
        self, generation: int, query: str, first: int, after: Any, last: int, *, reset: bool = False
    ) -> None:
        """Pages first..last by keyset from the page that `after` starts, as one `Fetched`."""

        def read() -> None:
            try:
                pages, cursors = lead_pages.walk(self.store, query, self._now(), self._tz, first, after, last)
            except Exception as error:
                self._on_error(query, error)
                self._back(self._on_failed, generation, first, last)
                return
            self._back(self._on_pages, Fetched(generation, first, pages, cursors, reset))

        in_thread(self._widget, read, group="lead-load", description="Load lead pages")

    def far(self, generation: int, query: str, page_no: int, total: int, *, wait: float = 0.0) -> None:
        """Page `page_no` of a list of `total` rows in one query (End). With `wait`, it is read in
        a plain thread while the UI loop waits up to `wait` seconds: in by then, its rows go out
        in the key's own frame (else placeholders paint first, and the rows a thread hop and a
        frame later); later, a worker hands it back when it comes."""
        store, now, tz = self.store, self._now(), self._tz

        def read_far() -> tuple[list[LeadRow], Any]:
            return lead_pages.far(store, query, now, tz, page_no, total)

        waited = ThreadRead(read_far, name="far-lead-page") if wait > 0 else None
        if waited is not None and waited.done.wait(wait):
            self._far_done(generation, query, page_no, waited.outcome)
            return

        def later() -> None:
            out: tuple[list[LeadRow], Any] | Exception
            if waited is None:
                try:
                    out = read_far()
                except Exception as error:
                    out = error
            else:
                waited.done.wait()
                out = waited.outcome
            self._back(self._far_done, generation, query, page_no, out)

        in_thread(self._widget, later, group="lead-load", description="Load a far lead page")

    def _far_done(
        self, generation: int, query: str, page_no: int, out: tuple[list[LeadRow], Any] | Exception
    ) -> None:
        if isinstance(out, Exception):
            self._on_error(query, out)
            self._on_failed(generation, page_no, page_no)
        else:
            self._on_pages(Fetched(generation, page_no, [out[0]], [out[1]], False))

    # -- a new query's first rows -----------------------------------------------------------

    def prefetch(self, query: str, rows: int) -> None:
        """Start reading `query`'s first `rows` rows for a `first` of it that may follow: the
        search line asks when the rep stops typing, so Enter finds them read (or being read).
        Used only within PREFETCH_FRESH of the read's start; `drop_prefetch` when the cache
        changed."""
        read = self.prefetched
        if read is None or read.query != query or self._now() - read.started > PREFETCH_FRESH:
            self.prefetched = HeadRead(self.store, query, self._now(), self._tz, rows)

    def drop_prefetch(self) -> None:
        self.prefetched = None

    def first(
        self, generation: int, query: str, rows: int, wait: float, *, read: HeadRead | None = None
    ) -> None:
        """A new query's first `rows` rows — `read` (started before the app ran), prefetched, or
        read now in a plain thread — handed back at once if they are in within `wait` seconds;
        else by a worker when they come."""
        if read is None:
            read, self.prefetched = self.prefetched, None
            if read is None or read.query != query or self._now() - read.started > PREFETCH_FRESH:
                read = HeadRead(self.store, query, self._now(), self._tz, rows)
        if read.done.wait(wait):
            self._head_done(query, read.fetched(generation))
            return

        def later() -> None:
            read.done.wait()
            self._back(self._head_done, query, read.fetched(generation))

        in_thread(self._widget, later, group="lead-load", description="Load lead pages")

    def _head_done(self, query: str, loaded: Fetched | Exception) -> None:
        if isinstance(loaded, Exception):
            self._on_error(query, loaded)
        else:
            self._on_pages(loaded)

    # -- counts and whole queries -----------------------------------------------------------

    def count(self, generation: int, query: str) -> None:
        """Count on the store's counting connection ("1,000+" first when there are more)."""

        def read() -> None:
            def report(n: int, exact: bool) -> None:
                self._back(self._on_count, generation, n, exact)

            try:
                lead_pages.count(self.store, query, self._now(), self._tz, report)
            except sqlite3.OperationalError:
                return  # interrupted by a newer count (or the cache is busy: the next reload counts)
            except Exception as error:
                self._on_error(query, error)

        in_thread(self._widget, read, group="lead-count", description="Count leads")

    def rows(self, lead_ids: list[str], then: Callable[[list[LeadRow]], object]) -> None:
        """The current rows of these leads, handed to `then` on the UI loop."""

        def read() -> None:
            self._back(then, self.store.lead_rows(lead_ids))

        in_thread(self._widget, read, group="lead-rows", description="Refresh lead rows")

    def ids(self, query: str, then: Callable[[list[str]], object]) -> None:
        """Every lead id of `query` (marking a whole search), handed to `then` on the UI loop."""

        def read() -> None:
            try:
                found = self.store.lead_ids(query or None, now=self._now(), tz=self._tz)
            except Exception as error:
                self._on_error(query, error)
                return
            self._back(then, found)

        in_thread(self._widget, read, group="lead-marks", description="Mark leads", exclusive=True)
