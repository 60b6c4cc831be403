"""The inbox's triage keys: read/unread, done, snooze, and U to take the last one back.

`TriageKeys` is a plain object composed into `InboxScreen` (it holds the screen; the screen's
`action_*` methods call it). The undo records are `ui.triage` (no Textual); the undo is kept on
the screen as `last_triage` (its `check_action` reads it) and snoozes of this session as
`snoozed`. Every write runs in a thread worker, then the list, the counts and a toast follow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sms_tui.ui.messages import OutboxChanged
from sms_tui.ui.text import one_line
from sms_tui.ui.triage import TriageUndo, undo_done, undo_read, undo_snooze
from sms_tui.ui.workers import in_thread


class TriageKeys:
    """The triage actions of the inbox, and their undo."""

    def __init__(self, screen: Any) -> None:
        # `screen` is the InboxScreen (not imported here: it imports this module).
        self.screen = screen

    def mark(self, read: bool) -> None:
        s = self.screen
        if s._lead_id is None:
            return
        lead_id = s._lead_id
        row = s.leads.selected
        undo = undo_read(row, marked_read=read) if row is not None and row.lead_id == lead_id else None
        if read:
            s.outbox.store_then(lambda store: store.mark_read(lead_id), lead_id)
        else:
            s.outbox.store_then(lambda store: store.mark_unread(lead_id), lead_id)
        self._remember(undo, "Marked read" if read else "Marked unread")

    def _remember(self, undo: TriageUndo | None, note: str) -> None:
        """Keep `undo` as the one U takes back, and say so in a short toast."""
        if undo is None:
            return
        s = self.screen
        s.last_triage = undo
        s.refresh_bindings()
        s.notify(f"{note} · U undo", markup=False, timeout=3)

    def undo(self) -> None:
        """Take back the last triage key (U; ctrl+z when no send waits)."""
        s = self.screen
        undo, s.last_triage = s.last_triage, None
        if undo is not None and undo.what == "snooze":
            s.snoozed.pop(undo.lead_id, None)
        if undo is None:
            s.notify("Nothing to undo.", markup=False, timeout=2)
            return
        s.refresh_bindings()
        if undo.draft_text is not None and undo.lead_id == s._lead_id:
            if s.composer.text.strip() == undo.draft_text.strip():
                s.composer.clear()  # it is a scheduled message again, not a draft
                s.drafts.forget(undo.lead_id)
        self._flag(undo.revert, f"Undone: {undo.what}.", lead_id=undo.lead_id)

    def done(self) -> None:
        """Done, or — on a lead that is already done (an `is:done` view) — not done any more."""
        row = self.screen.leads.selected
        if row is None:
            return
        lead_id, done = row.lead_id, not row.done
        note = (
            "Done — archived until the lead writes again."
            if done
            else "Not done — the lead is back in the inbox."
        )
        self._flag(lambda store: store.set_done(lead_id, done), note + " · U undo", undo=undo_done(row))

    def snooze(self) -> None:
        from sms_tui.ui.screens.snooze import SnoozeDialog

        s = self.screen
        row = s.leads.selected
        if row is None:
            return
        lead_id = row.lead_id

        def chosen(until: datetime | None) -> None:
            if until is not None:
                s.snoozed[lead_id] = (until, one_line(row.display_name))
                self._flag(
                    lambda store: store.snooze(lead_id, until),
                    f"Snoozed until {until.astimezone(s.sms_app.rep_tz):%a %H:%M} · U undo",
                    undo=undo_snooze(row),
                )

        dialog = SnoozeDialog(
            now=s.sms_app.now,
            rep_zone=s.sms_app.rep_tz,
            lead_name=one_line(row.display_name),
            lead_phone=row.phone,  # "their time" presets on the lead's clock
        )
        s.app.push_screen(dialog, chosen)

    def _flag(
        self,
        change: Callable[[Any], object],
        note: str,
        *,
        undo: TriageUndo | None = None,
        lead_id: str | None = None,
    ) -> None:
        s = self.screen
        if undo is not None:
            s.last_triage = undo
            s.refresh_bindings()
        in_thread(s, self._flag_write, change, note, lead_id, group="flags", description="Triage")

    def _flag_write(self, change: Callable[[Any], object], note: str, lead_id: str | None) -> None:
        s = self.screen
        change(s.sms_app.store)
        s.app.call_from_thread(self._flagged, note, lead_id)

    def _flagged(self, note: str, lead_id: str | None = None) -> None:
        s = self.screen
        s.leads.reload(keep_position=True)
        s.live.load_counts()
        if lead_id is not None:
            s.post_message(OutboxChanged(lead_id))
        s.notify(note, markup=False, timeout=3)
