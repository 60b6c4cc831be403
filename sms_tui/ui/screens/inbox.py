"""The main screen: lead list | conversation over composer, a status line on top.

One `InboxScreen` owns the keys (the table in `inbox_keys.py`; `check_action` and the actions in
`inbox_actions.py`, a mixin), the widgets and Textual's message handlers; what it does is
composed of plain objects it calls:
`Sending` (send with undo, retry behind the guard, schedule, cancel) and `Drafts` (unsaved
composer text), both in `ui/sending.py`, with no Textual and their own unit tests; and the glue
that runs them with workers, toasts and dialogs: `OutboxGlue` (`inbox_outbox.py`), `LiveUpdates`
(`inbox_live.py`: sync events, counts, the once-a-second tick), `TriageKeys` (`inbox_triage.py`)
and `ConversationLoader` (`inbox_loading.py`: the selected lead's conversation, coalesced).
Every store call runs in a thread worker that hands its result back with `call_from_thread`;
handlers on the UI loop only move data into widgets. The screen never talks to the network:
it writes to the store (outbox, drafts, flags) and asks the app to push or poll. It sees the app
only as `ui.services.AppServices`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive, reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from sms_tui.core.models import LeadRow, Message
from sms_tui.ui import panes
from sms_tui.ui.loaders import CONVERSATION_LIMIT
from sms_tui.ui.messages import LeadHighlighted, OutboxChanged, SyncProgress, SyncStarted, SyncUpdate
from sms_tui.ui.palette import InboxCommands
from sms_tui.ui.screens.inbox_actions import InboxActions
from sms_tui.ui.screens.inbox_bulk import BulkGlue
from sms_tui.ui.screens.inbox_keys import INBOX_BINDINGS
from sms_tui.ui.screens.inbox_live import LiveUpdates
from sms_tui.ui.screens.inbox_loading import ConversationLoader
from sms_tui.ui.screens.inbox_outbox import OutboxGlue
from sms_tui.ui.screens.inbox_triage import TriageKeys
from sms_tui.ui.sending import Drafts, Sending
from sms_tui.ui.services import AppServices, services
from sms_tui.ui.text import Safe, visible
from sms_tui.ui.triage import TriageUndo
from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.widgets.conversation import Conversation
from sms_tui.ui.widgets.lead_list import FIRST_PAGE_WAIT, LeadList
from sms_tui.ui.widgets.search_bar import FilterBar, SearchBar
from sms_tui.ui.widgets.status_bar import StatusBar
from sms_tui.ui.widgets.steady_footer import SteadyFooter

#: Shorter queries are not read ahead: one letter is the prefix of a large part of the cache
#: (`t` read for 26 ms at 100k leads and 288 ms at 1M), and a read ahead holds the store while
#: the rep types on, so the query they end with would wait for it.
PREFETCH_MIN = 2


class InboxScreen(InboxActions, Screen[None]):
    """Triage and reply, keyboard first."""

    COMMANDS = {InboxCommands}
    BINDING_GROUP_TITLE = "Inbox"
    BINDINGS = INBOX_BINDINGS

    #: Outbox messages waiting out the undo delay: local_id -> (lead_id, send_at).
    pending: reactive[dict[int, tuple[str, datetime]]] = reactive(dict, bindings=True, init=False)

    #: Moving the focus repaints what it changes (the widgets that gain and lose it refresh
    #: themselves, `:focus-within` styles are updated, the footer's keys follow the bindings),
    #: not the whole screen, as Textual's `Screen.focused` does: Enter in the search line moves the
    #: focus to the list, and the search's rows went out in a whole-screen frame (~10 KB written,
    #: every widget rendered) instead of the list's (~4 KB).
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    leads = getters.query_one("#leads", LeadList)
    conversation = getters.query_one("#conversation", Conversation)
    composer = getters.query_one("#composer", Composer)
    status = getters.query_one(StatusBar)

    def __init__(self) -> None:
        super().__init__()
        self.sending = Sending(lambda: services(self.app))
        self.drafts = Drafts()
        #: The composed parts: outbox glue (send, undo, retry, schedule, templates, recipient,
        #: drafts), live updates (sync, counts, the tick) and the triage keys.
        self.outbox = OutboxGlue(self)
        self.live = LiveUpdates(self)
        self.triage = TriageKeys(self)
        self.loader = ConversationLoader(self)
        self.bulk = BulkGlue(self)
        self._lead_id: str | None = None
        self._offers: tuple[bool, bool] = (False, False)
        #: Messages per page of a conversation (the loader counts the pages each lead shows).
        self.page_messages = CONVERSATION_LIMIT
        self._query = ""
        #: The keys the bubbles name, and "offline" while the provider is unreachable (shared with
        #: the conversation, which reads it as it draws: "Queued — offline" instead of "Sending…").
        self._conversation_keys: dict[str, str] = {}
        #: How to take back the last triage key (U / ctrl+z), or None.
        self.last_triage: TriageUndo | None = None
        #: Leads snoozed in this session: lead_id -> (until, name); a toast says when each is back.
        self.snoozed: dict[str, tuple[datetime, Safe]] = {}

    @property
    def sms_app(self) -> AppServices:
        return services(self.app)

    def compose(self) -> ComposeResult:
        app = self.sms_app
        # The breakpoint classes Textual's first Resize will give the screen, set before what it
        # composes is styled: that Resize then changes no class and restyles nothing.
        self.update_classes(panes.size_classes(*self.app.size), update=False)
        self._conversation_keys.update(self._status_keys())  # filled before the conversation keeps it
        yield StatusBar(app.now, app.rep_tz, title=app.title)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield FilterBar(id="filter-bar")
                yield SearchBar(id="search-bar")
                first, app.first_rows = app.first_rows, None  # read once, by the first list only
                yield LeadList(app.store, app.now, tz=app.rep_tz, first=first, id="leads")
            with Vertical(id="right"):
                yield Conversation(app.now, app.rep_tz, keys=self._conversation_keys, id="conversation")
                yield Composer(id="composer")
        yield SteadyFooter()

    def _status_keys(self) -> dict[str, str]:
        """The keys the conversation's status lines name, after the rep's remapping."""
        keymap = self.sms_app.keymap
        out: dict[str, str] = {}
        for name, binding_id in (
            ("undo", "inbox.undo_send"),
            ("retry", "inbox.retry"),
            ("cancel", "inbox.cancel_scheduled"),
        ):
            key = keymap.get(binding_id) or next(
                b.key for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id
            )
            out[name] = key.split(",")[0]
        return out

    def on_mount(self) -> None:
        self.leads.focus()
        self.set_interval(1.0, self._tick, name="countdown")
        self.call_after_refresh(self._load_counts)  # the header's counts after the first paint

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for the screen's worker failures (STYLE.md §2.4): a toast, never a crash.

        (`Worker.StateChanged` does not bubble: the app's sync workers report through the
        engine's state instead, the lead list's through `LeadList.LoadFailed`.)
        """
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        what = worker.description or worker.name or "A background task"
        if isinstance(worker.error, BaseException) and self.status.show_cache_error(
            worker.error, self.sms_app.store.path
        ):
            self.notify(visible(f"cache error: {self.status.detail}"), severity="error", markup=False)
            return
        self.notify(
            visible(f"{what} failed: {worker.error}"),
            title="Something went wrong",
            severity="error",
            markup=False,
        )

    # -- loading (`self.loader`) -------------------------------------------------------------

    def load_conversation(self, lead_id: str, row: LeadRow | None = None) -> None:
        """Load `lead_id`'s conversation (coalesced, at once if loaded ahead for `row`: see
        `ConversationLoader`)."""
        self.loader.load(lead_id, row)

    def after_first_conversation(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first conversation is painted (or the list turns out to have
        none; a second at the latest): for work that would compete with it, the sync's start."""
        self.loader.after_first_shown(callback)

    def _latest(self, states: tuple[str, ...]) -> Message | None:
        view = self.conversation.view
        if view is None or view.header.lead_id != self._lead_id:
            return None
        for message in reversed(view.messages):
            if message.direction == "outbound" and message.local_state in states:
                return message
        return None

    def reload_current(self) -> None:
        if self._lead_id is not None:
            self.load_conversation(self._lead_id)

    # -- counts and rows (`self.live`) ----------------------------------------------------------

    def _load_counts(self) -> None:
        self.live.load_counts()

    def _tick(self) -> None:
        self.live.tick()

    # -- the outbox (`self.outbox`; its decisions are `self.sending` and `self.drafts`) ----------

    @on(Composer.SendRequested)
    def _send(self, event: Composer.SendRequested) -> None:
        event.stop()
        self.outbox.send(event)

    @on(Composer.ScheduleRequested)
    def _schedule(self, event: Composer.ScheduleRequested) -> None:
        event.stop()
        self.outbox.schedule(event)

    @on(Composer.AttachRequested)
    def _attach_requested(self, event: Composer.AttachRequested) -> None:
        event.stop()
        self.outbox.attach(event)

    @on(Composer.TemplatesRequested)
    def _templates(self, event: Composer.TemplatesRequested) -> None:
        event.stop()
        self.outbox.templates()

    @on(Composer.DraftChanged)
    def _draft_changed(self, event: Composer.DraftChanged) -> None:
        event.stop()
        self.outbox.draft_changed(event)

    def flush_drafts_now(self) -> None:
        """Write unsaved drafts synchronously (on quit, so nothing typed is lost)."""
        self.drafts.flush(self.sms_app.store)

    # -- selection and loading ----------------------------------------------------------

    @on(LeadHighlighted)
    def _highlighted(self, event: LeadHighlighted) -> None:
        row = event.row
        if row is None:
            if self.leads.total == 0:
                self._lead_id = None
                self.conversation.clear()
                self.composer.set_context(None)
                self.refresh_bindings()  # reply, done, snooze: nothing to act on
                self.loader.first_shown()  # no conversation to wait for
            return
        if row.lead_id == self._lead_id:
            self.load_conversation(row.lead_id, row)  # same lead, new data: no need to wait
            return
        first = self._lead_id is None
        self._lead_id = row.lead_id
        self.load_conversation(row.lead_id, row)  # coalesced: holding j/k loads where it rests
        if first:  # reply, done, snooze become available (the footer shows them)
            self.refresh_bindings()

    # -- live updates (`self.live`) ------------------------------------------------------------

    @on(SyncUpdate)
    def _sync_update(self, message: SyncUpdate) -> None:
        self.loader.forget()  # what was loaded ahead may be out of date
        self.live.sync_update(message)

    @on(SyncProgress)
    def _sync_progress(self, message: SyncProgress) -> None:
        self.live.sync_progress(message)

    @on(SyncStarted)
    def _sync_started(self, message: SyncStarted) -> None:
        self.live.sync_started(message)

    @on(OutboxChanged)
    def _outbox_changed(self, message: OutboxChanged) -> None:
        self.loader.forget(message.lead_id)
        self.live.outbox_changed(message)

    # -- bulk texting (`self.bulk`) ---------------------------------------------------------------

    @on(LeadList.MarksChanged)
    def _marks_changed(self, event: LeadList.MarksChanged) -> None:
        self.query_one(FilterBar).marked = event.count

    # -- filters and search ------------------------------------------------------------------

    @on(SearchBar.Submitted)
    def _search(self, event: SearchBar.Submitted) -> None:
        bar = self.query_one(FilterBar)
        bar.search = event.query
        bar.active = "" if event.query else bar.active
        self._apply_query(event.query)
        self.leads.focus()
        # The rows (in by now unless the query is slow) paint first, in a frame without a
        # layout; the line closes in the next one.
        self.query_one(SearchBar).close_after_refresh()

    @on(SearchBar.Settled)
    def _search_settled(self, event: SearchBar.Settled) -> None:
        """The rep stopped typing: read the query's first rows now, so Enter finds them read
        (a search's Enter waited 5-20 ms for that read in the real process, traced at 100k)."""
        if event.query != self._query and len(event.query) >= PREFETCH_MIN:
            self.leads.prefetch(event.query)

    @on(SearchBar.Cancelled)
    def _search_cancelled(self) -> None:
        self.leads.focus()

    @on(LeadList.LoadFailed)
    def _load_failed(self, event: LeadList.LoadFailed) -> None:
        bar = self.query_one(FilterBar)
        bar.total, bar.failed = None, True  # the old count belonged to another query
        position = getattr(event.error, "position", None)
        if position is not None:
            search = self.query_one(SearchBar)
            search.open(event.query)
            search.show_error(event.query, int(position), str(event.error))
        elif self.status.show_cache_error(event.error, self.sms_app.store.path):
            self.notify(visible(f"cache error: {self.status.detail}"), severity="error", markup=False)
        else:
            self.notify(
                visible(str(event.error)), title="Could not load leads", severity="error", markup=False
            )

    @on(LeadList.Loaded)
    def _list_loaded(self, event: LeadList.Loaded) -> None:
        bar = self.query_one(FilterBar)
        bar.total, bar.at_least, bar.failed = event.total, not event.exact, False
        if event.exact:  # the list's work is done: what its queries freed goes back to the system
            self.sms_app.release_memory()

    def _apply_query(self, query: str) -> None:
        bar = self.query_one(FilterBar)
        if query != self._query:
            bar.total = None  # until this query's count arrives: nothing stale
        self._query = query
        self.leads.set_query(query, wait=FIRST_PAGE_WAIT)
