"""The outbox life cycle, as the sync engine drives it (DESIGN.md, "Sending, exactly once").

    outbox --claim_due--> sending --mark_pushed--> sent | scheduled | error
                             |----mark_failed----> error
                             |----mark_blocked---> blocked
                             '----release_claim--> outbox (attempts + 1, last_error)

`claim_due` is one `UPDATE ... WHERE local_state = 'outbox' AND send_at <= ? RETURNING` inside
`BEGIN IMMEDIATE`, so two engines (threads or processes) on one cache never claim the same row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime

from sms_tui.core.models import Attachment, Message
from sms_tui.store.base import StoreBase
from sms_tui.store.convert import (
    MESSAGE_COLUMNS,
    REMOTE_STATE,
    attachments_from_json,
    attachments_json,
    message_from_row,
    parse_ts,
    ts,
)
from sms_tui.store.types import StoreError


class OutboxMixin(StoreBase):
    def claim_due(
        self, *, now: datetime, owner: str, limit: int = 20, include_scheduled: bool = True
    ) -> list[Message]:
        """Atomically claim what is due for pushing and return it (oldest first).

        - outbox rows whose `send_at` <= now move to `sending` (claimed_by = owner);
        - with include_scheduled, scheduled rows not yet on the provider are claimed too but keep
          local_state `scheduled` (push them with status scheduled + date_scheduled).
        Call mark_pushed / mark_failed / mark_blocked / release_claim for each.
        """
        stamp = ts(now)
        with self._write() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "UPDATE messages SET local_state = 'sending', claimed_by = ?, claimed_at = ? "
                    "WHERE local_id IN (SELECT local_id FROM messages WHERE local_state = 'outbox' "
                    "AND send_at <= ? ORDER BY send_at, local_id LIMIT ?) RETURNING local_id",
                    (owner, stamp, stamp, limit),
                ).fetchall()
            ]
            if include_scheduled and len(ids) < limit:
                ids += [
                    r[0]
                    for r in conn.execute(
                        "UPDATE messages SET claimed_by = ?, claimed_at = ? WHERE local_id IN ("
                        "SELECT local_id FROM messages WHERE local_state = 'scheduled' AND remote_id IS NULL "
                        "AND claimed_by IS NULL ORDER BY local_id LIMIT ?) RETURNING local_id",
                        (owner, stamp, limit - len(ids)),
                    ).fetchall()
                ]
            return self._messages(ids)

    def mark_pushed(
        self,
        local_id: int,
        remote_id: str,
        status: str,
        *,
        date_created: datetime | str | None = None,
        date_sent: datetime | str | None = None,
        date_updated: datetime | str | None = None,
        cost: str | None = None,
        error_message: str | None = None,
        attachments: tuple[Attachment, ...] | None = None,
    ) -> None:
        """The provider accepted the message: store its id and status, release the claim.

        `attachments`: the provider's copies (media ids, urls, thumbnails); each keeps the local
        file it was uploaded from (`local_path`), so the rep's own file opens without a download."""
        state = REMOTE_STATE.get(status)
        if state is None or state in ("inbox", "draft"):
            raise StoreError(f"unexpected status {status!r} for a pushed message")
        with self._write() as conn:
            owner = conn.execute(
                "SELECT local_id FROM messages WHERE remote_id = ? AND local_id <> ?", (remote_id, local_id)
            ).fetchone()
            if owner is not None:
                # A poll stored the provider's copy before we learnt its id: keep ours, drop theirs.
                conn.execute("DELETE FROM messages WHERE local_id = ?", (owner[0],))
            if attachments:
                _keep_local_paths(conn, local_id, attachments)
            conn.execute(
                "UPDATE messages SET remote_id = ?, status = ?, local_state = ?, "
                "date_created = coalesce(?, date_created), date_sent = coalesce(?, date_sent), "
                "date_updated = coalesce(?, date_updated), cost = coalesce(?, cost), "
                "error_message = ?, claimed_by = NULL, claimed_at = NULL WHERE local_id = ?",
                (
                    remote_id,
                    status,
                    state,
                    parse_ts(date_created),
                    parse_ts(date_sent),
                    parse_ts(date_updated),
                    cost,
                    error_message,
                    local_id,
                ),
            )

    def record_upload(self, local_id: int, index: int, url: str) -> bool:
        """Remember that attachment `index` of this outbound message is uploaded (its Files API
        `download.url`), before the SMS is created: a retry after a crash or a fault references it
        instead of uploading the file again. False when there is no such message or attachment."""
        with self._write() as conn:
            row = conn.execute("SELECT attachments FROM messages WHERE local_id = ?", (local_id,)).fetchone()
            current = list(attachments_from_json(row[0])) if row is not None else []
            if not 0 <= index < len(current):
                return False
            current[index] = replace(current[index], url=url)
            conn.execute(
                "UPDATE messages SET attachments = ? WHERE local_id = ?",
                (attachments_json(tuple(current)), local_id),
            )
            return True

    def forget_uploads(self, local_id: int) -> None:
        """Drop the recorded upload urls of the rep's own files (those with a local path) so they
        are uploaded again; a file that came by url alone (a template's) keeps it."""
        with self._write() as conn:
            row = conn.execute("SELECT attachments FROM messages WHERE local_id = ?", (local_id,)).fetchone()
            if row is None:
                return
            kept = tuple(replace(a, url="") if a.local_path else a for a in attachments_from_json(row[0]))
            conn.execute(
                "UPDATE messages SET attachments = ? WHERE local_id = ?", (attachments_json(kept), local_id)
            )

    def mark_failed(self, local_id: int, error_message: str) -> None:
        """The send failed for good (the provider refused it): state error, kept with its reason."""
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET local_state = 'error', error_message = ?, last_error = ?, "
                "claimed_by = NULL, claimed_at = NULL WHERE local_id = ?",
                (error_message, error_message, local_id),
            )

    def mark_blocked(self, local_id: int, reason: str) -> None:
        """The send guard refused it (e.g. opted out during the undo window): kept, never dropped."""
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET local_state = 'blocked', block_reason = ?, "
                "claimed_by = NULL, claimed_at = NULL WHERE local_id = ?",
                (reason, local_id),
            )

    def release_claim(self, local_id: int, *, error: str, send_at: datetime | None = None) -> None:
        """Give a claimed message back to the outbox for a later retry (attempts + 1, last_error).

        Only when the message is proven not to be on the provider. `send_at` delays the retry.
        """
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET local_state = CASE WHEN local_state = 'sending' THEN 'outbox' "
                "ELSE local_state END, send_at = coalesce(?, send_at), attempts = attempts + 1, "
                "last_error = ?, claimed_by = NULL, claimed_at = NULL "
                "WHERE local_id = ? AND remote_id IS NULL",
                (ts(send_at), error, local_id),
            )

    def stale_sending(self, older_than: datetime) -> list[Message]:
        """Claims older than `older_than` (a crashed or abandoned engine): reconcile these first."""
        with self._lock:
            ids = [
                r[0]
                for r in self._conn.execute(
                    "SELECT local_id FROM messages WHERE local_state IN ('sending', 'scheduled') "
                    "AND claimed_at IS NOT NULL AND claimed_at < ? ORDER BY claimed_at, local_id",
                    (ts(older_than),),
                )
            ]
            return self._messages(ids)

    def reclaim(
        self, local_id: int, *, owner: str, now: datetime, stale_before: datetime | None = None
    ) -> bool:
        """Take over a stale claim (after stale_sending) so only one engine reconciles it.

        With `stale_before` the claim must still be older than that at the moment of the update,
        so two engines racing for the same stale row cannot both win (the second sees the fresh
        claim of the first). (Added by the sync engine's author.)
        """
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE messages SET claimed_by = ?, claimed_at = ? WHERE local_id = ? "
                "AND claimed_at IS NOT NULL AND claimed_by IS NOT ? AND (? IS NULL OR claimed_at < ?)",
                (owner, ts(now), local_id, owner, ts(stale_before), ts(stale_before)),
            )
            return cur.rowcount == 1

    def pending_cancels(self) -> list[Message]:
        """Scheduled messages the rep cancelled that are still scheduled on the provider."""
        with self._lock:
            ids = [
                r[0]
                for r in self._conn.execute(
                    "SELECT local_id FROM messages WHERE local_state = 'scheduled' AND cancel_requested = 1"
                )
            ]
            return self._messages(ids)

    def mark_cancelled(self, local_id: int) -> None:
        """The provider set the scheduled message back to draft: it leaves the conversation."""
        with self._write() as conn:
            conn.execute(
                "UPDATE messages SET local_state = 'draft', status = 'draft', cancel_requested = 0, "
                "claimed_by = NULL, claimed_at = NULL WHERE local_id = ?",
                (local_id,),
            )

    def _messages(self, ids: list[int]) -> list[Message]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE local_id IN ({marks}) "
                "ORDER BY coalesce(send_at, sort_at), local_id",
                ids,
            ).fetchall()
        return [message_from_row(r) for r in rows]


def _keep_local_paths(conn: sqlite3.Connection, local_id: int, incoming: tuple[Attachment, ...]) -> None:
    """Store the provider's attachments for our message, each keeping the local file it came from."""
    row = conn.execute("SELECT attachments FROM messages WHERE local_id = ?", (local_id,)).fetchone()
    ours = attachments_from_json(row[0]) if row is not None else ()
    merged = tuple(
        replace(a, local_path=ours[i].local_path) if i < len(ours) and not a.local_path else a
        for i, a in enumerate(incoming)
    )
    conn.execute(
        "UPDATE messages SET attachments = ? WHERE local_id = ?", (attachments_json(merged), local_id)
    )
