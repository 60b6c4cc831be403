"""The inbox's conversation loading: one lead's messages, composer context and draft, off the UI loop.

`ConversationLoader` is a plain object composed into `InboxScreen` (it holds the screen). Loads
coalesce: while one runs, the newest request waits and runs next and requests in between are
dropped, so holding j loads what the cursor rests on. `o` (older) pages back, from the cache or,
when the cache holds all it has, from the provider.

The leads beside the cursor are loaded ahead (after the selected one, in a worker), so j/k shows
the next conversation in the same frame as the cursor moves, without a trip to a thread. What was
loaded ahead is used only while the lead's list row is unchanged (a new message, a read, a status
in the row makes it stale), and the selected lead is always loaded again behind it: if anything
changed in between, that load shows it a frame later.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.widget import Widget

from sms_tui.core.models import LeadRow
from sms_tui.ui.loaders import Loaded, load_lead
from sms_tui.ui.media import media_of
from sms_tui.ui.workers import in_thread

#: Conversations kept loaded ahead (the leads around the cursor, and the ones just left).
AHEAD = 8
#: Rows loaded ahead after each move: the next two (j is the usual key) and the previous one.
AHEAD_OFFSETS = (1, -1, 2)
#: The longest work kept for after the first conversation waits for it (s), should none come.
FIRST_SHOWN_LATEST = 1.0


class ConversationLoader:
    """Loads the selected lead's conversation into the conversation pane and the composer."""

    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen
        self._wanted: tuple[str, LeadRow | None, int] = ("", None, 0)  # (lead, its row, request no.)
        self._busy = False
        #: How many pages each lead shows (o: older); a page is `screen.page_messages`.
        self.pages_shown: dict[str, int] = {}
        #: lead -> (its list row when loaded, what was loaded): the leads around the cursor.
        self.ahead: OrderedDict[str, tuple[LeadRow, Loaded]] = OrderedDict()
        self._fetching_ahead: int | None = None  # the cursor a worker loads around, if one runs
        #: What waits for the first conversation to be painted (None once it was).
        self._after_first: list[Callable[[], object]] | None = []

    def after_first_shown(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first conversation is painted, or when the list turns out to
        have none, or FIRST_SHOWN_LATEST from now at the latest (work that would compete with the
        first conversation for the two cores: the sync's start, which imports the provider client)."""
        if self._after_first is None:
            callback()
            return
        self._after_first.append(callback)
        self.screen.app.set_timer(FIRST_SHOWN_LATEST, self.first_shown)

    def first_shown(self) -> None:
        """The first conversation is on its way to the screen, or there is none to show."""
        waiting, self._after_first = self._after_first, None
        for callback in waiting or ():
            self.screen.call_after_refresh(callback)

    def load(self, lead_id: str, row: LeadRow | None = None) -> None:
        """Load `lead_id`'s conversation now, or next if a load runs (the newest request wins).

        With its list `row`, a conversation loaded ahead for that same row shows at once."""
        ready = self.ahead.get(lead_id)
        self._wanted = (lead_id, row, self._wanted[2] + 1)
        if ready is not None and row is not None and ready[0] == row:
            self._show_loaded(ready[1])
            self._same_frame()
            # The load behind starts once that frame is out (a thread now would slow the frame).
            self.screen.call_after_refresh(self._kick)
        else:
            self._kick()

    def _kick(self) -> None:
        """Start the newest wanted load unless one runs (it starts the newest when it ends)."""
        if not self._busy:
            self._busy = True
            self._start(*self._wanted)

    def _same_frame(self) -> None:
        """Hand the screen what `show` changed now (each widget would on its own next idle, after
        the screen had painted the moved cursor alone): cursor and conversation in one frame.
        The scrollbars too (not children): the conversation's bar otherwise painted in a frame of
        its own after the key's (69 extra frames per 100 `j`, 31 without; trace_frames, 2026-11-30)."""
        s = self.screen
        for root in (s.conversation, s.composer):
            for widget in (root, *root.walk_children(Widget)):
                widget._check_refresh()
                for bar in (widget._vertical_scrollbar, widget._horizontal_scrollbar):
                    if bar is not None:
                        bar._check_refresh()

    def forget(self, lead_id: str | None = None) -> None:
        """Drop what was loaded ahead (for one lead, or all): the cache changed under it."""
        if lead_id is None:
            self.ahead.clear()
        else:
            self.ahead.pop(lead_id, None)

    def _start(self, lead_id: str, row: LeadRow | None, generation: int) -> None:
        in_thread(
            self.screen,
            self._load_one,
            lead_id,
            row,
            generation,
            group="conversation",
            description="Load conversation",
        )

    def _read(self, lead_id: str) -> Loaded | None:
        """The store read itself (in a thread)."""
        s = self.screen
        app = s.sms_app
        limit = s.page_messages * self.pages_shown.get(lead_id, 1)
        return load_lead(app.store, lead_id, app.now, app.rules, limit=limit, mms_rules=media_of(app).rules)

    def _load_one(self, lead_id: str, row: LeadRow | None, generation: int) -> None:
        s = self.screen
        try:
            loaded = self._read(lead_id)
            if loaded is not None:
                s.app.call_from_thread(self._loaded, row, loaded)
        finally:
            s.app.call_from_thread(self._load_done, generation)

    def _loaded(self, row: LeadRow | None, loaded: Loaded) -> None:
        if row is not None:
            self._keep(row, loaded)
        self._show_loaded(loaded)

    def _keep(self, row: LeadRow, loaded: Loaded, *, prerender: bool = False) -> None:
        if prerender and row.lead_id != self.screen._lead_id:
            self.screen.conversation.prerender(loaded.view)
        self.ahead[row.lead_id] = (row, loaded)
        self.ahead.move_to_end(row.lead_id)
        while len(self.ahead) > AHEAD:
            self.ahead.popitem(last=False)

    def _load_done(self, generation: int) -> None:
        if self._wanted[2] != generation:
            self._start(*self._wanted)  # asked again meanwhile: the newest wins
        else:
            self._busy = False
            self._load_ahead()

    def _load_ahead(self) -> None:
        """Load the leads beside the cursor (one worker at a time; after the selected lead's)."""
        s = self.screen
        if self._fetching_ahead is not None:
            return
        cursor = s.leads.cursor
        rows = []
        for offset in AHEAD_OFFSETS:
            row = s.leads.row_at(cursor + offset) if cursor + offset >= 0 else None
            ready = self.ahead.get(row.lead_id) if row is not None else None
            if row is not None and (ready is None or ready[0] != row):
                rows.append(row)
        if rows:
            self._fetching_ahead = cursor
            in_thread(s, self._read_ahead, rows, group="conversation-ahead", description="Load ahead")

    def _read_ahead(self, rows: list[LeadRow]) -> None:
        app = self.screen.app
        try:
            for row in rows:
                if self._busy:
                    break  # the rep moved: that load goes first (the store reads one at a time)
                loaded = self._read(row.lead_id)
                if loaded is not None:
                    app.call_from_thread(partial(self._keep, row, loaded, prerender=True))
        finally:
            app.call_from_thread(self._ahead_done)

    def _ahead_done(self) -> None:
        cursor, self._fetching_ahead = self._fetching_ahead, None
        if not self._busy and cursor != self.screen.leads.cursor:
            self._load_ahead()  # the cursor moved meanwhile: its neighbours

    def _show_loaded(self, loaded: Loaded) -> None:
        s = self.screen
        if loaded.view.header.lead_id != s._lead_id:
            return  # the rep moved on
        if s.conversation.view == loaded.view and s.composer.context == loaded.context:
            return  # shown already (loaded ahead) and still true
        switching = s.composer.context is None or s.composer.context.lead_id != s._lead_id
        s.conversation.show(loaded.view)
        if self._after_first is not None:
            self.first_shown()  # after the frame that paints it
        draft = s.drafts.get(s._lead_id, loaded.draft) if switching else None
        s.composer.set_context(loaded.context, draft)
        self._track_pending(loaded.view.messages)
        offers = (s._latest(("error", "blocked")) is not None, s._latest(("scheduled",)) is not None)
        if offers != s._offers:  # retry / cancel became (un)available: the footer shows it
            s._offers = offers
            s.call_after_refresh(s.refresh_bindings)  # the footer after the conversation

    def _track_pending(self, messages: Any) -> None:
        s = self.screen
        pending = {k: v for k, v in s.pending.items() if v[0] != s._lead_id}
        for message in messages:
            if message.local_state == "outbox" and message.send_at is not None:
                pending[message.local_id] = (message.lead_id, message.send_at)
        if pending != s.pending:
            s.pending = pending

    def older(self) -> None:
        """One page further back (o), from the cache or else from the provider."""
        s = self.screen
        lead_id = s._lead_id
        view = s.conversation.view
        if lead_id is not None and view is not None and not view.more_before:
            # The cache holds all it has (the first sync keeps a window): ask the provider.
            oldest = next((m.date_created for m in view.messages if m.date_created), None)
            if oldest is not None and s.sms_app.sync.fetch_older(lead_id, oldest):
                self.pages_shown[lead_id] = self.pages_shown.get(lead_id, 1) + 1
                s.conversation.want_top = True
                s.notify("Fetching older messages…", markup=False, timeout=2)
                return
        if lead_id is None or view is None or not view.more_before:
            s.notify("That is the whole conversation.", markup=False, timeout=2)
            return
        self.pages_shown[lead_id] = self.pages_shown.get(lead_id, 1) + 1
        s.conversation.want_top = True
        self.forget(lead_id)
        self.load(lead_id)
