"""The lead list's paging: what it asks its loader for, and what it does with the answers.

`ListPaging` is a mixin of `LeadList` (`lead_list.py`). The list draws rows, moves the cursor and
tells the screen which lead is highlighted; this part decides which pages to read (a new query from
the top, a live reload down to the cursor, the page a row needs: by keyset from a near page, or in
one query from the far end) and, on the UI loop, takes each answer of `LeadLoader`
(`lead_loader.py`) into the list's `PageBook`: the total (a lower bound until the count is in),
the generation a newer query or reload voids, and where the cursor lands after a reload (on the
same lead, at the same screen row) or a new query (its first row, announced once painted).

It is separate because it is the list's one stateful protocol with its reads (generations, resets,
counts, End waiting for a count) and changes for other reasons than the rows' look or the keys.
Its state lives on the list (`LeadList.__init__`); it adds no work to a key or a painted line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sms_tui.core.models import LeadRow
from sms_tui.ui.widgets.lead_loader import LeadLoader
from sms_tui.ui.widgets.lead_pages import FAR, PAGE, Fetched, PageBook

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Widget
else:
    _Widget = object

#: A live reload walks at most this many pages from the top to find the selected lead again.
RELOAD_PAGES = 20
#: A new query's first read is a screenful of rows and this many more (the walk to a page of
#: PAGE rows cost twice as much: `pricing` 15 -> 8 ms at 100k leads, 26 -> 14 ms at 1M).
HEAD_MARGIN = 4


class ListPaging(_Widget):
    """The lead list's reads and their answers (mixed into `LeadList`)."""

    # The paging's state, set (and described) in `LeadList.__init__`.
    loader: LeadLoader
    query_text: str
    _generation: int
    _book: PageBook
    _from_top: bool
    _loaded_once: bool
    exact: bool
    _want_end: bool

    if TYPE_CHECKING:  # what the paging uses of the list (`lead_list.py`)
        cursor: int
        total: int
        _selected_id: str | None
        _paint_first: bool
        _painted: bool

        @property
        def row_height(self) -> int: ...
        def row_at(self, index: int) -> LeadRow | None: ...
        def loaded_rows(self) -> list[tuple[int, LeadRow]]: ...
        def action_last(self) -> None: ...
        def _update_virtual_size(self) -> None: ...
        def _scroll_cursor_into_view(self) -> None: ...
        def _announce(self, row: LeadRow | None) -> None: ...
        def _after_paint(self, callback: Callable[..., object], *args: Any) -> None: ...
        def _tell(self, row: LeadRow | None) -> None: ...
        def _post_loaded(self, total: int, exact: bool = True) -> None: ...

    def set_query(self, query: str, *, wait: float = 0.0) -> None:
        """Show another query from the top (a filter or a search).

        With `wait` (seconds), the first page is read in a thread while the UI loop waits for it
        (up to `wait`): the rows then go out in the next frame, and the query runs alone instead
        of against that frame's painting (on 2 cores, a page read while the UI loop paints took
        3-10x its in-process time: each row the store steps out of SQLite waits for the painting
        thread to hand back the GIL). Later, it arrives as usual.
        """
        self.query_text = query
        self._selected_id = None
        self._from_top = True
        if wait <= 0:
            self.reload(keep_position=False)
            return
        self._generation += 1
        self.loader.first(self._generation, query, self._head_rows(), wait)

    def reload(self, *, keep_position: bool = True, changed: set[str] | None = None) -> None:
        """Fetch the list again; with `keep_position` the selected lead keeps its screen row.

        Deep in a long list (past RELOAD_PAGES pages) a re-sort could not find the selected lead
        again cheaply, so there only the `changed` rows are refreshed in place, order kept.
        """
        self.loader.drop_prefetch()  # read before this change
        if keep_position and changed is not None and self.cursor // PAGE >= RELOAD_PAGES:
            self.loader.rows(list(changed), self.update_rows)
            return
        self._generation += 1
        upto = min(self.cursor // PAGE + 1, RELOAD_PAGES) if keep_position else 0
        self.loader.walk(self._generation, self.query_text, 0, None, upto, reset=True)

    def update_rows(self, rows: list[LeadRow]) -> list[str]:
        """Replace loaded rows in place (no reordering); return the ids that were not loaded."""
        self.loader.drop_prefetch()  # read before this change
        missing = self._book.replace_rows(rows)
        self.refresh()
        return missing

    def _need(self, index: int, *, wait: float = 0.0) -> None:
        """Ask for the page holding `index`: by keyset from a near known page, else in one query
        from the nearer end of the list (an offset, or the index walked backwards; with `wait`,
        the UI loop waits up to that long for it)."""
        plan = self._book.plan(index, far_ok=self.exact)
        if plan is None:
            return
        first, after = plan
        if after is FAR:
            self.loader.far(self._generation, self.query_text, first, self.total, wait=wait)
        else:
            self.loader.walk(self._generation, self.query_text, first, after, index // PAGE)

    def prefetch(self, query: str) -> None:
        """Start reading `query`'s first rows for a `set_query(query)` that may follow (the search
        line asks when the rep stops typing: `LeadLoader.prefetch`)."""
        self.loader.prefetch(query, self._head_rows())

    def _head_rows(self) -> int:
        return min(PAGE, self.size.height // max(1, self.row_height) + HEAD_MARGIN)

    def _counted(self, generation: int, n: int, exact: bool) -> None:
        if generation != self._generation:
            return
        if exact:
            if self.exact and n != self.total and self._book.pages.keys() - {0}:
                # The count kept over a reload was stale: rows read by it (End) may sit one index off.
                self.total = n
                self.reload(keep_position=True)
                return
            self.total, self.exact = n, True
        elif not self.exact:
            self.total = max(self.total, n)
        self._update_virtual_size()
        self._post_loaded(n, exact)
        if exact and self._want_end:
            self._want_end = False
            self.action_last()
        self.refresh()

    def _fetch_failed(self, generation: int, first: int, last: int) -> None:
        self._book.inflight.difference_update(range(first, last + 1))

    def _apply(self, loaded: Fetched) -> None:
        if loaded.generation != self._generation:
            return  # a newer query or reload superseded this one
        first = loaded.first
        self._book.inflight.difference_update(range(first, first + len(loaded.pages) + 1))
        kept = False
        if loaded.reset:
            # A (re)load: swap everything in at once.
            old_index, old_id = self.cursor, self._selected_id
            # The same list again (a live reload): its exact count stands until the new one is in,
            # so End goes to the last row at once rather than wait for a count (0.2-0.5 s at 1M).
            kept = self.exact and not self._from_top
            self._book.clear()
            self.exact = kept
            if self._from_top:
                self._want_end = False  # a new query: an End waiting for the old one's count is void
        shown = int(self.scroll_offset.y) // max(1, self.row_height) // PAGE  # the scrollbar may be elsewhere
        for offset, rows in enumerate(loaded.pages):
            page_no = first + offset
            next_cursor = loaded.cursors[offset]
            self._book.put(page_no, rows, next_cursor)
            self._book.evict(self.cursor // PAGE, shown)
            if next_cursor is None:
                end = page_no * PAGE + len(rows)
                if not self.exact or (kept and self.total != end):  # the end is in sight: the count
                    self.total, self.exact, kept = end, True, False
                    self._post_loaded(self.total)
            else:
                if not self.exact:  # at least one more row: let the cursor reach it
                    self.total = max(self.total if not loaded.reset else 0, (page_no + 1) * PAGE + 1)
        self._update_virtual_size()
        if loaded.reset:
            if not self.exact or (kept and self._book.end_page is None):
                # The old count stops now; the new one starts once these rows are painted.
                self.loader.store.interrupt_counts()
                self._after_paint(self.loader.count, self._generation, self.query_text)
            if self._from_top:
                self._to_top()
            else:
                self._reanchor(old_index, old_id)
            self._loaded_once = True
            if 0 in self._book.partial:  # a head: the rest of page 0 once these rows are painted
                self._after_paint(self._need, len(loaded.pages[0]))
        elif self.row_at(self.cursor) is not None and self._selected_id is None:
            self._announce(self.row_at(self.cursor))
        if self._want_end and self.exact:  # End waited for the count, and these rows reached the end
            self._want_end = False
            self.action_last()
        self.refresh()

    def _to_top(self) -> None:
        """A new query starts at its first row (not at the old query's row number); its rows are
        painted before the first row's conversation is asked for."""
        self._from_top = False
        self.scroll_to(y=0, animate=False, immediate=True)
        self._paint_first = True
        self._painted = False
        try:
            if self.cursor != 0:
                self.cursor = 0  # watcher announces the row
            else:
                self._announce(self.row_at(0))
        finally:
            self._paint_first = False

    def _reanchor(self, old_index: int, old_id: str | None) -> None:
        """After a reload, put the cursor back on the lead it was on, at the same screen row."""
        new_index = None
        if old_id is not None:
            for index, loaded_row in self.loaded_rows():
                if loaded_row.lead_id == old_id:
                    new_index = index
                    break
        if new_index is None:
            new_index = max(0, min(old_index, self.total - 1))
        delta = (new_index - old_index) * self.row_height
        if delta:
            self.scroll_to(y=self.scroll_offset.y + delta, animate=False, immediate=True)
        if new_index != self.cursor:
            self.cursor = new_index  # watcher announces the row
        else:
            self._scroll_cursor_into_view()
            row = self.row_at(new_index)
            if row is None or row.lead_id != self._selected_id:
                self._announce(row)
            elif row is not None:
                # Same lead: tell the screen its row data may have changed (badges).
                self._tell(row)
