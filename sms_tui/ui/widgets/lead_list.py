"""The lead list: a virtual list over the store (STYLE.md §2.6, §3.2).

A `ScrollView` whose `render_line` draws only the visible rows from pages of `LeadRow`s that
thread workers fetch by keyset (`Store.lead_page`). Nothing here queries SQLite: every read runs
in a thread of its `LeadLoader` (`lead_loader.py`), which hands the answers back to `_apply`,
`_counted` and `_fetch_failed` on the UI loop. A row that is not loaded yet draws as a
placeholder and asks for its page. What to read and what an answer means (`set_query`, `reload`,
`_need`, `_apply`) is the list's paging (`lead_list_paging.py`, a mixin).

Live updates keep the cursor on the same lead: a reload fetches the pages down to the cursor in
a worker, then swaps them in at once and scrolls by as many rows as the selected lead moved, so
the highlighted row stays where the rep's eyes are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import partial
from typing import Any, NamedTuple

from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sms_tui.core.models import LeadRow
from sms_tui.store import Store
from sms_tui.ui.messages import LeadHighlighted
from sms_tui.ui.styled_lines import style_by_content
from sms_tui.ui.widgets.lead_list_paging import ListPaging
from sms_tui.ui.widgets.lead_loader import LeadLoader
from sms_tui.ui.widgets.lead_pages import HeadRead, PageBook
from sms_tui.ui.widgets.lead_row import LEAD_LIST_CSS, ROW_CLASSES, drawn_from, row_strip
from sms_tui.ui.widgets.scroll_size import set_virtual_size

#: How long (s) a new query's first page is waited for on the UI loop before anything is painted.
FIRST_PAGE_WAIT = 0.06
#: How long (s) End (a far jump) waits on the UI loop for its page (2-7 ms at 1M leads) so that the
#: rows paint in the key's frame.
FAR_WAIT = 0.05
#: What a new list starts once its rows are painted (its count, the rest of its first page, its
#: first conversation) waits this much more (s): the loop then sleeps, so Textual's writer thread
#: takes the GIL and sends the rows' frame (traced at 1M leads: the bytes left 5-14 ms after the
#: frame, behind that work and the threads it started).
AFTER_PAINT = 0.003


class _Paint(NamedTuple):
    scroll_y: int
    row_height: int
    width: int
    now: datetime
    focus: bool
    theme: str


class LeadList(ListPaging, ScrollView, can_focus=True):
    """Leads of the current query, newest activity first."""

    BINDING_GROUP_TITLE = "Lead list"
    BINDINGS = [
        Binding("j,down", "cursor_down", "Next lead", show=False, id="lead.down"),
        Binding("k,up", "cursor_up", "Previous lead", show=False, id="lead.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="lead.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="lead.page_up"),
        Binding("home,g", "first", "First lead", show=False, id="lead.first"),
        Binding("end,G", "last", "Last lead", show=False, id="lead.last"),
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            show=False,
            id="lead.mark",
            tooltip="Mark the lead for a bulk text.",
        ),
        Binding(
            "asterisk",
            "mark_all",
            "Mark all",
            show=False,
            id="lead.mark_all",
            tooltip="Mark every lead of the current search or filter (again: unmark them).",
        ),
    ]

    COMPONENT_CLASSES = ROW_CLASSES
    DEFAULT_CSS = LEAD_LIST_CSS

    cursor: reactive[int] = reactive(0, init=False)
    total: reactive[int] = reactive(0, init=False)

    class Loaded(Message):
        """The list's total is known: exactly, or (`exact` False) at least `total` so far."""

        def __init__(self, total: int, exact: bool = True) -> None:
            super().__init__()
            self.total = total
            self.exact = exact

    class MarksChanged(Message):
        """The set of leads marked for a bulk text changed (`count` marked now)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class LoadFailed(Message):
        """The store refused the query (e.g. a syntax error the search bar did not catch)."""

        def __init__(self, query: str, error: Exception) -> None:
            super().__init__()
            self.query = query
            self.error = error

    def __init__(
        self,
        store: Store,
        now: Callable[[], datetime],
        *,
        tz: tzinfo | None = None,
        query: str = "",
        first: HeadRead | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        style_by_content(self)  # its rows are cached strips (ui/styled_lines.py)
        self._now = now
        #: Every read of the list runs in a thread; answers come back to `_apply` & co.
        self.loader = LeadLoader(
            self,
            store,
            now,
            tz,
            on_pages=self._apply,
            on_failed=self._fetch_failed,
            on_count=self._counted,
            on_error=self._load_failed,
        )
        self.query_text = query
        self._generation = 0
        self._book = PageBook()
        #: Set by `set_query`: the next load shows the new list from its first row.
        self._from_top = False
        self._strips: LRUCache[tuple[Any, ...], Strip] = LRUCache(512)
        self._selected_id: str | None = None
        self._loaded_once = False
        #: `total` is the exact count (else a lower bound the list grows as pages arrive).
        self.exact = False
        self._want_end = False  # End was pressed before the count was known
        #: Leads marked for a bulk text, by id, in the order marked (kept across searches and reloads).
        self.marked: dict[str, None] = {}
        self._paint_first = False  # announce the selected row after the next paint
        self._painted = True  # a line was drawn since the list last went to its top
        self._list_style: Style | None = None  # `rich_style`, looked up once per paint
        self._paint: _Paint | None = None  # during a paint
        self._first = first  # the first page, read before the app ran (`lead_pages.first_page`)

    # -- public API -------------------------------------------------------------------------

    @property
    def row_height(self) -> int:
        """Two lines (name / preview) when there is room, one line when the list is narrow."""
        return _row_height(self.size.width)

    @property
    def selected(self) -> LeadRow | None:
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> LeadRow | None:
        return self._book.row_at(index)

    def loaded_rows(self) -> list[tuple[int, LeadRow]]:
        """Every loaded row with its index (for `n` next unread and tests)."""
        return self._book.loaded_rows()

    def move_to(self, index: int) -> None:
        if self.total <= 0:
            return
        self.cursor = max(0, min(index, self.total - 1))

    # -- actions ----------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height // self.row_height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height // self.row_height - 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if self.exact:
            self.move_to(self.total - 1)  # the last page comes in one query (from the end)
        else:
            self._want_end = True  # as soon as the count is in

    def action_toggle_mark(self) -> None:
        """Mark or unmark the lead under the cursor, then move down (space, space, space…)."""
        row = self.selected
        if row is None:
            return
        if row.lead_id in self.marked:
            del self.marked[row.lead_id]
        else:
            self.marked[row.lead_id] = None
        self._marks_changed()
        self.move_to(self.cursor + 1)

    def action_mark_all(self) -> None:
        """Mark every lead of the current search (by the store's query, in a thread)."""
        self.loader.ids(self.query_text, self.mark_many)

    def mark_many(self, lead_ids: list[str]) -> None:
        """Mark these leads; when every one of them is marked already, unmark them instead."""
        if all(i in self.marked for i in lead_ids):
            for lead_id in lead_ids:
                self.marked.pop(lead_id, None)
        else:
            self.marked.update(dict.fromkeys(lead_ids))
        self._marks_changed()

    def clear_marks(self) -> None:
        self.marked.clear()
        self._marks_changed()

    def _marks_changed(self) -> None:
        self._strips.clear()
        self.refresh()
        self.post_message(LeadList.MarksChanged(len(self.marked)))

    # -- reactive plumbing ------------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        # Strips are keyed by (row, cursor?, focus?): moving the cursor re-renders two rows, and
        # only those two are repainted unless the list scrolled (as a DataTable does).
        top = self.scroll_offset.y
        self._scroll_cursor_into_view()
        if self.scroll_offset.y == top:
            rh = self.row_height
            self.refresh_lines(old * rh, rh)
            self.refresh_lines(new * rh, rh)
        else:
            self.refresh()
        row = self.row_at(new)
        if row is None:
            self._need(new, wait=FAR_WAIT)  # End: its page may be in before the frame
            row = self.row_at(new)
        self._announce(row)

    def watch_total(self) -> None:
        self._update_virtual_size()

    def on_focus(self) -> None:
        self.refresh()  # the cursor row's colour depends on focus (strips are keyed by it)

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        # Strips are keyed by width (and row height follows width): a taller or shorter list (the
        # search line opening or closing) re-renders nothing it has drawn before.
        self._update_virtual_size()

    def on_mount(self) -> None:
        self._from_top = True  # the first rows paint before the first conversation is asked for
        first, self._first = self._first, None
        if first is None or first.query != self.query_text:
            self.reload(keep_position=False)
            return
        # Read since the command started: in by now (else waited for up to FIRST_PAGE_WAIT), its
        # rows go out in the first frame instead of racing it from a worker.
        self._generation += 1
        self.loader.first(self._generation, first.query, self._head_rows(), FIRST_PAGE_WAIT, read=first)

    def on_click(self, event: events.Click) -> None:
        index = (int(self.scroll_offset.y) + event.y) // self.row_height
        self.move_to(index)

    def _update_virtual_size(self) -> None:
        """A new height (without a layout of the screen when the scrollbar stays as it was)."""
        set_virtual_size(self, Size(self.size.width, self.total * self.row_height))

    def _scroll_cursor_into_view(self) -> None:
        rh = self.row_height
        top = self.cursor * rh
        height = max(self.size.height, rh)
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + rh > self.scroll_offset.y + height:
            # Scroll by whole rows so the top line is never half a lead (a preview without a name).
            y = -(-(top + rh - height) // rh) * rh
            self.scroll_to(y=y, animate=False, immediate=True)

    def _announce(self, row: LeadRow | None) -> None:
        new_id = row.lead_id if row else None
        if new_id != self._selected_id or row is None:
            self._selected_id = new_id
            if self._paint_first:
                self._after_paint(self._announce_later, row)
            else:
                self._tell(row)

    def _after_paint(self, callback: Callable[..., object], *args: Any) -> None:
        """Run `callback` once the next frame is painted and AFTER_PAINT has passed."""
        self.call_after_refresh(self.set_timer, AFTER_PAINT, partial(callback, *args))

    def _announce_later(self, row: LeadRow | None, tries: int = 0) -> None:
        """A new list's first row, announced once the rows are on screen (unless the rep moved).

        The refresh this waited for can be one already under way without the new rows; then wait
        for the next (a few at most: a list that is not drawn at all still announces)."""
        if not self._painted and tries < 3:
            self.call_after_refresh(self._announce_later, row, tries + 1)
        elif self._selected_id == (row.lead_id if row else None):
            self._tell(row)

    def _tell(self, row: LeadRow | None) -> None:
        """Post `LeadHighlighted` to the screen itself, not up through the containers: it is then
        handled before the screen's next paint, so the moved cursor and the conversation it shows
        go out in one frame (bubbling, the cursor would paint alone first)."""
        target = self.screen if self.is_attached else self
        target.post_message(LeadHighlighted(row))

    def _load_failed(self, query: str, error: Exception) -> None:
        self.post_message(LeadList.LoadFailed(query, error))

    def _post_loaded(self, total: int, exact: bool = True) -> None:
        self.post_message(LeadList.Loaded(total, exact))

    # -- rendering --------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of a paint reads the same (the widget's size and scroll offset walk up to
        # the screen, `rich_style` the ancestors for the background): once per paint, not per line
        # (a scrolling `j` draws ~33 lines; a search's rows frame 34: ~13 % of it, cProfile).
        self._list_style = None
        self._paint = self._paint_state()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None  # a line asked for outside a paint reads them afresh

    def _paint_state(self) -> _Paint:
        """What the lines of one paint read the same."""
        width = self.size.width
        scroll_y = int(self.scroll_offset.y)
        return _Paint(scroll_y, _row_height(width), width, self._now(), self.has_focus, self.app.theme)

    def _base_style(self) -> Style:
        if self._list_style is None:
            self._list_style = self.rich_style
        return self._list_style

    def render_line(self, y: int) -> Strip:
        self._painted = True
        scroll_y, rh, width, now, focus, theme = self._paint or self._paint_state()
        index, sub = divmod(scroll_y + y, rh)
        if index >= self.total:
            return Strip.blank(width, self._base_style())
        row = self.row_at(index)
        if row is None:
            self._need(index)
        marked = row is not None and row.lead_id in self.marked
        # Keyed by what the line shows, not by its place: rows that come back (a filter toggled,
        # a search made again, the rest of a first page read) are not drawn again (~80 us a line).
        drawn = drawn_from(row, sub, rh, now)
        key = (drawn, sub, width, rh, index == self.cursor, focus, marked, theme)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(row, sub, width, rh, index == self.cursor, marked, now)
            self._strips[key] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)

    def _render_row(
        self, row: LeadRow | None, sub: int, width: int, rh: int, is_cursor: bool, marked: bool, now: datetime
    ) -> Strip:
        base = self._base_style() + (self._style("lead-list--cursor") if is_cursor else Style())
        return row_strip(row, sub, width, rh, self._style, base, self.app.console, now, marked)


def _row_height(width: int) -> int:
    """Two lines (name / preview) when there is room, one line when the list is narrow."""
    return 2 if width >= 30 else 1
