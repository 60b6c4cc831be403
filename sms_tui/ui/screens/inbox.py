"""The main screen: lead list | conversation over composer, a status line on top.

One `InboxScreen` owns the keys (`inbox_keys.py`) and `check_action`; what it does is composed of
plain objects: `Sending` (send with undo, retry behind the guard, schedule, cancel) and `Drafts`
(unsaved composer text), both in `ui/sending.py`, with no Textual and their own unit tests.
Every store call runs in a thread worker that hands its result back with `call_from_thread`;
handlers on the UI loop only move data into widgets. The screen never talks to the network:
it writes to the store (outbox, drafts, flags) and asks the app to push or poll. It sees the app
only as `ui.services.AppServices`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, TextArea
from textual.worker import Worker, WorkerState

from sms_tui.core.models import LeadRow, Message
from sms_tui.ui.commands import ActionEntry, InboxCommands, action_table
from sms_tui.ui.loaders import CONVERSATION_LIMIT, Loaded, load_lead
from sms_tui.ui.messages import LeadHighlighted, OutboxChanged, SyncProgress, SyncStarted, SyncUpdate
from sms_tui.ui.retry import retryable
from sms_tui.ui.route import Route, encode_route, route_key
from sms_tui.ui.screens.help import HelpScreen
from sms_tui.ui.screens.inbox_keys import INBOX_BINDINGS
from sms_tui.ui.sending import RETRY_CONFIRM_SECONDS, Drafts, Queued, Sending, newest_pending, still_pending
from sms_tui.ui.services import AppServices, services
from sms_tui.ui.text import Safe, one_line, visible
from sms_tui.ui.triage import TriageUndo, undo_cancel, undo_done, undo_read, undo_snooze
from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.widgets.conversation import Conversation
from sms_tui.ui.widgets.lead_list import LeadList
from sms_tui.ui.widgets.search_bar import QUICK_FILTERS, FilterBar, SearchBar
from sms_tui.ui.widgets.status_bar import UNREACHABLE, StatusBar

#: Seconds between quiet list refreshes (relative times, snoozes that fell due).
RESORT_EVERY = 60
#: Single-key actions that change a lead: never run while a text field has focus.
SINGLE_KEYS = frozenset(
    {"done", "snooze", "mark_read", "mark_unread", "cancel_scheduled", "retry", "undo_triage", "next_unread"}
)
#: Seconds the composer's text rests before it is saved as the lead's draft.
DRAFT_DEBOUNCE = 0.4


class InboxScreen(Screen[None]):
    """Triage and reply, keyboard first."""

    COMMANDS = {InboxCommands}
    BINDING_GROUP_TITLE = "Inbox"
    BINDINGS = INBOX_BINDINGS

    #: Outbox messages waiting out the undo delay: local_id -> (lead_id, send_at).
    pending: reactive[dict[int, tuple[str, datetime]]] = reactive(dict, bindings=True, init=False)

    leads = getters.query_one("#leads", LeadList)
    conversation = getters.query_one("#conversation", Conversation)
    composer = getters.query_one("#composer", Composer)
    status = getters.query_one(StatusBar)

    def __init__(self) -> None:
        super().__init__()
        self.sending = Sending(lambda: services(self.app))
        self.drafts = Drafts()
        self._draft_timer: Timer | None = None
        self._lead_id: str | None = None
        self._load_wanted: tuple[str, int] = ("", 0)  # (lead, request number): see load_conversation
        self._load_busy = False
        self._offers: tuple[bool, bool] = (False, False)
        #: Messages per page of a conversation, and how many pages each lead shows (o: older).
        self.page_messages = CONVERSATION_LIMIT
        self._pages_shown: dict[str, int] = {}
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
        self._conversation_keys.update(self._status_keys())  # filled before the conversation keeps it
        yield StatusBar(app.now, app.rep_tz, title=app.title)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield FilterBar(id="filter-bar")
                yield SearchBar(id="search-bar")
                yield LeadList(app.store, app.now, tz=app.rep_tz, id="leads")
            with Vertical(id="right"):
                yield Conversation(app.now, app.rep_tz, keys=self._conversation_keys, id="conversation")
                yield Composer(id="composer")
        yield Footer()

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
        self._ticks = 0
        self.leads.focus()
        self.set_interval(1.0, self._tick, name="countdown")
        self._load_counts()

    def action_entries(self) -> list[ActionEntry]:
        nodes: list[tuple[str, Any]] = [
            ("Inbox", self),
            ("Lead list", self.leads),
            ("Composer", self.composer),
            ("App", self.app),
        ]
        return action_table(nodes, self.sms_app.keymap)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_send":
            # False hides it and lets TextArea's ctrl+z through.
            return bool(self.pending) or (self.last_triage is not None and not self._typing())
        if action in SINGLE_KEYS and self._typing():
            return False  # a letter typed into a text field is text, never a triage action
        if action == "undo_triage":
            return self.last_triage is not None
        if action == "retry_anyway":
            return self.sending.retry_confirm is not None
        if action == "retry":  # on a failure a retry cannot fix, R says why (the bubble offers no R)
            return None if self._latest(("error", "blocked")) is None else True
        if action == "cancel_scheduled":
            return None if self._latest(("scheduled",)) is None else True
        if action in ("pick_route", "details"):
            return self.composer.context is not None
        if action in ("mark_read", "mark_unread", "done", "snooze", "reply") and self._lead_id is None:
            return None
        return True

    def _typing(self) -> bool:
        """True while a text field (the composer, the search line) has focus."""
        return isinstance(self.focused, TextArea | Input)

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
        draft = self.drafts.get(self._lead_id, loaded.draft) if switching else None
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
        app = self.sms_app
        now = app.now()
        counts = app.store.header_counts(now)
        # The header's unread count is the Unread filter's count (2), by the same query: done and
        # snoozed leads are not in it.
        unread = app.store.count_leads(QUICK_FILTERS[1].query, now=now, tz=app.rep_tz)
        self.app.call_from_thread(self._show_counts, counts, unread)

    def _show_counts(self, counts: Any, unread: int) -> None:
        status = self.status
        status.unread = unread
        status.outbox = counts.outbox + counts.sending
        status.failed = counts.failed
        self.sms_app.notices.unread(unread)  # "(3) sms-tui" in the terminal's title

    @work(thread=True, group="rows", exit_on_error=False, description="Refresh rows")
    def _refresh_rows(self, lead_ids: list[str]) -> None:
        rows = self.sms_app.store.lead_rows(lead_ids)
        self.app.call_from_thread(self.leads.update_rows, list(rows))

    # -- sending (the logic is `self.sending`; here: events, workers, toasts) -------------------

    @on(Composer.SendRequested)
    def _send(self, event: Composer.SendRequested) -> None:
        event.stop()
        context = self.composer.context
        if context is None or context.lead_id != event.lead_id:
            return
        self.composer.clear()
        self.drafts.forget(event.lead_id)
        self.conversation.follow()  # the rep wants to see the message they just sent
        self._enqueue(event.text, context)

    @work(thread=True, group="outbox", exit_on_error=False, description="Queue a message")
    def _enqueue(self, text: str, context: Any) -> None:
        try:
            queued = self.sending.enqueue(context, text)
        except Exception:  # e.g. a full disk: nothing was queued, so the text goes back (then the toast)
            self.app.call_from_thread(self._give_back, context.lead_id, text)
            raise
        self.app.call_from_thread(self._queued, queued)

    def _give_back(self, lead_id: str, text: str) -> None:
        """A text that could not be queued returns to its lead's composer (or unsaved draft)."""
        context = self.composer.context
        if context is not None and context.lead_id == lead_id:
            self.composer.restore(text)
        else:
            self.drafts.changed(lead_id, text)

    def _queued(self, queued: Queued) -> None:
        self.pending = {**self.pending, queued.local_id: (queued.lead_id, queued.send_at)}
        self.sms_app.push_after(self.sms_app.undo_seconds)
        self.post_message(OutboxChanged(queued.lead_id))

    def action_undo_send(self) -> None:
        local_id = newest_pending(self.pending)
        if local_id is None:
            self.action_undo_triage()
            return
        lead_id, _ = self.pending[local_id]
        self.pending = {k: v for k, v in self.pending.items() if k != local_id}
        self._undo(local_id, lead_id)

    @work(thread=True, group="outbox", exit_on_error=False, description="Undo send")
    def _undo(self, local_id: int, lead_id: str) -> None:
        self.app.call_from_thread(self._undone, lead_id, self.sending.undo(local_id))

    def _undone(self, lead_id: str, text: str | None) -> None:
        if text is None:
            self.notify("Too late to undo: it is already on its way.", severity="warning", markup=False)
        elif lead_id == self._lead_id:
            self.composer.restore(text)
            self.notify("Send undone — the text is back in the composer.", markup=False, timeout=3)
        else:
            self.drafts.changed(lead_id, text)
            self._save_draft(lead_id, text)
            self.notify("Send undone — the text is back in that lead's draft.", markup=False)
        self.post_message(OutboxChanged(lead_id))

    def action_retry(self) -> None:
        """Retry the latest failed message, through the composer's guard (`Sending.judge_retry`)."""
        message = self._latest(("error", "blocked"))
        context = self.composer.context
        if message is None or context is None or context.lead_id != message.lead_id:
            return
        if not retryable(message):
            why = message.error_message or message.block_reason or "it failed for good"
            self.notify(
                visible(f"Cannot retry: {why} Sending it again would fail the same way."),
                severity="warning",
                markup=False,
            )
            return
        override = (self.sms_app.keymap.get("inbox.retry_anyway") or "ctrl+o").split(",")[0]
        verdict = self.sending.judge_retry(message, context, override)
        if verdict.confirm:
            self.notify(
                visible(verdict.why),
                title="Retry?",
                severity="warning",
                markup=False,
                timeout=RETRY_CONFIRM_SECONDS,
            )
        elif not verdict.go:
            self.notify(visible(verdict.why), severity="error", markup=False)
        else:
            self._retry(message.local_id, message.lead_id)

    def action_retry_anyway(self) -> None:
        """Confirm a retry whose warnings were shown (ctrl+o, like the composer's send-anyway)."""
        if self.sending.confirm_retry():
            self.action_retry()

    @work(thread=True, group="outbox", exit_on_error=False, description="Retry")
    def _retry(self, local_id: int, lead_id: str) -> None:
        queued = self.sending.retry(local_id, lead_id)
        if queued is not None:
            self.app.call_from_thread(self._queued, queued)

    def action_cancel_scheduled(self) -> None:
        message = self._latest(("scheduled",))
        if message is None:
            return
        view = self.conversation.view
        if view is not None:  # the bubble goes at once; the reload after the write confirms it
            kept = [m for m in view.messages if m.local_id != message.local_id]
            self.conversation.show(replace(view, messages=kept))
            self._offers = (self._offers[0], False)
            self.refresh_bindings()
        undo = undo_cancel(message, self.sms_app.now)

        def cancel(_: Any) -> None:
            text = self.sending.cancel(message)
            self.app.call_from_thread(self._cancelled, message.lead_id, text, undo)

        self._store_then(cancel, message.lead_id)

    def _cancelled(self, lead_id: str, text: str, undo: TriageUndo) -> None:
        if lead_id == self._lead_id:
            self.composer.restore(text, focus=False)  # x is a list key: focus stays where it was
        self.last_triage = replace(undo, draft_text=text)
        self.refresh_bindings()
        self.notify(
            f"Scheduled message cancelled — its text is the draft ({self._reply_key()} to edit) · U undo",
            markup=False,
            timeout=4,
        )

    def _reply_key(self) -> str:
        return (self.sms_app.keymap.get("inbox.reply") or "enter").split(",")[0]

    @work(thread=True, group="outbox", exit_on_error=False, description="Store write")
    def _store_then(self, change: Callable[[Any], object], lead_id: str, push: bool = False) -> None:
        change(self.sms_app.store)
        self.app.call_from_thread(self._changed, lead_id, push)

    def _changed(self, lead_id: str, push: bool) -> None:
        if push:
            self.sms_app.push_now()
        self.post_message(OutboxChanged(lead_id))

    @on(Composer.ScheduleRequested)
    def _schedule(self, event: Composer.ScheduleRequested) -> None:
        event.stop()
        from sms_tui.ui.screens.schedule import ScheduleDialog

        context = self.composer.context
        if context is None:
            return
        text = event.text

        def chosen(when: datetime | None) -> None:
            if when is None:
                return
            self.composer.clear()
            self.conversation.follow()
            self._store_then(lambda _: self.sending.schedule(context, text, when), context.lead_id, push=True)

        self.app.push_screen(ScheduleDialog(context, rep_zone=self.sms_app.rep_tz, text=text), chosen)

    @on(Composer.TemplatesRequested)
    def _templates(self, event: Composer.TemplatesRequested) -> None:
        event.stop()
        self._open_templates()

    @work(thread=True, group="templates", exclusive=True, exit_on_error=False)
    def _open_templates(self) -> None:
        templates = list(self.sms_app.store.templates())
        self.app.call_from_thread(self._pick_template, templates)

    def _pick_template(self, templates: list[Any]) -> None:
        from sms_tui.ui.screens.template_picker import TemplatePicker

        context = self.composer.context
        if context is None:
            return

        def chosen(text: str | None) -> None:
            if text:
                self.composer.insert(text)

        self.app.push_screen(TemplatePicker(templates, context.template_context), chosen)

    # -- recipient and sender ------------------------------------------------------------------

    def action_pick_route(self) -> None:
        """Open the recipient picker for the lead in the composer (ctrl+f)."""
        from sms_tui.ui.screens.route_picker import RoutePicker

        context = self.composer.context
        if context is None:
            return
        current = Route(context.contact_id, context.to_number, context.from_number)
        view = self.conversation.view
        name = (
            one_line(view.header.name)
            if view is not None and view.header.lead_id == context.lead_id
            else None
        )

        def chosen(route: Route | None) -> None:
            if route is not None and route != current:
                self._save_route(context.lead_id, route)

        self.app.push_screen(RoutePicker(context.phones, context.numbers, current, name), chosen)

    def action_details(self) -> None:
        """The lead at a glance (i): contacts, phones, their time, counts; status, owner, emails,
        custom fields and the Close link (read by the panel)."""
        from sms_tui.ui.screens.lead_details import LeadDetails, details_text

        context = self.composer.context
        view = self.conversation.view
        if context is None or view is None or view.header.lead_id != context.lead_id:
            return
        text = details_text(
            view.header.name, context.phones, view.messages, self.sms_app.now(), context.to_number
        )
        store, lead_id = self.sms_app.store, context.lead_id
        self.app.push_screen(LeadDetails(text, lambda: store.lead_detail(lead_id).lead))

    @work(thread=True, group="flags", exit_on_error=False, description="Save recipient")
    def _save_route(self, lead_id: str, route: Route) -> None:
        self.sms_app.store.kv_set(route_key(lead_id), encode_route(route))
        self.app.call_from_thread(self._route_saved, lead_id)

    def _route_saved(self, lead_id: str) -> None:
        if lead_id == self._lead_id:
            self.reload_current()

    # -- drafts (the unsaved text is `self.drafts`) ------------------------------------------

    @on(Composer.DraftChanged)
    def _draft_changed(self, event: Composer.DraftChanged) -> None:
        event.stop()
        self.drafts.changed(event.lead_id, event.text)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DEBOUNCE, self._flush_drafts)

    def _flush_drafts(self) -> None:
        for lead_id, text in self.drafts.unsaved():
            self._save_draft(lead_id, text)

    @work(thread=True, group="drafts", exit_on_error=False, description="Save draft")
    def _save_draft(self, lead_id: str, text: str) -> None:
        self.sms_app.store.save_draft(lead_id, text)
        self.app.call_from_thread(self._draft_saved, lead_id, text)

    def _draft_saved(self, lead_id: str, text: str) -> None:
        self.drafts.saved(lead_id, text)
        self._refresh_rows([lead_id])

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
            return
        if row.lead_id == self._lead_id:
            self.load_conversation(row.lead_id)  # same lead, new data: no need to wait
            return
        self._lead_id = row.lead_id
        self.load_conversation(row.lead_id)  # coalesced: holding j/k loads where the cursor rests

    # -- live updates -------------------------------------------------------------------

    @on(SyncUpdate)
    def _sync_update(self, message: SyncUpdate) -> None:
        event = message.event
        status = self.status
        state = getattr(event, "state", None)
        if state:
            status.state = str(state)
            self._set_offline(str(state) in UNREACHABLE)
        status.detail = one_line(str(getattr(event, "detail", "") or ""))
        last_poll = getattr(event, "last_poll", None)
        if last_poll is not None:
            status.last_poll = last_poll
        changed = set(getattr(event, "changed_lead_ids", ()) or ())
        if changed:
            self.leads.reload(keep_position=True, changed=changed)
            if self._lead_id in changed:
                self.reload_current()
        self._load_counts()
        inbound = list(getattr(event, "new_inbound", ()) or ())
        if inbound and message.after_start:
            self._announce_replies(inbound)

    def _set_offline(self, offline: bool) -> None:
        """Queued bubbles say "Queued — offline" while nothing reaches the provider."""
        if offline == ("offline" in self._conversation_keys):
            return
        if offline:
            self._conversation_keys["offline"] = "1"
        else:
            self._conversation_keys.pop("offline", None)
        view = self.conversation.view
        if view is not None and any(m.local_state in ("outbox", "sending") for m in view.messages):
            self.conversation.show(view)

    @work(thread=True, group="replies", exit_on_error=False, description="Announce replies")
    def _announce_replies(self, inbound: list[Message]) -> None:
        names = {
            row.lead_id: row.display_name for row in self.sms_app.store.lead_rows(m.lead_id for m in inbound)
        }
        self.app.call_from_thread(self._toast_replies, inbound, names)

    def _toast_replies(self, inbound: list[Message], names: dict[str, str]) -> None:
        """A desktop notification (or the bell) and one toast per reply (markup off: names and
        texts are the lead's)."""
        first = inbound[0]
        self.sms_app.notices.reply(
            one_line(names.get(first.lead_id) or first.remote_phone or "a lead"),
            one_line(first.text),
            more=len(inbound) - 1,
        )
        for message in inbound[:3]:
            name = one_line(names.get(message.lead_id) or message.remote_phone or "a lead")
            self.notify(visible(message.text), title=f"Reply from {name}", markup=False, timeout=6)
        if len(inbound) > 3:
            self.notify(f"… and {len(inbound) - 3} more replies", markup=False)

    @on(SyncProgress)
    def _sync_progress(self, message: SyncProgress) -> None:
        self.status.progress = one_line(f"first sync: {message.text}")

    @on(SyncStarted)
    def _sync_started(self, message: SyncStarted) -> None:
        self.status.progress = one_line("")
        if self.sms_app.sync.engine is None:
            self.status.state = "no provider"
        elif self.status.show_cache_error(message.exception, self.sms_app.store.path):
            self.notify(visible(f"cache error: {self.status.detail}"), severity="error", markup=False)
        elif message.error:
            self.status.state = "offline"
            self._set_offline(True)
            self.notify(visible(message.error), title="First sync failed", severity="error", markup=False)
        self.leads.reload(keep_position=True)
        self._load_counts()

    @on(OutboxChanged)
    def _outbox_changed(self, message: OutboxChanged) -> None:
        if message.lead_id == self._lead_id:
            self.reload_current()
        self._refresh_rows([message.lead_id])
        self._load_counts()

    def _tick(self) -> None:
        """Once a second: countdowns, and forget pending sends whose window closed."""
        now = self.sms_app.now()
        if self.pending:
            still = still_pending(self.pending, now)
            if len(still) != len(self.pending):
                self.pending = still
            self.conversation.tick()
        self.status.refresh()
        self._snoozes_due(now)
        self._ticks += 1
        if self._ticks % RESORT_EVERY == 0:
            # Relative times age, snoozes fall due and the lead's clock moves without any sync
            # event: look again.
            self.leads.reload(keep_position=True)
            self.reload_current()

    def _snoozes_due(self, now: datetime) -> None:
        """Say when a lead snoozed in this session is back, and show it in the list."""
        due = [(lead_id, name) for lead_id, (until, name) in self.snoozed.items() if until <= now]
        if not due:
            return
        for lead_id, name in due:
            del self.snoozed[lead_id]
            self.notify(f"⏰ {name} is back from snooze.", markup=False, timeout=6)
        self.leads.reload(keep_position=True)
        self._load_counts()

    # -- triage ------------------------------------------------------------------------------

    def action_reply(self) -> None:
        if self._lead_id is not None:
            self.composer.focus()

    def action_leads(self) -> None:
        search = self.query_one(SearchBar)
        if search.is_open:
            search.action_cancel()
        self.leads.focus()

    def action_next_unread(self) -> None:
        rows = self.leads.loaded_rows()
        cursor = self.leads.cursor
        ordered = [p for p in rows if p[0] > cursor] + [p for p in rows if p[0] <= cursor]
        for index, row in ordered:
            if row.unread and row.lead_id != self._lead_id:
                self.leads.move_to(index)
                return
        self.notify("No other unread leads in view.", markup=False, timeout=2)

    def _current_row(self) -> LeadRow | None:
        return self.leads.selected

    def action_mark_read(self) -> None:
        if self._lead_id is not None:
            lead_id = self._lead_id
            row = self._current_row()
            undo = undo_read(row, marked_read=True) if row is not None and row.lead_id == lead_id else None
            self._store_then(lambda store: store.mark_read(lead_id), lead_id)
            self._remember(undo, "Marked read")

    def action_mark_unread(self) -> None:
        if self._lead_id is not None:
            lead_id = self._lead_id
            row = self._current_row()
            undo = undo_read(row, marked_read=False) if row is not None and row.lead_id == lead_id else None
            self._store_then(lambda store: store.mark_unread(lead_id), lead_id)
            self._remember(undo, "Marked unread")

    def _remember(self, undo: TriageUndo | None, note: str) -> None:
        """Keep `undo` as the one U takes back, and say so in a short toast."""
        if undo is None:
            return
        self.last_triage = undo
        self.refresh_bindings()
        self.notify(f"{note} · U undo", markup=False, timeout=3)

    def action_undo_triage(self) -> None:
        """Take back the last triage key (U; ctrl+z when no send waits)."""
        undo, self.last_triage = self.last_triage, None
        if undo is not None and undo.what == "snooze":
            self.snoozed.pop(undo.lead_id, None)
        if undo is None:
            self.notify("Nothing to undo.", markup=False, timeout=2)
            return
        self.refresh_bindings()
        if undo.draft_text is not None and undo.lead_id == self._lead_id:
            if self.composer.text.strip() == undo.draft_text.strip():
                self.composer.clear()  # it is a scheduled message again, not a draft
                self.drafts.forget(undo.lead_id)
        self._flag(undo.revert, f"Undone: {undo.what}.", lead_id=undo.lead_id)

    def action_done(self) -> None:
        """Done, or — on a lead that is already done (an `is:done` view) — not done any more."""
        row = self._current_row()
        if row is None:
            return
        lead_id, done = row.lead_id, not row.done
        note = (
            "Done — archived until the lead writes again."
            if done
            else "Not done — the lead is back in the inbox."
        )
        self._flag(lambda store: store.set_done(lead_id, done), note + " · U undo", undo=undo_done(row))

    def action_snooze(self) -> None:
        from sms_tui.ui.screens.snooze import SnoozeDialog

        row = self._current_row()
        if row is None:
            return
        lead_id = row.lead_id

        def chosen(until: datetime | None) -> None:
            if until is not None:
                self.snoozed[lead_id] = (until, one_line(row.display_name))
                self._flag(
                    lambda store: store.snooze(lead_id, until),
                    f"Snoozed until {until.astimezone(self.sms_app.rep_tz):%a %H:%M} · U undo",
                    undo=undo_snooze(row),
                )

        dialog = SnoozeDialog(
            now=self.sms_app.now,
            rep_zone=self.sms_app.rep_tz,
            lead_name=one_line(row.display_name),
            lead_phone=row.phone,  # "their time" presets on the lead's clock
        )
        self.app.push_screen(dialog, chosen)

    def _flag(
        self,
        change: Callable[[Any], object],
        note: str,
        *,
        undo: TriageUndo | None = None,
        lead_id: str | None = None,
    ) -> None:
        if undo is not None:
            self.last_triage = undo
            self.refresh_bindings()
        self._flag_write(change, note, lead_id)

    @work(thread=True, group="flags", exit_on_error=False, description="Triage")
    def _flag_write(self, change: Callable[[Any], object], note: str, lead_id: str | None) -> None:
        change(self.sms_app.store)
        self.app.call_from_thread(self._flagged, note, lead_id)

    def _flagged(self, note: str, lead_id: str | None = None) -> None:
        self.leads.reload(keep_position=True)
        self._load_counts()
        if lead_id is not None:
            self.post_message(OutboxChanged(lead_id))
        self.notify(note, markup=False, timeout=3)

    def action_older(self) -> None:
        view = self.conversation.view
        if self._lead_id is not None and view is not None and not view.more_before:
            # The cache holds all it has (the first sync keeps a window): ask the provider.
            oldest = next((m.date_created for m in view.messages if m.date_created), None)
            if oldest is not None and self.sms_app.sync.fetch_older(self._lead_id, oldest):
                self._pages_shown[self._lead_id] = self._pages_shown.get(self._lead_id, 1) + 1
                self.conversation.want_top = True
                self.notify("Fetching older messages…", markup=False, timeout=2)
                return
        if self._lead_id is None or view is None or not view.more_before:
            self.notify("That is the whole conversation.", markup=False, timeout=2)
            return
        self._pages_shown[self._lead_id] = self._pages_shown.get(self._lead_id, 1) + 1
        self.conversation.want_top = True
        self.load_conversation(self._lead_id)

    def action_scroll_conversation(self, direction: int) -> None:
        self.conversation.scroll_page(direction)

    def action_refresh(self) -> None:
        self.leads.reload(keep_position=True)
        self.sms_app.poll_now()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.action_entries()))

    # -- filters and search ------------------------------------------------------------------

    def action_filter(self, index: int) -> None:
        quick = QUICK_FILTERS[index]
        bar = self.query_one(FilterBar)
        bar.active, bar.search = quick.query, ""
        self._apply_query(quick.query)

    def action_search(self) -> None:
        self.query_one(SearchBar).open(self.query_one(FilterBar).search)

    @on(SearchBar.Submitted)
    def _search(self, event: SearchBar.Submitted) -> None:
        bar = self.query_one(FilterBar)
        bar.search = event.query
        bar.active = "" if event.query else bar.active
        self._apply_query(event.query)
        self.leads.focus()

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

    def _apply_query(self, query: str) -> None:
        bar = self.query_one(FilterBar)
        if query != self._query:
            bar.total = None  # until this query's count arrives: nothing stale
        self._query = query
        self.leads.set_query(query)
