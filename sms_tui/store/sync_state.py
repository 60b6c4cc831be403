"""What the incremental sync asks of the cache besides writing provider data.

Each query is one index look-up (never a scan that grows with the cache): the poll runs them every
interval, and an idle poll must stay cheap at a million messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sms_tui.core.models import Message
from sms_tui.store.base import StoreBase
from sms_tui.store.convert import MESSAGE_COLUMNS, message_from_row, ts


class SyncStateMixin(StoreBase):
    def unsettled_outbound_ids(self, *, since: datetime, now: datetime, limit: int = 100) -> list[str]:
        """Provider ids of outbound messages whose status may still change: accepted but not yet
        sent (provider `outbox`), scheduled to go out by about now, or sent from this cache since
        `since` (late delivery errors). The poll re-reads them by id every interval."""
        soon = ts(now + timedelta(minutes=1))
        queries: list[tuple[str, tuple[object, ...]]] = [
            (
                "SELECT remote_id FROM messages WHERE status = 'outbox' AND direction = 'outbound' "
                "AND remote_id IS NOT NULL ORDER BY local_id DESC LIMIT ?",
                (limit,),
            ),
            (
                "SELECT remote_id FROM messages WHERE local_state = 'scheduled' AND remote_id IS NOT NULL "
                "AND date_scheduled <= ? LIMIT ?",
                (soon, limit),
            ),
            (
                "SELECT remote_id FROM messages INDEXED BY messages_time WHERE sort_at >= ? "
                "AND local_state = 'sent' AND direction = 'outbound' AND remote_id IS NOT NULL "
                "AND send_at IS NOT NULL LIMIT ?",
                (ts(since), limit),
            ),
        ]
        found: list[str] = []
        with self._read() as conn:
            for sql, params in queries:
                found.extend(r[0] for r in conn.execute(sql, params) if r[0] not in found)
        return found[:limit]

    def delete_remote_messages(self, remote_ids: Iterable[str]) -> set[str]:
        """The provider deleted these SMS: they leave the cache (one transaction). A message this
        cache blocked keeps its row and reason (the engine deleted it on the provider on purpose).
        Returns the leads whose conversation changed."""
        ids = list(remote_ids)
        changed: set[str] = set()
        if not ids:
            return changed
        with self._write() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"DELETE FROM messages WHERE remote_id IN ({marks}) AND local_state != 'blocked' "
                    "RETURNING lead_id",
                    chunk,
                ).fetchall()
                changed |= {r[0] for r in rows if r[0] is not None}
        return changed

    def messages_by_remote_ids(self, remote_ids: Iterable[str]) -> list[Message]:
        """The cached messages with these provider ids (500 a query), in no particular order."""
        rows = self._rows_in(f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE remote_id IN", remote_ids)
        return [message_from_row(r) for r in rows]

    def stubs_among(self, lead_ids: Iterable[str]) -> list[str]:
        """Which of these leads are stubs (named by an SMS, not fetched yet)."""
        return [r[0] for r in self._rows_in("SELECT id FROM leads WHERE is_stub = 1 AND id IN", lead_ids)]

    def _rows_in(self, select: str, ids: Iterable[str]) -> list[Any]:
        """`select` ending in `... IN`, run over the distinct `ids` 500 at a time (SQLite's
        parameter limit), all rows in one list."""
        unique = list(dict.fromkeys(ids))
        found: list[Any] = []
        with self._read() as conn:
            for i in range(0, len(unique), 500):
                chunk = unique[i : i + 500]
                found.extend(conn.execute(f"{select} ({','.join('?' * len(chunk))})", chunk))
        return found

    def settle_stubs(self, lead_ids: Iterable[str]) -> None:
        """The provider has no such lead (deleted): stop asking for it; the conversation keeps
        the name it had (the phone)."""
        ids = list(lead_ids)
        with self._write() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                conn.execute(f"UPDATE leads SET is_stub = 0 WHERE is_stub = 1 AND id IN ({marks})", chunk)

    def known_lead_ids(self, lead_ids: Iterable[str]) -> set[str]:
        """Which of these leads the cache holds (lead and contact events of others are skipped)."""
        ids = list(dict.fromkeys(lead_ids))
        known: set[str] = set()
        with self._read() as conn:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                known |= {r[0] for r in conn.execute(f"SELECT id FROM leads WHERE id IN ({marks})", chunk)}
        return known

    def has_due(self, now: datetime) -> bool:
        """Is any outbox row due to be pushed (or any scheduled row not yet on the provider)?"""
        with self._read() as conn:
            due = conn.execute(
                "SELECT 1 FROM messages WHERE local_state = 'outbox' AND send_at <= ? LIMIT 1", (ts(now),)
            ).fetchone()
            if due is not None:
                return True
            return (
                conn.execute(
                    "SELECT 1 FROM messages WHERE local_state = 'scheduled' AND remote_id IS NULL "
                    "AND claimed_by IS NULL LIMIT 1"
                ).fetchone()
                is not None
            )

    def last_local_phone(self, lead_id: str, remote_phone: str) -> str | None:
        """The number this conversation last used on our side (a reply goes from it)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT local_phone FROM messages INDEXED BY messages_lead_time WHERE lead_id = ? "
                "AND remote_phone = ? AND local_phone IS NOT NULL ORDER BY sort_at DESC, local_id DESC "
                "LIMIT 1",
                (lead_id, remote_phone),
            ).fetchone()
        return None if row is None else str(row[0])
