"""The inbox's conversation loading: one lead's messages, composer context and draft, off the UI loop.

`ConversationLoader` is a plain object composed into `InboxScreen` (it holds the screen). Loads
coalesce: while one runs, the newest request waits and runs next and requests in between are
dropped, so holding j loads what the cursor rests on. `o` (older) pages back, from the cache or,
when the cache holds all it has, from the provider.
"""

from __future__ import annotations

from typing import Any

from sms_tui.ui.loaders import Loaded, load_lead
from sms_tui.ui.media import media_of
from sms_tui.ui.workers import in_thread


class ConversationLoader:
    """Loads the selected lead's conversation into the conversation pane and the composer."""

    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen
        self._wanted: tuple[str, int] = ("", 0)  # (lead, request number)
        self._busy = False
        #: How many pages each lead shows (o: older); a page is `screen.page_messages`.
        self.pages_shown: dict[str, int] = {}

    def load(self, lead_id: str) -> None:
        """Load `lead_id`'s conversation now, or next if a load runs (the newest request wins)."""
        self._wanted = (lead_id, self._wanted[1] + 1)
        if not self._busy:
            self._busy = True
            self._start(*self._wanted)

    def _start(self, lead_id: str, generation: int) -> None:
        in_thread(
            self.screen,
            self._load_one,
            lead_id,
            generation,
            group="conversation",
            description="Load conversation",
        )

    def _load_one(self, lead_id: str, generation: int) -> None:
        s = self.screen
        app = s.sms_app
        limit = s.page_messages * self.pages_shown.get(lead_id, 1)
        try:
            loaded = load_lead(
                app.store, lead_id, app.now, app.rules, limit=limit, mms_rules=media_of(app).rules
            )
            if loaded is not None:
                s.app.call_from_thread(self._show_loaded, loaded)
        finally:
            s.app.call_from_thread(self._load_done, generation)

    def _load_done(self, generation: int) -> None:
        if self._wanted[1] != generation:
            self._start(*self._wanted)  # asked again meanwhile: the newest wins
        else:
            self._busy = False

    def _show_loaded(self, loaded: Loaded) -> None:
        s = self.screen
        if loaded.view.header.lead_id != s._lead_id:
            return  # the rep moved on
        switching = s.composer.context is None or s.composer.context.lead_id != s._lead_id
        s.conversation.show(loaded.view)
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
        self.load(lead_id)
