"""The inbox's live updates: what the sync engine, the outbox and the clock change on screen.

`LiveUpdates` is a plain object composed into `InboxScreen` (it holds the screen; Textual's
message handlers stay on the screen and call it): sync state and progress into the status line,
changed leads reloaded, new replies announced (bell and toasts), header counts, the once-a-second
tick (undo countdowns, snoozes falling due, a quiet re-sort every minute).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from sms_tui.core.models import Message
from sms_tui.ui.messages import OutboxChanged, SyncProgress, SyncStarted, SyncUpdate
from sms_tui.ui.sending import still_pending
from sms_tui.ui.text import one_line, visible
from sms_tui.ui.throttle import Throttle
from sms_tui.ui.widgets.search_bar import QUICK_FILTERS
from sms_tui.ui.widgets.status_bar import UNREACHABLE
from sms_tui.ui.workers import in_thread

#: Header counts stopped by the lead list's reloads are counted again up to this many times (then
#: the next change or the minute's refresh counts them).
COUNT_TRIES = 5

#: Seconds between quiet list refreshes (relative times, snoozes that fell due).
RESORT_EVERY = 60

#: At most one list reload and count for the sync's changes, and one progress text, per this many
#: seconds (the first at once): a first sync reports every page it saves.
SYNC_REDRAW_SECONDS = 1.0


class LiveUpdates:
    """Sync, outbox and clock events into the inbox's widgets."""

    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen
        self._ticks = 0
        #: leads the sync changed since the list was last reloaded for it
        self._changed: set[str] = set()
        self._progress = ""
        self.sync_redraw = Throttle(screen, SYNC_REDRAW_SECONDS, self._redraw, name="sync-redraw")
        self.sync_progress_shown = Throttle(
            screen, SYNC_REDRAW_SECONDS, self._show_progress, name="sync-progress"
        )

    def sync_update(self, message: SyncUpdate) -> None:
        s = self.screen
        event = message.event
        status = s.status
        state = getattr(event, "state", None)
        if state:
            status.state = str(state)
            self.set_offline(str(state) in UNREACHABLE)
        status.detail = one_line(str(getattr(event, "detail", "") or ""))
        last_poll = getattr(event, "last_poll", None)
        if last_poll is not None:
            status.last_poll = last_poll
        self._changed |= set(getattr(event, "changed_lead_ids", ()) or ())
        self.sync_redraw()
        inbound = list(getattr(event, "new_inbound", ()) or ())
        if inbound and message.after_start:
            in_thread(s, self._announce_replies, inbound, group="replies", description="Announce replies")

    def _redraw(self) -> None:
        """Reload the changed rows (and the open conversation if it changed) and the header counts
        (throttled by `sync_redraw`: a first sync reports every page it saves, tens a second, and
        reloading and counting for each kept the UI loop painting while the rep typed)."""
        s = self.screen
        changed, self._changed = self._changed, set()
        if changed:
            s.leads.reload(keep_position=True, changed=changed)
            if s._lead_id in changed:
                s.reload_current()
        self.load_counts()

    def _show_progress(self) -> None:
        # empty once the start is over (a window closing after it must not bring the text back)
        self.screen.status.progress = one_line(f"first sync: {self._progress}" if self._progress else "")

    def set_offline(self, offline: bool) -> None:
        """Queued bubbles say "Queued — offline" while nothing reaches the provider."""
        s = self.screen
        keys = s._conversation_keys
        if offline == ("offline" in keys):
            return
        if offline:
            keys["offline"] = "1"
        else:
            keys.pop("offline", None)
        view = s.conversation.view
        if view is not None and any(m.local_state in ("outbox", "sending") for m in view.messages):
            s.conversation.show(view)

    def _announce_replies(self, inbound: list[Message]) -> None:
        s = self.screen
        names = {
            row.lead_id: row.display_name for row in s.sms_app.store.lead_rows(m.lead_id for m in inbound)
        }
        s.app.call_from_thread(self._toast_replies, inbound, names)

    def _toast_replies(self, inbound: list[Message], names: dict[str, str]) -> None:
        """A desktop notification (or the bell) and one toast per reply (markup off: names and
        texts are the lead's)."""
        s = self.screen
        first = inbound[0]
        s.sms_app.notices.reply(
            one_line(names.get(first.lead_id) or first.remote_phone or "a lead"),
            one_line(first.text),
            more=len(inbound) - 1,
        )
        for message in inbound[:3]:
            name = one_line(names.get(message.lead_id) or message.remote_phone or "a lead")
            s.notify(visible(message.text), title=f"Reply from {name}", markup=False, timeout=6)
        if len(inbound) > 3:
            s.notify(f"… and {len(inbound) - 3} more replies", markup=False)

    def sync_progress(self, message: SyncProgress) -> None:
        self._progress = message.text
        self.sync_progress_shown()

    def sync_started(self, message: SyncStarted) -> None:
        s = self.screen
        self._progress = ""
        s.status.progress = one_line("")
        if s.sms_app.sync.engine is None:
            s.status.state = "no provider"
        elif s.status.show_cache_error(message.exception, s.sms_app.store.path):
            s.notify(visible(f"cache error: {s.status.detail}"), severity="error", markup=False)
        elif message.error:
            s.status.state = "offline"
            self.set_offline(True)
            s.notify(visible(message.error), title="First sync failed", severity="error", markup=False)
        s.leads.reload(keep_position=True)
        self.load_counts()

    def outbox_changed(self, message: OutboxChanged) -> None:
        s = self.screen
        if message.lead_id == s._lead_id:
            s.reload_current()
        self.refresh_rows([message.lead_id])
        self.load_counts()

    def tick(self) -> None:
        """Once a second: countdowns, and forget pending sends whose window closed."""
        s = self.screen
        now = s.sms_app.now()
        if s.pending:
            still = still_pending(s.pending, now)
            if len(still) != len(s.pending):
                s.pending = still
            s.conversation.tick()
        s.status.refresh()
        self._snoozes_due(now)
        self._ticks += 1
        if self._ticks % RESORT_EVERY == 0:
            # Relative times age, snoozes fall due and the lead's clock moves without any sync
            # event: look again.
            s.leads.reload(keep_position=True)
            s.reload_current()

    def _snoozes_due(self, now: datetime) -> None:
        """Say when a lead snoozed in this session is back, and show it in the list."""
        s = self.screen
        due = [(lead_id, name) for lead_id, (until, name) in s.snoozed.items() if until <= now]
        if not due:
            return
        for lead_id, name in due:
            del s.snoozed[lead_id]
            s.notify(f"⏰ {name} is back from snooze.", markup=False, timeout=6)
        s.leads.reload(keep_position=True)
        self.load_counts()

    def load_counts(self) -> None:
        in_thread(self.screen, self._load_counts, group="counts", exclusive=True, description="Header counts")

    def _load_counts(self) -> None:
        s = self.screen
        app = s.sms_app
        now = app.now()
        for _ in range(COUNT_TRIES):
            try:
                counts = app.store.header_counts(now)
                # The header's unread count is the Unread filter's count (2), by the same query: done
                # and snoozed leads are not in it.
                unread = app.store.count_leads(QUICK_FILTERS[1].query, now=now, tz=app.rep_tz)
            except sqlite3.OperationalError as error:
                # The counting connection is shared with the lead list, whose reload stops its own
                # count (`Store.interrupt_counts`) and with it this one: count again. Not a failure
                # to show ("Header counts failed: interrupted" while the rep typed a reply).
                if "interrupted" not in str(error):
                    raise
                continue
            s.app.call_from_thread(self._show_counts, counts, unread)
            return

    def _show_counts(self, counts: Any, unread: int) -> None:
        status = self.screen.status
        status.unread = unread
        status.outbox = counts.outbox + counts.sending
        status.failed = counts.failed
        self.screen.sms_app.notices.unread(unread)  # "(3) sms-tui" in the terminal's title

    def refresh_rows(self, lead_ids: list[str]) -> None:
        in_thread(self.screen, self._refresh_rows, lead_ids, group="rows", description="Refresh rows")

    def _refresh_rows(self, lead_ids: list[str]) -> None:
        s = self.screen
        rows = s.sms_app.store.lead_rows(lead_ids)
        s.app.call_from_thread(s.leads.update_rows, list(rows))
