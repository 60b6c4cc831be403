"""Choosing what the lead list shows: quick filters (number keys) and the `/` search line.

The search line validates as you type with the same parser the store compiles (`core.query`):
a syntax error shows the query with a caret under the position the parser stopped at, so the
rep sees where, not just that, it is wrong. Enter applies; Escape closes without changing.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Static

from sms_tui.ui.text import one_line, visible
from sms_tui.ui.widgets.lead_list import AFTER_PAINT


@dataclass(frozen=True, slots=True)
class QuickFilter:
    key: str
    label: str
    query: str
    short: str  # for a narrow list


QUICK_FILTERS: tuple[QuickFilter, ...] = (
    QuickFilter("1", "All", "", "All"),
    QuickFilter("2", "Unread", "is:unread", "Unrd"),
    QuickFilter("3", "Failed", "has:error", "Fail"),
    QuickFilter("4", "Scheduled", "has:scheduled", "Sch"),
    QuickFilter("5", "Opted out", "is:opted_out", "Opt"),
)


def syntax_error(query: str) -> tuple[int, str] | None:
    """(position, message) when `core.query` rejects `query`, else None."""
    try:
        query_language: Any = importlib.import_module("sms_tui.core.query")
    except ImportError:  # the language is not there: let the store judge
        return None
    try:
        query_language.parse(query)
    except query_language.QuerySyntaxError as error:
        position = int(getattr(error, "position", 0) or 0)
        expected = getattr(error, "expected", None)
        message = str(error) if not expected else f"expected {expected}"
        return position, message
    return None


def caret_text(query: str, position: int, message: str) -> Text:
    """The query and a caret under `position`, then the parser's message (all literal)."""
    shown = one_line(query)
    out = Text(shown, style="bold")
    out.append("\n" + " " * min(position, len(shown)) + "^ ", style="bold red")
    out.append(visible(message), style="red")
    return out


class FilterBar(Static):
    """One line: the quick filters with their keys, the active one highlighted."""

    DEFAULT_CSS = """
    FilterBar { height: 1; background: $panel; padding: 0 1; }
    """

    active: reactive[str] = reactive("")
    search: reactive[str] = reactive("")
    total: reactive[int | None] = reactive(None)
    #: `total` is a lower bound (a count still running): shown as "1,000+".
    at_least: reactive[bool] = reactive(False)
    #: The search the list shows failed (the search line says why): no count, never a stale one.
    failed: reactive[bool] = reactive(False)
    #: Leads marked for a bulk text (shown first, so it is never cut).
    marked: reactive[int] = reactive(0)

    def on_resize(self) -> None:
        self.refresh()  # the layout depends on the width

    def render(self) -> Text:
        marks = Text(f"✓{self.marked:,} marked ", style="bold green") if self.marked else Text()
        width = self.content_size.width - marks.cell_len
        more = "+" if self.at_least else ""
        total = Text(f" {self.total:,}{more}", style="dim") if self.total is not None else Text()
        if self.failed:
            total = Text(" invalid query", style="bold red")
        if self.search:
            out = Text("/ ", style="bold")
            out.append(one_line(self.search), style="bold reverse")
            out.append("  1 clears", style="dim")
        else:
            out = self._filters(short=False)
            if out.cell_len + total.cell_len > width:
                out = self._filters(short=True)
            if out.cell_len > width:
                out = self._filters(short=True, only_active=True)
        if out.cell_len + total.cell_len <= width:
            out.append_text(total)
        out = Text.assemble(marks, out)
        out.truncate(self.content_size.width, overflow="ellipsis")
        return out

    def _filters(self, *, short: bool, only_active: bool = False) -> Text:
        out = Text(no_wrap=True)
        for quick in QUICK_FILTERS:
            chosen = quick.query == self.active
            out.append(quick.key, style="bold cyan" if not chosen else "bold reverse")
            if chosen or not only_active:
                out.append(
                    f" {quick.short if short else quick.label}", style="bold reverse" if chosen else ""
                )
            out.append(" ")
        return out


#: Time (s) without a change in the search line after which its query is read ahead.
SETTLE_AFTER = 0.05


class SearchBar(Vertical):
    """The `/` line (hidden until asked for)."""

    DEFAULT_CSS = """
    SearchBar { height: auto; display: none; }
    SearchBar.-open { display: block; }
    SearchBar > Input, SearchBar > Input:focus { border: none; height: 1; padding: 0 1; background: $boost; }
    SearchBar > #search-error { height: auto; padding: 0 1; display: none; }
    SearchBar > #search-error.-shown { display: block; }
    """

    BINDINGS = [Binding("escape", "cancel", "Close search", show=False, id="search.cancel")]

    class Submitted(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Cancelled(Message):
        pass

    class Settled(Message):
        """The rep stopped typing (SETTLE_AFTER s without a change) and the query is valid: the
        screen reads its first rows ahead, so Enter finds them read."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    _opened = 0  # times opened: a close asked for before the latest opening does not apply
    _settle: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search: name, is:unread, …  (Enter applies, Esc closes)", id="search-input")
        yield Static(id="search-error")

    def open(self, query: str) -> None:
        self._opened += 1
        self.add_class("-open")
        field = self.query_one(Input)
        field.value = query
        field.cursor_position = len(query)
        field.focus()
        self._validate(query)

    def close(self) -> None:
        self.remove_class("-open")

    def close_after_refresh(self) -> None:
        """Close once the next frame is painted and sent (AFTER_PAINT later; unless opened again
        meanwhile, e.g. to show an error): a search's rows then paint without the layout that
        closing the line costs."""
        opened = self._opened

        def close() -> None:
            if self._opened == opened:
                self.close()

        self.call_after_refresh(self.set_timer, AFTER_PAINT, close)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def action_cancel(self) -> None:
        self.close()
        self.post_message(self.Cancelled())

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        if not self._validate(event.value):
            settled = self.Settled(event.value.strip())
            self._settle = self.set_timer(SETTLE_AFTER, lambda: self.screen.post_message(settled))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        if self._validate(event.value):
            return
        # To the screen itself (bubbling through the containers came a frame later), which closes
        # the line once the search's first rows are painted (`close_after_refresh`).
        self.screen.post_message(self.Submitted(event.value.strip()))

    def show_error(self, query: str, position: int, message: str) -> None:
        """Show an error the store found (e.g. an unknown field the parser accepted)."""
        error = self.query_one("#search-error", Static)
        error.update(caret_text(query, position, message))
        error.add_class("-shown")

    def _validate(self, query: str) -> bool:
        """Show or hide the caret line; True when the query has a syntax error."""
        error = self.query_one("#search-error", Static)
        found = syntax_error(query)
        if found is None:
            error.remove_class("-shown")
            return False
        self.show_error(query, *found)
        return True
