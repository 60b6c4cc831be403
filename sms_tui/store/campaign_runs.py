"""The runner's side of bulk campaigns (sync/campaigns.py): when each recipient may go, its
release into the outbox, and what came of it (sent, failed, replied, opted out).

    due_recipients(*, now, limit) / plan_releases / release / sync_outcomes / retry_recipient
    campaign_phone_opted_out(phone, *, now) / campaign_phone_replied(phone, *, at) / campaign_phones_replied
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sms_tui.core.bulk_spec import RecipientState
from sms_tui.store.base import StoreBase
from sms_tui.store.campaign_rows import (
    RECIPIENT_COLUMNS,
    Outcome,
    Recipient,
    dt_or_none,
    finish_if_settled,
    recipient_of,
    set_campaign_state,
)
from sms_tui.store.convert import ts

#: How long after its release a sent message may still turn out failed (a late delivery report).
SETTLING = timedelta(days=1)


class CampaignRunsMixin(StoreBase):
    def block_recipients(self, recipient_ids: Sequence[int], *, reason: str, now: datetime) -> int:
        """Pending recipients that must not be released (e.g. never inside allowed hours)."""
        with self._write() as conn:
            return sum(
                conn.execute(
                    "UPDATE campaign_recipients SET state = 'blocked', error = ?, release_at = NULL, "
                    "updated_at = ? WHERE id = ? AND state = 'pending'",
                    (reason, ts(now), rid),
                ).rowcount
                for rid in recipient_ids
            )

    def campaign_recipient(self, recipient_id: int) -> Recipient | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients WHERE id = ?", (recipient_id,)
            ).fetchone()
        return None if row is None else recipient_of(row)

    def pending_recipients(self, campaign_id: int) -> list[Recipient]:
        """Every pending recipient of a campaign, in order (what the timing core plans)."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients WHERE campaign_id = ? "
                "AND state = 'pending' ORDER BY id",
                (campaign_id,),
            ).fetchall()
        return [recipient_of(r) for r in rows]

    def plan_releases(self, plan: Mapping[int, datetime | None]) -> None:
        """Record when each pending recipient may be released (None: not planned)."""
        with self._write() as conn:
            conn.executemany(
                "UPDATE campaign_recipients SET release_at = ? WHERE id = ? AND state = 'pending'",
                [(ts(at), rid) for rid, at in plan.items()],
            )

    def released_on(self, from_number: str, *, start: datetime, end: datetime) -> int:
        """How many campaign messages this sending number released in [start, end) (daily caps)."""
        return int(
            self._one(
                "SELECT count(*) FROM campaign_recipients WHERE from_number = ? AND released_at >= ? "
                "AND released_at < ? AND local_id IS NOT NULL",
                (from_number, ts(start), ts(end)),
            )
        )

    def release(
        self, recipient_id: int, *, now: datetime, send_at: datetime | None = None, user_id: str | None = None
    ) -> int | None:
        """Put one pending recipient's message in the outbox (state queued) and return its local id.

        In one transaction with a check that the recipient is still pending and its campaign running,
        so pause, cancel and STOP win against a release racing them. None when it is not releasable.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT r.lead_id, r.contact_id, r.phone, r.from_number, r.text, c.template_id "
                "FROM campaign_recipients r JOIN campaigns c ON c.id = r.campaign_id "
                "WHERE r.id = ? AND r.state = 'pending' AND c.state = 'running'",
                (recipient_id,),
            ).fetchone()
            if row is None:
                return None
            lead_id, contact_id, phone, frm, text, template_id = row
            if conn.execute("SELECT 1 FROM leads WHERE id = ?", (lead_id,)).fetchone() is None:
                conn.execute(
                    "UPDATE campaign_recipients SET state = 'failed', error = ?, updated_at = ? WHERE id = ?",
                    ("The lead is no longer in Close.", ts(now), recipient_id),
                )
                return None
            stamp = ts(now)
            local_id = int(
                conn.execute(
                    "INSERT INTO messages (lead_id, contact_id, direction, local_state, text, remote_phone, "
                    "local_phone, send_at, sort_at, date_created, template_id, user_id, is_read) "
                    "VALUES (?, ?, 'outbound', 'outbox', ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    (
                        lead_id,
                        contact_id,
                        text,
                        phone,
                        frm,
                        ts(send_at or now),
                        stamp,
                        stamp,
                        template_id,
                        user_id,
                    ),  # fmt: skip
                ).lastrowid
                or 0
            )
            conn.execute(
                "UPDATE campaign_recipients SET state = 'queued', local_id = ?, released_at = ?, "
                "updated_at = ? WHERE id = ?",
                (local_id, stamp, stamp, recipient_id),
            )
            return local_id

    def sync_outcomes(self, *, now: datetime) -> list[Outcome]:
        """Carry the outbox's outcomes back to queued recipients: sent / failed (with the provider's
        error) / blocked (with the guard's reason). A queued recipient whose message is gone (the rep
        undid it in the conversation) is cancelled. Campaigns with nothing left to do become done."""
        stamp = ts(now)
        out: list[Outcome] = []
        with self._write() as conn:
            # queued ones (a small partial index), then messages that failed since they left: a
            # late delivery report or a refusal at send time turns `sent` into `failed`
            columns = (
                "r.id, r.campaign_id, r.state, m.local_state, coalesce(m.error_message, m.last_error, ''), "
                "coalesce(m.block_reason, ''), m.cost, m.local_id IS NULL"
            )
            rows = conn.execute(
                f"SELECT {columns} FROM campaign_recipients r "
                "LEFT JOIN messages m ON m.local_id = r.local_id WHERE r.state = 'queued'"
            ).fetchall()
            rows += conn.execute(
                f"SELECT {columns} FROM messages m JOIN campaign_recipients r ON r.local_id = m.local_id "
                "WHERE m.local_state = 'error' AND m.send_at >= ? AND r.state IN ('sent', 'replied')",
                (ts(now - SETTLING),),
            ).fetchall()
            campaigns: set[int] = set()
            for rid, cid, current, local_state, error, block, cost, gone in rows:
                state: RecipientState
                if gone:
                    state, why = "cancelled", "The message was taken back before it left."
                elif local_state == "sent":
                    state, why = "sent", ""
                    if current != "queued":
                        continue
                elif local_state == "error":
                    state, why = "failed", error
                elif local_state == "blocked":
                    state, why = "blocked", block
                else:
                    continue
                conn.execute(
                    "UPDATE campaign_recipients SET state = ?, error = ?, cost = ?, updated_at = ? "
                    "WHERE id = ?",
                    (state, why, cost, stamp, rid),
                )
                out.append(Outcome(rid, cid, state, why))
                campaigns.add(cid)
            for (cid,) in conn.execute("SELECT id FROM campaigns WHERE state = 'running'").fetchall():
                finish_if_settled(conn, cid, stamp)
        return out

    def retry_recipient(self, recipient_id: int, *, error: str, release_at: datetime, now: datetime) -> bool:
        """A recipient the carrier refused for throughput (a rate or daily limit, nothing delivered)
        is pending again, released at `release_at` or later; the refused message stays in the
        conversation with its reason (it is the carrier's record). Not once the campaign is
        cancelled; a campaign that looked done runs again for it."""
        with self._write() as conn:
            row = conn.execute(
                "UPDATE campaign_recipients SET state = 'pending', local_id = NULL, released_at = NULL, "
                "release_at = ?, attempts = attempts + 1, error = ?, updated_at = ? WHERE id = ? "
                "AND state IN ('queued', 'sent', 'failed') AND campaign_id IN "
                "(SELECT id FROM campaigns WHERE state IN ('running', 'paused', 'done')) "
                "RETURNING campaign_id",
                (ts(release_at), error, ts(now), recipient_id),
            ).fetchone()
            if row is None:
                return False
            set_campaign_state(conn, int(row[0]), "running", ("done",), now)
            return True

    def due_recipients(self, *, now: datetime, limit: int = 100) -> list[Recipient]:
        """Pending recipients of running campaigns whose planned release has come, earliest first."""
        with self._lock:
            rows = self._conn.execute(
                # `+campaign_id`: walk the partial index of pending ones by release time, in order
                f"SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients WHERE state = 'pending' "
                "AND release_at <= ? AND +campaign_id IN (SELECT id FROM campaigns WHERE state = 'running') "
                "ORDER BY release_at, id LIMIT ?",
                (ts(now), limit),
            ).fetchall()
        return [recipient_of(r) for r in rows]

    def unplanned_campaigns(self) -> list[int]:
        """Running campaigns with a pending recipient not planned yet (new, resumed, or re-planned)."""
        with self._lock:
            return [
                int(r[0])
                for r in self._conn.execute(
                    "SELECT c.id FROM campaigns c WHERE c.state = 'running' AND EXISTS (SELECT 1 FROM "
                    "campaign_recipients r WHERE r.campaign_id = c.id AND r.state = 'pending' "
                    "AND r.release_at IS NULL) ORDER BY c.id"
                )
            ]

    def forget_plan(self, campaign_id: int, *, now: datetime) -> None:
        """Plan the campaign's pending recipients again (the runner was away: late releases are
        re-spaced from now instead of going out in a burst). A retry keeps its earliest moment."""
        with self._write() as conn:
            conn.execute(
                "UPDATE campaign_recipients SET release_at = NULL WHERE campaign_id = ? "
                "AND state = 'pending' AND attempts = 0",
                (campaign_id,),
            )
            conn.execute(
                "UPDATE campaign_recipients SET release_at = NULL WHERE campaign_id = ? "
                "AND state = 'pending' AND attempts > 0 AND release_at IS NOT NULL AND release_at < ?",
                (campaign_id, ts(now)),
            )

    def last_release(self, from_number: str) -> datetime | None:
        """When this sending number last released a campaign message (spacing after a restart)."""
        return dt_or_none(
            self._one(
                "SELECT max(released_at) FROM campaign_recipients WHERE from_number = ?", (from_number,)
            )
        )

    def campaign_phone_opted_out(self, phone: str, *, now: datetime) -> int:
        """A STOP from this number: its recipients that have not left (pending, or queued and still
        unclaimed) are withdrawn, and every recipient of that number is `opted_out`. Returns how many
        messages were stopped before they left."""
        stamp = ts(now)
        with self._write() as conn:
            stopped = conn.execute(
                "DELETE FROM messages WHERE local_id IN (SELECT local_id FROM campaign_recipients "
                "WHERE phone = ? AND state = 'queued') AND local_state = 'outbox' AND claimed_by IS NULL "
                "RETURNING local_id",
                (phone,),
            ).fetchall()
            ids = [r[0] for r in stopped]
            if ids:
                conn.execute(
                    f"UPDATE campaign_recipients SET local_id = NULL, released_at = NULL WHERE local_id IN "
                    f"({','.join('?' * len(ids))})",
                    ids,
                )
            pending = conn.execute(
                "UPDATE campaign_recipients SET state = 'opted_out', release_at = NULL, updated_at = ? "
                "WHERE phone = ? AND (state = 'pending' OR (state = 'queued' AND local_id IS NULL))",
                (stamp, phone),
            ).rowcount
            conn.execute(
                "UPDATE campaign_recipients SET state = 'opted_out', updated_at = ? "
                "WHERE phone = ? AND state IN ('sent', 'replied')",
                (stamp, phone),
            )
            return int(pending)

    def campaign_phone_replied(self, phone: str, *, at: datetime) -> int:
        """An inbound message from this number at `at`: recipients whose message left before it are
        `replied`. Returns how many changed."""
        return self.campaign_phones_replied([(phone, at)])

    def campaign_phones_replied(self, replies: Iterable[tuple[str, datetime]]) -> int:
        """`campaign_phone_replied` for many (phone, at) in one transaction (a poll after a weekend
        brings thousands of replies: one commit each was a quarter of a second)."""
        changed = 0
        with self._write() as conn:
            for phone, at in replies:
                changed += conn.execute(
                    "UPDATE campaign_recipients SET state = 'replied', updated_at = ? "
                    "WHERE phone = ? AND state = 'sent' AND released_at <= ?",
                    (ts(at), phone, ts(at)),
                ).rowcount
        return changed
