"""Undo for single-key triage (done, snooze, read/unread, cancel-scheduled), with no Textual.

Each triage key records how to put back what it changed (`TriageUndo`); `U` (or ctrl+z when no
send waits out its undo delay) runs the last one. Only the last action can be undone, like the
toast that offers it. Unit tests: tests/ui/test_triage_undo.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sms_tui.core.models import LeadRow, Message
from sms_tui.store import Store


@dataclass(frozen=True, slots=True)
class TriageUndo:
    """How to take back one triage action: `revert(store)` in a worker, then say `what` was undone."""

    what: str
    lead_id: str
    revert: Callable[[Store], object]
    #: The text a cancelled scheduled message put back in the composer (taken out again on undo).
    draft_text: str | None = None


def undo_done(row: LeadRow) -> TriageUndo:
    lead_id, was_done, snoozed = row.lead_id, row.done, row.snoozed_until

    def revert(store: Store) -> None:
        store.set_done(lead_id, was_done)
        if snoozed is not None and not was_done:
            store.snooze(lead_id, snoozed)  # set_done clears the snooze

    return TriageUndo("done" if not was_done else "not done", lead_id, revert)


def undo_snooze(row: LeadRow) -> TriageUndo:
    lead_id, before, was_done = row.lead_id, row.snoozed_until, row.done

    def revert(store: Store) -> None:
        if was_done:
            store.set_done(lead_id, True)  # snoozing took it out of done
        else:
            store.snooze(lead_id, before)

    return TriageUndo("snooze", lead_id, revert)


def undo_read(row: LeadRow, *, marked_read: bool) -> TriageUndo | None:
    """None when the key changed nothing (read marked read again)."""
    lead_id = row.lead_id
    if marked_read:
        return None if not row.unread else TriageUndo("mark read", lead_id, lambda s: s.mark_unread(lead_id))
    return None if row.unread else TriageUndo("mark unread", lead_id, lambda s: s.mark_read(lead_id))


def undo_cancel(message: Message, now: Callable[[], datetime]) -> TriageUndo:
    """Schedule the message again, as it was (this also clears the draft it became)."""
    when = message.date_scheduled

    def revert(store: Store) -> None:
        if when is None:
            return
        store.schedule(
            date_scheduled=when,
            now=now(),
            lead_id=message.lead_id,
            contact_id=message.contact_id,
            text=message.text,
            local_phone=message.local_phone or "",
            remote_phone=message.remote_phone or "",
            attachments=message.attachments,
        )

    return TriageUndo("cancel scheduled", message.lead_id, revert, draft_text=message.text)
