"""The main screen: lead list | conversation over composer, a status line on top.

Every store call runs in a thread worker that hands its result back with `call_from_thread`;
handlers on the UI loop only move data into widgets. The screen never talks to the network:
it writes to the store (outbox, drafts, flags) and asks the app to push or poll.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from sms_tui.core.models import LeadRow, Message
from sms_tui.ui.commands import ActionEntry, InboxCommands, action_table
from sms_tui.ui.messages import LeadHighlighted, OutboxChanged, SyncProgress, SyncStarted, SyncUpdate
from sms_tui.ui.screens.help import HelpScreen
from sms_tui.ui.screens.inbox_sending import SendingScreen
from sms_tui.ui.text import one_line, visible
from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.widgets.conversation import Conversation
from sms_tui.ui.widgets.lead_list import LeadList
from sms_tui.ui.widgets.search_bar import QUICK_FILTERS, FilterBar, SearchBar
from sms_tui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    pass


def _filter_binding(index: int) -> Binding:
    quick = QUICK_FILTERS[index]
    return Binding(
        quick.key,
        f"filter({index})",
        f"Filter: {quick.label}",
        show=False,
        id=f"inbox.filter_{quick.label.lower().replace(' ', '_')}",
        tooltip=f"Show {quick.label.lower()} leads" + (f" ({quick.query})" if quick.query else ""),
    )


#: How long the cursor must rest on a lead before its conversation loads (seconds).
LOAD_DELAY = 0.05
#: Seconds between quiet list refreshes (relative times, snoozes that fell due).
RESORT_EVERY = 60


class InboxScreen(SendingScreen):
    """Triage and reply, keyboard first."""

    COMMANDS = {InboxCommands}
    BINDING_GROUP_TITLE = "Inbox"
    BINDINGS = [
        Binding(
            "ctrl+z",
            "undo_send",
            "Undo send",
            priority=True,
            id="inbox.undo_send",
            tooltip="Take back the message waiting out the undo delay; its text returns to the composer.",
        ),
        Binding("enter,r", "reply", "Reply", id="inbox.reply", tooltip="Write to the selected lead."),
        Binding("escape", "leads", "Leads", show=False, id="inbox.leads", tooltip="Back to the lead list."),
        Binding(
            "n", "next_unread", "Next unread", id="inbox.next_unread", tooltip="Jump to the next unread lead."
        ),
        Binding(
            "m",
            "mark_read",
            "Mark read",
            show=False,
            id="inbox.mark_read",
            tooltip="Mark this conversation read (opening it does not).",
        ),
        Binding("u", "mark_unread", "Mark unread", show=False, id="inbox.mark_unread"),
        Binding(
            "e",
            "done",
            "Done",
            id="inbox.done",
            tooltip="Archive the lead: it leaves the list until it writes. On a done lead (is:done): undo.",
        ),
        Binding(
            "z",
            "snooze",
            "Snooze",
            id="inbox.snooze",
            tooltip="Hide the lead until a time; it comes back when due.",
        ),
        Binding("slash", "search", "Search", id="inbox.search", tooltip="Search with the query language."),
        *[_filter_binding(i) for i in range(len(QUICK_FILTERS))],
        Binding(
            "R,shift+r",
            "retry",
            "Retry failed",
            show=False,
            id="inbox.retry",
            tooltip="Send the failed message again (through the same guard).",
        ),
        Binding(
            "ctrl+o",
            "retry_anyway",
            "Retry anyway",
            show=False,
            id="inbox.retry_anyway",
            tooltip="Confirm a retry despite its warnings (quiet hours…); blocks cannot be overridden.",
        ),
        Binding(
            "x",
            "cancel_scheduled",
            "Cancel scheduled",
            show=False,
            id="inbox.cancel_scheduled",
            tooltip="Cancel the scheduled message; its text becomes the draft.",
        ),
        Binding(
            "left_square_bracket",
            "scroll_conversation(-1)",
            "Scroll messages up",
            show=False,
            id="inbox.scroll_up",
        ),
        Binding(
            "right_square_bracket",
            "scroll_conversation(1)",
            "Scroll messages down",
            show=False,
            id="inbox.scroll_down",
        ),
        Binding(
            "o",
            "older",
            "Older messages",
            show=False,
            id="inbox.older",
            tooltip="Show the page of messages before the oldest one shown.",
        ),
        Binding(
            "ctrl+r",
            "refresh",
            "Refresh",
            show=False,
            id="inbox.refresh",
            tooltip="Reload the list and poll now.",
        ),
        Binding("question_mark", "help", "Help", id="inbox.help", tooltip="All keys."),
    ]

    def compose(self) -> ComposeResult:
        app = self.sms_app
        yield StatusBar(app.now, app.rep_tz, title=app.title)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield FilterBar(id="filter-bar")
                yield SearchBar(id="search-bar")
                yield LeadList(app.store, app.now, tz=app.rep_tz, id="leads")
            with Vertical(id="right"):
                yield Conversation(app.now, app.rep_tz, keys=self._status_keys(), id="conversation")
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
        # Holding j/k: load the conversation once the cursor rests, not for every row passed.
        if self._load_timer is not None:
            self._load_timer.stop()
        self._load_timer = self.set_timer(LOAD_DELAY, lambda: self.load_conversation(row.lead_id))

    # -- live updates -------------------------------------------------------------------

    @on(SyncUpdate)
    def _sync_update(self, message: SyncUpdate) -> None:
        event = message.event
        status = self.status
        state = getattr(event, "state", None)
        if state:
            status.state = str(state)
        status.detail = str(getattr(event, "detail", "") or "")
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

    @work(thread=True, group="replies", exit_on_error=False, description="Announce replies")
    def _announce_replies(self, inbound: list[Message]) -> None:
        names = {
            row.lead_id: row.display_name for row in self.sms_app.store.lead_rows(m.lead_id for m in inbound)
        }
        self.app.call_from_thread(self._toast_replies, inbound, names)

    def _toast_replies(self, inbound: list[Message], names: dict[str, str]) -> None:
        """Bell and one toast per reply (markup off: names and texts are the lead's)."""
        self.app.bell()
        for message in inbound[:3]:
            name = one_line(names.get(message.lead_id) or message.remote_phone or "a lead")
            self.notify(visible(message.text), title=f"Reply from {name}", markup=False, timeout=6)
        if len(inbound) > 3:
            self.notify(f"… and {len(inbound) - 3} more replies", markup=False)

    @on(SyncProgress)
    def _sync_progress(self, message: SyncProgress) -> None:
        self.status.progress = f"first sync: {message.text}"

    @on(SyncStarted)
    def _sync_started(self, message: SyncStarted) -> None:
        self.status.progress = ""
        if self.sms_app.sync.engine is None:
            self.status.state = "no provider"
        elif message.error:
            self.status.state = "offline"
            self.notify(message.error, title="First sync failed", severity="error", markup=False)
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
            still = {k: v for k, v in self.pending.items() if v[1] > now}
            if len(still) != len(self.pending):
                self.pending = still
            self.conversation.tick()
        self.status.refresh()
        self._ticks += 1
        if self._ticks % RESORT_EVERY == 0:
            # Relative times age, snoozes fall due and the lead's clock moves without any sync
            # event: look again.
            self.leads.reload(keep_position=True)
            self.reload_current()

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
            self._store_then(lambda store: store.mark_read(lead_id), lead_id)

    def action_mark_unread(self) -> None:
        if self._lead_id is not None:
            lead_id = self._lead_id
            self._store_then(lambda store: store.mark_unread(lead_id), lead_id)

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
        self._flag(lambda store: store.set_done(lead_id, done), note)

    def action_snooze(self) -> None:
        from sms_tui.ui.screens.snooze import SnoozeDialog

        row = self._current_row()
        if row is None:
            return
        lead_id = row.lead_id

        def chosen(until: datetime | None) -> None:
            if until is not None:
                self._flag(
                    lambda store: store.snooze(lead_id, until),
                    f"Snoozed until {until.astimezone(self.sms_app.rep_tz):%a %H:%M}.",
                )

        dialog = SnoozeDialog(now=self.sms_app.now, rep_zone=self.sms_app.rep_tz, lead_name=row.display_name)
        self.app.push_screen(dialog, chosen)

    @work(thread=True, group="flags", exit_on_error=False, description="Triage")
    def _flag(self, change: Callable[[Any], object], note: str) -> None:
        change(self.sms_app.store)
        self.app.call_from_thread(self._flagged, note)

    def _flagged(self, note: str) -> None:
        self.leads.reload(keep_position=True)
        self._load_counts()
        self.notify(note, markup=False, timeout=2)

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
        position = getattr(event.error, "position", None)
        if position is not None:
            search = self.query_one(SearchBar)
            search.open(event.query)
            search.show_error(event.query, int(position), str(event.error))
        else:
            self.notify(str(event.error), title="Could not load leads", severity="error", markup=False)

    @on(LeadList.Loaded)
    def _list_loaded(self, event: LeadList.Loaded) -> None:
        self.query_one(FilterBar).total = event.total

    def _apply_query(self, query: str) -> None:
        self._query = query
        self.leads.set_query(query)
