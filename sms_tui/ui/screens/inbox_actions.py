"""The inbox's keys: when each applies (`check_action`) and what each does (the `action_*`s).

`InboxActions` is a mixin of `InboxScreen` (`inbox.py`). The bindings themselves are one table in
`inbox_keys.py` (read by help and the keymap too); the message handlers, the widgets and the
composed parts (`OutboxGlue`, `TriageKeys`, `ConversationLoader`, `BulkGlue`, `LiveUpdates`) stay
on the screen. An action here only hands the key to the part that does the work, or moves the
focus or the cursor: it is separate because it is the screen's keyboard surface, read as one list
(the help, the palette and `check_action` must agree on it), not because it does work of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.widgets import Input, TextArea

from sms_tui.ui.palette import ActionEntry, action_table
from sms_tui.ui.screens.help import HelpScreen
from sms_tui.ui.widgets.search_bar import QUICK_FILTERS, FilterBar, SearchBar

if TYPE_CHECKING:
    from textual.screen import Screen

    from sms_tui.core.models import Message
    from sms_tui.ui.screens.inbox_bulk import BulkGlue
    from sms_tui.ui.screens.inbox_loading import ConversationLoader
    from sms_tui.ui.screens.inbox_outbox import OutboxGlue
    from sms_tui.ui.screens.inbox_triage import TriageKeys
    from sms_tui.ui.sending import Sending
    from sms_tui.ui.services import AppServices
    from sms_tui.ui.triage import TriageUndo
    from sms_tui.ui.widgets.composer import Composer
    from sms_tui.ui.widgets.conversation import Conversation
    from sms_tui.ui.widgets.lead_list import LeadList

    _Screen = Screen[None]
else:
    _Screen = object

#: Single-key actions that change a lead: never run while a text field has focus.
SINGLE_KEYS = frozenset(
    {
        "done",
        "snooze",
        "mark_read",
        "mark_unread",
        "cancel_scheduled",
        "retry",
        "undo_triage",
        "next_unread",
        "attachments",
    }
    | {"bulk", "campaigns"}
)


class InboxActions(_Screen):
    """The inbox screen's key actions and their availability (mixed into `InboxScreen`)."""

    if TYPE_CHECKING:  # what the keys use of the screen (`inbox.py`)
        pending: dict[int, tuple[str, datetime]]
        last_triage: TriageUndo | None
        _lead_id: str | None
        sending: Sending
        outbox: OutboxGlue
        triage: TriageKeys
        loader: ConversationLoader
        bulk: BulkGlue
        leads: LeadList
        conversation: Conversation
        composer: Composer

        @property
        def sms_app(self) -> AppServices: ...
        def _latest(self, states: tuple[str, ...]) -> Message | None: ...
        def _apply_query(self, query: str) -> None: ...

    # -- which keys apply, and the table help and the palette show ---------------------------------

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

    # -- the outbox (`self.outbox`; its decisions are `self.sending`) ------------------------------

    def action_undo_send(self) -> None:
        self.outbox.undo_send()

    def action_retry(self) -> None:
        """Retry the latest failed message, through the composer's guard (`Sending.judge_retry`)."""
        self.outbox.retry()

    def action_retry_anyway(self) -> None:
        """Confirm a retry whose warnings were shown (ctrl+o, like the composer's send-anyway)."""
        if self.sending.confirm_retry():
            self.action_retry()

    def action_cancel_scheduled(self) -> None:
        self.outbox.cancel_scheduled()

    def action_pick_route(self) -> None:
        """Open the recipient picker for the lead in the composer (ctrl+f)."""
        self.outbox.pick_route()

    def action_attachments(self) -> None:
        """The conversation's files (a): enter downloads and opens one, p previews a picture."""
        from sms_tui.ui.screens.attachments import show_attachments

        show_attachments(self)

    def action_details(self) -> None:
        """The lead at a glance (i): contacts, phones, their time, counts."""
        self.outbox.details()

    # -- moving, triage (`self.triage`) and the conversation ---------------------------------------

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

    def action_mark_read(self) -> None:
        self.triage.mark(read=True)

    def action_mark_unread(self) -> None:
        self.triage.mark(read=False)

    def action_undo_triage(self) -> None:
        """Take back the last triage key (U; ctrl+z when no send waits)."""
        self.triage.undo()

    def action_done(self) -> None:
        """Done, or — on a lead that is already done (an `is:done` view) — not done any more."""
        self.triage.done()

    def action_snooze(self) -> None:
        self.triage.snooze()

    def action_older(self) -> None:
        self.loader.older()

    def action_scroll_conversation(self, direction: int) -> None:
        self.conversation.scroll_page(direction)

    def action_refresh(self) -> None:
        self.leads.reload(keep_position=True)
        self.sms_app.poll_now()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.action_entries()))

    # -- bulk texting (`self.bulk`) ----------------------------------------------------------------

    def action_bulk(self) -> None:
        """Compose one text for every marked lead, then preview each (b)."""
        self.bulk.compose()

    def action_campaigns(self) -> None:
        """The bulk campaigns: progress, pause, resume, cancel, report (B)."""
        self.bulk.campaigns()

    # -- filters and search ------------------------------------------------------------------------

    def action_filter(self, index: int) -> None:
        quick = QUICK_FILTERS[index]
        bar = self.query_one(FilterBar)
        bar.active, bar.search = quick.query, ""
        self._apply_query(quick.query)

    def action_search(self) -> None:
        self.query_one(SearchBar).open(self.query_one(FilterBar).search)
