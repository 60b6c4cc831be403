"""Shared state of the inbox screen: accessors, the selected lead, pending sends, loading.

Split from `inbox.py` so each file stays about one thing: `InboxBase` (this) holds state and the
store reads every part needs; `SendingScreen` (`inbox_sending.py`) the outbox and drafts;
`InboxScreen` (`inbox.py`) layout, live updates, triage and search.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from sms_tui.core.models import Message
from sms_tui.ui.loaders import CONVERSATION_LIMIT, Loaded, load_lead
from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.widgets.conversation import Conversation
from sms_tui.ui.widgets.lead_list import LeadList
from sms_tui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from sms_tui.ui.app import SmsApp


class InboxBase(Screen[None]):
    """State every part of the inbox reads and the store reads they share."""

    #: Outbox messages waiting out the undo delay: local_id -> (lead_id, send_at).
    pending: reactive[dict[int, tuple[str, datetime]]] = reactive(dict, bindings=True, init=False)

    def __init__(self) -> None:
        super().__init__()
        self._drafts: dict[str, str] = {}
        self._draft_timer: Any = None
        self._lead_id: str | None = None
        self._load_wanted: tuple[str, int] = ("", 0)  # (lead, request number): see load_conversation
        self._load_busy = False
        self._offers: tuple[bool, bool] = (False, False)
        #: Messages per page of a conversation, and how many pages each lead shows (o: older).
        self.page_messages = CONVERSATION_LIMIT
        self._pages_shown: dict[str, int] = {}
        self._query = ""
        #: A retry waiting for its confirmation (warnings shown): (local_id, confirm by).
        self._retry_confirm: tuple[int, datetime] | None = None

    @property
    def sms_app(self) -> SmsApp:
        from sms_tui.ui.app import SmsApp

        app = self.app
        assert isinstance(app, SmsApp)
        return app

    @property
    def leads(self) -> LeadList:
        return self.query_one("#leads", LeadList)

    @property
    def conversation(self) -> Conversation:
        return self.query_one("#conversation", Conversation)

    @property
    def composer(self) -> Composer:
        return self.query_one("#composer", Composer)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for the screen's worker failures (STYLE.md §2.4): a toast, never a crash.

        (`Worker.StateChanged` does not bubble: the app's sync workers report through the
        engine's state instead, the lead list's through `LeadList.LoadFailed`.)
        """
        worker = event.worker
        if event.state != WorkerState.ERROR:
            return
        what = worker.description or worker.name or "A background task"
        self.notify(
            f"{what} failed: {worker.error}", title="Something went wrong", severity="error", markup=False
        )

    # -- loading (thread workers) ---------------------------------------------------------

    def load_conversation(self, lead_id: str) -> None:
        """Load `lead_id`'s conversation now; while a load runs, the newest request waits and
        runs next (requests in between are dropped: holding j loads what the cursor rests on)."""
        self._load_wanted = (lead_id, self._load_wanted[1] + 1)
        if not self._load_busy:
            self._load_busy = True
            self._load_one(*self._load_wanted)

    @work(thread=True, group="conversation", exit_on_error=False, description="Load conversation")
    def _load_one(self, lead_id: str, generation: int) -> None:
        app = self.sms_app
        limit = self.page_messages * self._pages_shown.get(lead_id, 1)
        try:
            loaded = load_lead(app.store, lead_id, app.now, app.rules, limit=limit)
            if loaded is not None:
                self.app.call_from_thread(self._show_loaded, loaded)
        finally:
            self.app.call_from_thread(self._load_done, generation)

    def _load_done(self, generation: int) -> None:
        if self._load_wanted[1] != generation:
            self._load_one(*self._load_wanted)  # asked again meanwhile: the newest wins
        else:
            self._load_busy = False

    def _show_loaded(self, loaded: Loaded) -> None:
        if loaded.view.header.lead_id != self._lead_id:
            return  # the rep moved on
        switching = self.composer.context is None or self.composer.context.lead_id != self._lead_id
        self.conversation.show(loaded.view)
        draft = self._drafts.get(self._lead_id, loaded.draft) if switching else None
        self.composer.set_context(loaded.context, draft)
        self._track_pending(loaded.view.messages)
        offers = (self._latest(("error", "blocked")) is not None, self._latest(("scheduled",)) is not None)
        if offers != self._offers:  # retry / cancel became (un)available: the footer shows it
            self._offers = offers
            self.call_after_refresh(self.refresh_bindings)  # the footer after the conversation

    def _latest(self, states: tuple[str, ...]) -> Message | None:
        view = self.conversation.view
        if view is None or view.header.lead_id != self._lead_id:
            return None
        for message in reversed(view.messages):
            if message.direction == "outbound" and message.local_state in states:
                return message
        return None

    def _track_pending(self, messages: Any) -> None:
        pending = {k: v for k, v in self.pending.items() if v[0] != self._lead_id}
        for message in messages:
            if message.local_state == "outbox" and message.send_at is not None:
                pending[message.local_id] = (message.lead_id, message.send_at)
        if pending != self.pending:
            self.pending = pending

    def reload_current(self) -> None:
        if self._lead_id is not None:
            self.load_conversation(self._lead_id)

    @work(thread=True, group="counts", exclusive=True, exit_on_error=False, description="Header counts")
    def _load_counts(self) -> None:
        counts = self.sms_app.store.header_counts(self.sms_app.now())
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: Any) -> None:
        status = self.status
        status.unread = counts.unread_total
        status.outbox = counts.outbox + counts.sending
        status.failed = counts.failed

    @work(thread=True, group="rows", exit_on_error=False, description="Refresh rows")
    def _refresh_rows(self, lead_ids: list[str]) -> None:
        rows = self.sms_app.store.lead_rows(lead_ids)
        self.app.call_from_thread(self.leads.update_rows, list(rows))
