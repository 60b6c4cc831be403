"""Writes the UI makes: drafts, sending (into the outbox), undo, scheduling, triage flags.

Each is one transaction; the triage row (lead_state) changes in the same transaction, by the triggers
on messages/drafts or by the statements here. A user action that makes several of these writes
wraps them in `store.transaction()` so they land together or not at all.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Unpack

from sms_tui.store.base import StoreBase
from sms_tui.store.convert import attachments_from_json, attachments_json, ts
from sms_tui.store.types import Outgoing, StoreError


class UiWritesMixin(StoreBase):
    def save_draft(self, lead_id: str, text: str) -> None:
        """Keep the composer's text for this lead; empty (or blank) text deletes the draft."""
        with self._write() as conn:
            _set_draft(conn, lead_id, text)

    def enqueue_send(
        self, *, send_at: datetime, now: datetime | None = None, **message: Unpack[Outgoing]
    ) -> int:
        """Put a message in the outbox (undo until `send_at`) and clear the lead's draft.

        Returns the message's local id. The sync engine claims it once `send_at` has passed.
        """
        with self._write() as conn:
            return _insert_outbound(conn, "outbox", send_at, message, created=now or datetime.now(UTC))

    def undo_send(self, local_id: int) -> str | None:
        """Take a message back out of the outbox while it is still there (not yet claimed).

        The message becomes the lead's draft again and its text is returned; None if it is too late.
        Atomic against a sync engine in this or another process claiming it at the same moment.
        """
        with self._write() as conn:
            row = conn.execute(
                "DELETE FROM messages WHERE local_id = ? AND local_state = 'outbox' AND claimed_by IS NULL "
                "RETURNING lead_id, text",
                (local_id,),
            ).fetchone()
            if row is None:
                return None
            lead_id, text = row
            _set_draft(conn, lead_id, text)
            return str(text)

    def send_now(self, local_ids: list[int], now: datetime) -> int:
        """End the undo window of these outbox messages now (the rep quits and wants them gone).

        Only rows still waiting in the outbox and unclaimed change; returns how many did.
        """
        if not local_ids:
            return 0
        marks = ",".join("?" * len(local_ids))
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE messages SET send_at = ? WHERE local_id IN ({marks}) "
                "AND local_state = 'outbox' AND claimed_by IS NULL AND send_at > ?",
                (ts(now), *local_ids, ts(now)),
            )
            return int(cursor.rowcount)

    def schedule(
        self, *, date_scheduled: datetime, now: datetime | None = None, **message: Unpack[Outgoing]
    ) -> int:
        """Store a scheduled send; the sync engine creates it on the provider with status `scheduled`."""
        with self._write() as conn:
            return _insert_outbound(
                conn, "scheduled", date_scheduled, message, created=now or datetime.now(UTC)
            )

    def cancel_scheduled(self, local_id: int) -> str | None:
        """Cancel a scheduled send; its text becomes the lead's draft and is returned.

        Not yet on the provider (and not claimed): the message is simply removed. Already on the
        provider: it is flagged `cancel_requested` (see `pending_cancels`) and leaves the list of
        scheduled messages once the sync engine has set it back to draft there (`mark_cancelled`).
        None if the message is not (or no longer) scheduled.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT lead_id, text, remote_id, claimed_by FROM messages "
                "WHERE local_id = ? AND local_state = 'scheduled' AND cancel_requested = 0",
                (local_id,),
            ).fetchone()
            if row is None:
                return None
            lead_id, text, remote_id, claimed_by = row
            if remote_id is None and claimed_by is None:
                conn.execute("DELETE FROM messages WHERE local_id = ?", (local_id,))
            elif remote_id is None:
                return None  # a sync engine is creating it right now; try again in a moment
            else:
                conn.execute("UPDATE messages SET cancel_requested = 1 WHERE local_id = ?", (local_id,))
            _set_draft(conn, lead_id, text)
            return str(text)

    def retry(self, local_id: int, send_at: datetime) -> int | None:
        """Send a failed or blocked message again, through the outbox (undo until `send_at`).

        A blocked message (never left this machine) goes back to the outbox itself; an `error`
        message the provider knows stays as history and a new outbox message is made.
        Returns the local id of the message that will be sent, or None if it was not failed.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT lead_id, contact_id, text, remote_phone, local_phone, remote_id, template_id, "
                "user_id, attachments FROM messages "
                "WHERE local_id = ? AND local_state IN ('error', 'blocked')",
                (local_id,),
            ).fetchone()
            if row is None:
                return None
            lead_id, contact_id, text, remote_phone, local_phone, remote_id, template_id, user_id, files = row
            if remote_id is None:
                conn.execute(
                    "UPDATE messages SET local_state = 'outbox', send_at = ?, block_reason = NULL, "
                    "claimed_by = NULL, claimed_at = NULL WHERE local_id = ?",
                    (ts(send_at), local_id),
                )
                return local_id
            return self.enqueue_send(
                lead_id=lead_id,
                contact_id=contact_id,
                text=text,
                remote_phone=remote_phone,
                local_phone=local_phone,
                send_at=send_at,
                template_id=template_id,
                user_id=user_id,
                # the uploaded files are referenced again by url (no second upload)
                attachments=attachments_from_json(files),
            )

    def mark_read(self, lead_id: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET is_read = 1 WHERE lead_id = ? AND direction = 'inbound' AND is_read = 0",
                (lead_id,),
            )

    def mark_unread(self, lead_id: str) -> None:
        """Flag the lead's latest inbound message unread (the lead shows at least one unread)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET is_read = 0 WHERE local_id = (SELECT local_id FROM messages "
                "WHERE lead_id = ? AND direction = 'inbound' ORDER BY sort_at DESC, local_id DESC LIMIT 1)",
                (lead_id,),
            )

    def set_done(self, lead_id: str, done: bool = True) -> None:
        """Done leads leave the inbox (search `is:done` finds them); a new reply brings them back."""
        with self._write() as conn:
            conn.execute(
                "UPDATE lead_state SET done = ?, snoozed_until = NULL WHERE lead_id = ?",
                (int(done), lead_id),
            )

    def snooze(self, lead_id: str, until: datetime | None) -> None:
        """Hide the lead until `until` (None un-snoozes); a new reply brings it back earlier."""
        with self._write() as conn:
            conn.execute(
                "UPDATE lead_state SET snoozed_until = ?, done = 0 WHERE lead_id = ?", (ts(until), lead_id)
            )


def _insert_outbound(
    conn: sqlite3.Connection, state: str, when: datetime, message: Outgoing, *, created: datetime
) -> int:
    """Insert an outbound message the rep wrote (`outbox` until `when` = send_at, or `scheduled`
    for `when` = date_scheduled) and clear the lead's draft. Returns its local id."""
    lead_id = message["lead_id"]
    _require_lead(conn, lead_id)
    time_column = {"outbox": "send_at", "scheduled": "date_scheduled"}[state]
    cur = conn.execute(
        "INSERT INTO messages (lead_id, contact_id, direction, local_state, text, remote_phone, "
        f"local_phone, {time_column}, sort_at, date_created, template_id, user_id, attachments, is_read) "
        "VALUES (?, ?, 'outbound', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        (
            lead_id,
            message["contact_id"],
            state,
            message["text"],
            message["remote_phone"],
            message["local_phone"],
            ts(when),
            ts(created),
            ts(created),
            message.get("template_id"),
            message.get("user_id"),
            attachments_json(message.get("attachments", ())),
        ),
    )
    conn.execute("DELETE FROM drafts WHERE lead_id = ?", (lead_id,))
    return int(cur.lastrowid or 0)


def _set_draft(conn: sqlite3.Connection, lead_id: str, text: str) -> None:
    if not text.strip():
        conn.execute("DELETE FROM drafts WHERE lead_id = ?", (lead_id,))
        return
    _require_lead(conn, lead_id)
    conn.execute(
        "INSERT INTO drafts (lead_id, text, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT(lead_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
        (lead_id, text, ts(datetime.now(UTC))),
    )


def _require_lead(conn: sqlite3.Connection, lead_id: str) -> None:
    if conn.execute("SELECT 1 FROM leads WHERE id = ?", (lead_id,)).fetchone() is None:
        raise StoreError(f"no lead {lead_id} in the cache")
