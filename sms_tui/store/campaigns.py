"""Bulk campaigns, durable in the cache: the spec, every recipient and its state (issue 14).

A campaign's messages go through the ordinary outbox: `release` inserts a recipient's message into
`messages` (state outbox) and records its local id in the same transaction, so the sync engine's guard,
claim and exactly-once push apply unchanged, and a recipient is released at most once. The runner
(sync/campaigns.py) reads outcomes back with `sync_outcomes`.

    create_campaign(spec, recipients, *, now) -> campaign id
    campaigns() -> list[Campaign]                   newest first
    campaign(campaign_id) -> Campaign | None
    campaign_progress(campaign_id) -> Progress      counts per recipient state, finish estimate
    campaign_recipients(campaign_id, *, offset=0, limit=100, state=None) -> list[Recipient]
    pause_campaign(id, *, now) -> int               pending again: what was queued and had not left
    resume_campaign(id, *, now) -> bool
    cancel_campaign(id, *, now) -> int              how many were removed (had not left)
    campaign_report(campaign_id) -> Report
    export_campaign_csv(campaign_id, out)           one row per recipient
  runner side
    due_recipients(*, now, limit) / plan_releases / release / sync_outcomes / retry_recipient
    campaign_phone_opted_out(phone, *, now) / campaign_phone_replied(phone, *, at) / campaign_phones_replied
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TextIO, cast

from sms_tui.core.bulk_spec import (
    RECIPIENT_STATES,
    CampaignSpec,
    CampaignState,
    RecipientState,
    SendMode,
    Verdict,
)
from sms_tui.store.base import StoreBase
from sms_tui.store.convert import ts
from sms_tui.store.types import StoreError

#: How long after its release a sent message may still turn out failed (a late delivery report).
SETTLING = timedelta(days=1)
#: Recipient states whose message left and was taken by the provider (an opted-out recipient whose
#: message had left still has its local_id).
_LEFT = ("sent", "replied")


@dataclass(frozen=True, slots=True)
class NewRecipient:
    """One recipient as the preview settled it (h14a's core/campaign.py makes these)."""

    lead_id: str
    phone: str  # E.164
    from_number: str  # E.164
    text: str  # the final text
    segments: int = 1
    verdict: Verdict = "ok"
    reason: str = ""
    contact_id: str | None = None
    display_name: str = ""
    tz: str = ""
    est_cost: float = 0.0  # US cents
    skipped: bool = False  # the rep left this one out


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    spec: CampaignSpec
    state: CampaignState
    created_at: datetime
    updated_at: datetime
    total: int


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    campaign_id: int
    lead_id: str
    contact_id: str | None
    display_name: str
    phone: str
    from_number: str
    tz: str
    text: str
    segments: int
    est_cost: float
    verdict: Verdict
    reason: str
    state: RecipientState
    release_at: datetime | None
    local_id: int | None
    released_at: datetime | None
    attempts: int
    error: str
    cost: str | None  # the provider's cost when the outcome was recorded (reports read the latest)


@dataclass(frozen=True, slots=True)
class Progress:
    counts: Mapping[RecipientState, int]  # every state, 0 when none
    total: int
    finish_at: datetime | None  # the last planned release of what is still pending (None: nothing planned)

    @property
    def done(self) -> int:
        """Recipients that will not be released any more."""
        return self.total - self.counts["pending"] - self.counts["queued"]


@dataclass(frozen=True, slots=True)
class Report:
    sent: int  # left and taken by the provider (replied ones, and those who opted out after, included)
    failed: int
    failures: tuple[tuple[str, int], ...]  # (reason, how many), most frequent first
    blocked: int
    blocks: tuple[tuple[str, int], ...]
    replied: int
    opted_out: int
    skipped: int
    cancelled: int
    pending: int  # pending + queued: not settled yet
    segments: int  # segments of what left
    cost_cents: float  # the provider's cost of what left
    est_cost_cents: float  # the preview's estimate for everyone the preview let through


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `sync_outcomes` changed: one recipient, its new state."""

    recipient_id: int
    campaign_id: int
    state: RecipientState
    error: str


_RECIPIENT_COLUMNS = (
    "id, campaign_id, lead_id, contact_id, display_name, phone, from_number, tz, text, segments, est_cost, "
    "verdict, reason, state, release_at, local_id, released_at, attempts, error, cost"
)
_CAMPAIGN_COLUMNS = (
    "c.id, c.name, c.text, c.template_id, c.mode, c.schedule_at, c.local_time, c.drip_count, "
    "c.drip_minutes, c.daily_cap, c.state, c.created_at, c.updated_at, "
    "(SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = c.id)"
)


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _recipient(row: Sequence[object]) -> Recipient:
    (rid, cid, lead, contact, name, phone, frm, tz, text, segs, est, verdict, reason, state, rel, lid,
     released, attempts, error, cost) = row  # fmt: skip
    return Recipient(
        id=cast(int, rid),
        campaign_id=cast(int, cid),
        lead_id=cast(str, lead),
        contact_id=cast("str | None", contact),
        display_name=cast(str, name),
        phone=cast(str, phone),
        from_number=cast(str, frm),
        tz=cast(str, tz),
        text=cast(str, text),
        segments=cast(int, segs),
        est_cost=float(cast(float, est)),
        verdict=cast(Verdict, verdict),
        reason=cast(str, reason),
        state=cast(RecipientState, state),
        release_at=_dt(cast("str | None", rel)),
        local_id=cast("int | None", lid),
        released_at=_dt(cast("str | None", released)),
        attempts=cast(int, attempts),
        error=cast(str, error),
        cost=cast("str | None", cost),
    )


def _campaign(row: Sequence[object]) -> Campaign:
    (cid, name, text, template_id, mode, at, local, n, m, cap, state, created, updated, total) = row
    spec = CampaignSpec(
        name=cast(str, name),
        text=cast(str, text),
        template_id=cast("str | None", template_id),
        mode=cast(SendMode, mode),
        at=_dt(cast("str | None", at)),
        local_time=None if local is None else time.fromisoformat(cast(str, local)),
        drip_count=cast(int, n),
        drip_minutes=cast(int, m),
        daily_cap=cast("int | None", cap),
    )
    created_dt = _dt(cast(str, created))
    updated_dt = _dt(cast(str, updated))
    assert created_dt is not None and updated_dt is not None
    return Campaign(
        id=cast(int, cid),
        spec=spec,
        state=cast(CampaignState, state),
        created_at=created_dt,
        updated_at=updated_dt,
        total=cast(int, total),
    )


def _initial_state(r: NewRecipient) -> RecipientState:
    if r.skipped:
        return "skipped"
    if r.verdict == "block":
        return "blocked"
    return "pending"


class CampaignsMixin(StoreBase):
    # -- the rep's side ----------------------------------------------------------------------------

    def create_campaign(
        self, spec: CampaignSpec, recipients: Iterable[NewRecipient], *, now: datetime
    ) -> int:
        """Store a campaign (state running) and its recipients in one transaction; returns its id.

        Skipped recipients are kept as `skipped`, blocked ones as `blocked` (with the preview's reason):
        the report accounts for everyone the rep chose. Raises SpecError for a spec that cannot run,
        StoreError for a recipient without a phone or sending number.
        """
        spec.check()
        stamp = ts(now)
        with self._write() as conn:
            cid = int(
                conn.execute(
                    "INSERT INTO campaigns (name, text, template_id, mode, schedule_at, local_time, "
                    "drip_count, drip_minutes, daily_cap, state, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)",
                    (
                        spec.name.strip(),
                        spec.text,
                        spec.template_id,
                        spec.mode,
                        ts(spec.at),
                        None if spec.local_time is None else spec.local_time.strftime("%H:%M"),
                        spec.drip_count,
                        spec.drip_minutes,
                        spec.daily_cap,
                        stamp,
                        stamp,
                    ),
                ).lastrowid
                or 0
            )
            rows = []
            for r in recipients:
                if not r.phone or not r.from_number:
                    raise StoreError(f"recipient {r.lead_id} has no phone or no sending number")
                if r.segments < 0:
                    raise StoreError(f"recipient {r.lead_id}: negative segment count")
                rows.append(
                    (cid, r.lead_id, r.contact_id, r.display_name, r.phone, r.from_number, r.tz, r.text,
                     r.segments, r.est_cost, r.verdict, r.reason, _initial_state(r), stamp)
                )  # fmt: skip
            conn.executemany(
                "INSERT INTO campaign_recipients (campaign_id, lead_id, contact_id, display_name, phone, "
                "from_number, tz, text, segments, est_cost, verdict, reason, state, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            _finish_if_settled(conn, cid, stamp)
            return cid

    def campaigns(self) -> list[Campaign]:
        """Every campaign, newest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_CAMPAIGN_COLUMNS} FROM campaigns c ORDER BY c.id DESC"
            ).fetchall()
        return [_campaign(r) for r in rows]

    def campaign(self, campaign_id: int) -> Campaign | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.id = ?", (campaign_id,)
            ).fetchone()
        return None if row is None else _campaign(row)

    def campaign_progress(self, campaign_id: int) -> Progress:
        """Counts per recipient state (every state present, 0 when none) and the finish estimate."""
        with self._read() as conn:
            counts: dict[RecipientState, int] = dict.fromkeys(RECIPIENT_STATES, 0)
            for state, n in conn.execute(
                "SELECT state, count(*) FROM campaign_recipients WHERE campaign_id = ? GROUP BY state",
                (campaign_id,),
            ):
                counts[cast(RecipientState, state)] = int(n)
            last = conn.execute(
                "SELECT max(release_at) FROM campaign_recipients WHERE campaign_id = ? AND state = 'pending'",
                (campaign_id,),
            ).fetchone()[0]
        return Progress(counts=counts, total=sum(counts.values()), finish_at=_dt(last))

    def campaign_recipients(
        self,
        campaign_id: int,
        *,
        offset: int = 0,
        limit: int = 100,
        state: RecipientState | Sequence[RecipientState] | None = None,
    ) -> list[Recipient]:
        """One page of recipients in the order they were chosen, optionally of some states only."""
        where, params = "campaign_id = ?", [campaign_id]
        if state is not None:
            states = [state] if isinstance(state, str) else list(state)
            where += f" AND state IN ({','.join('?' * len(states))})"
            params += states  # type: ignore[arg-type]
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_RECIPIENT_COLUMNS} FROM campaign_recipients WHERE {where} "
                "ORDER BY id LIMIT ? OFFSET ?",
                [*params, max(0, limit), max(0, offset)],
            ).fetchall()
        return [_recipient(r) for r in rows]

    def count_campaign_recipients(
        self, campaign_id: int, state: RecipientState | Sequence[RecipientState] | None = None
    ) -> int:
        where, params = "campaign_id = ?", [campaign_id]
        if state is not None:
            states = [state] if isinstance(state, str) else list(state)
            where += f" AND state IN ({','.join('?' * len(states))})"
            params += states  # type: ignore[arg-type]
        return int(self._one(f"SELECT count(*) FROM campaign_recipients WHERE {where}", params))

    def pause_campaign(self, campaign_id: int, *, now: datetime) -> int:
        """Stop releasing; messages released but still waiting in the outbox (unclaimed) come back
        out and their recipients are pending again. Returns how many came back."""
        with self._write() as conn:
            if not _set_state(conn, campaign_id, "paused", ("running",), now):
                return 0
            return _withdraw(conn, campaign_id, "pending", now)

    def resume_campaign(self, campaign_id: int, *, now: datetime) -> bool:
        """A paused campaign runs again (the runner re-plans its pending recipients)."""
        with self._write() as conn:
            if not _set_state(conn, campaign_id, "running", ("paused",), now):
                return False
            conn.execute(
                "UPDATE campaign_recipients SET release_at = NULL "
                "WHERE campaign_id = ? AND state = 'pending'",
                (campaign_id,),
            )
            return True

    def cancel_campaign(self, campaign_id: int, *, now: datetime) -> int:
        """Cancel: everything that has not left is removed (pending, and queued messages still
        unclaimed in the outbox). Returns how many were removed; what is in flight finishes."""
        with self._write() as conn:
            if not _set_state(conn, campaign_id, "cancelled", ("running", "paused"), now):
                return 0
            removed = _withdraw(conn, campaign_id, "cancelled", now)
            removed += conn.execute(
                "UPDATE campaign_recipients SET state = 'cancelled', release_at = NULL, updated_at = ? "
                "WHERE campaign_id = ? AND state = 'pending'",
                (ts(now), campaign_id),
            ).rowcount
            return removed

    def delete_campaign(self, campaign_id: int) -> bool:
        """Forget a campaign that is not running (its messages stay in the conversations)."""
        with self._write() as conn:
            return (
                conn.execute(
                    "DELETE FROM campaigns WHERE id = ? AND state IN ('cancelled', 'done')", (campaign_id,)
                ).rowcount
                == 1
            )

    def campaign_report(self, campaign_id: int) -> Report:
        with self._read() as conn:
            counts: dict[str, int] = dict.fromkeys(RECIPIENT_STATES, 0)
            for state, n in conn.execute(
                "SELECT state, count(*) FROM campaign_recipients WHERE campaign_id = ? GROUP BY state",
                (campaign_id,),
            ):
                counts[state] = int(n)
            marks = ",".join("?" * len(_LEFT))
            left, segments, cost = conn.execute(
                "SELECT count(*), coalesce(sum(r.segments), 0), "
                "coalesce(sum(CAST(coalesce(m.cost, r.cost) AS REAL)), 0) FROM campaign_recipients r "
                "LEFT JOIN messages m ON m.local_id = r.local_id WHERE r.campaign_id = ? "
                f"AND (r.state IN ({marks}) OR (r.state = 'opted_out' AND r.local_id IS NOT NULL))",
                (campaign_id, *_LEFT),
            ).fetchone()
            est = conn.execute(
                "SELECT coalesce(sum(est_cost), 0) FROM campaign_recipients WHERE campaign_id = ? "
                "AND verdict <> 'block' AND state <> 'skipped'",
                (campaign_id,),
            ).fetchone()[0]
            failures = _reasons(conn, campaign_id, "failed", "error")
            blocks = _reasons(conn, campaign_id, "blocked", "coalesce(nullif(error, ''), reason)")
        return Report(
            sent=int(left),
            failed=counts["failed"],
            failures=failures,
            blocked=counts["blocked"],
            blocks=blocks,
            replied=counts["replied"],
            opted_out=counts["opted_out"],
            skipped=counts["skipped"],
            cancelled=counts["cancelled"],
            pending=counts["pending"] + counts["queued"],
            segments=int(segments),
            cost_cents=float(cost),
            est_cost_cents=float(est),
        )

    def export_campaign_csv(self, campaign_id: int, out: TextIO) -> int:
        """Write one CSV row per recipient (with a header); returns the number of rows.

        Cells that a spreadsheet would run as a formula (=, +, -, @ first; phone numbers aside) are
        prefixed with an apostrophe: names and texts come from outside.
        """
        writer = csv.writer(out)
        writer.writerow(
            ["lead_id", "contact_id", "name", "phone", "from_number", "state", "verdict", "reason",
             "error", "segments", "est_cost_cents", "cost_cents", "released_at", "remote_id", "text"]
        )  # fmt: skip
        n = 0
        with self._read() as conn:
            for row in conn.execute(
                "SELECT r.lead_id, r.contact_id, r.display_name, r.phone, r.from_number, r.state, r.verdict, "
                "r.reason, r.error, r.segments, r.est_cost, coalesce(m.cost, r.cost), r.released_at, "
                "m.remote_id, r.text "
                "FROM campaign_recipients r LEFT JOIN messages m ON m.local_id = r.local_id "
                "WHERE r.campaign_id = ? ORDER BY r.id",
                (campaign_id,),
            ):
                (lead, contact, name, phone, frm, state, verdict, reason, error, segs, est, cost, rel,
                 rid, text) = row  # fmt: skip
                writer.writerow(
                    [_cell(lead), _cell(contact or ""), _cell(name), phone, frm, state, verdict,
                     _cell(reason), _cell(error), segs, f"{est:g}", cost or "", rel or "", rid or "",
                     _cell(text)]
                )  # fmt: skip
                n += 1
        return n

    # -- the runner's side -------------------------------------------------------------------------

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
                f"SELECT {_RECIPIENT_COLUMNS} FROM campaign_recipients WHERE id = ?", (recipient_id,)
            ).fetchone()
        return None if row is None else _recipient(row)

    def pending_recipients(self, campaign_id: int) -> list[Recipient]:
        """Every pending recipient of a campaign, in order (what the timing core plans)."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_RECIPIENT_COLUMNS} FROM campaign_recipients WHERE campaign_id = ? "
                "AND state = 'pending' ORDER BY id",
                (campaign_id,),
            ).fetchall()
        return [_recipient(r) for r in rows]

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
                _finish_if_settled(conn, cid, stamp)
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
            _set_state(conn, int(row[0]), "running", ("done",), now)
            return True

    def due_recipients(self, *, now: datetime, limit: int = 100) -> list[Recipient]:
        """Pending recipients of running campaigns whose planned release has come, earliest first."""
        with self._lock:
            rows = self._conn.execute(
                # `+campaign_id`: walk the partial index of pending ones by release time, in order
                f"SELECT {_RECIPIENT_COLUMNS} FROM campaign_recipients WHERE state = 'pending' "
                "AND release_at <= ? AND +campaign_id IN (SELECT id FROM campaigns WHERE state = 'running') "
                "ORDER BY release_at, id LIMIT ?",
                (ts(now), limit),
            ).fetchall()
        return [_recipient(r) for r in rows]

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
        return _dt(
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


def _set_state(
    conn: sqlite3.Connection, campaign_id: int, state: CampaignState, allowed: tuple[str, ...], now: datetime
) -> bool:
    marks = ",".join("?" * len(allowed))
    return (
        conn.execute(
            f"UPDATE campaigns SET state = ?, updated_at = ? WHERE id = ? AND state IN ({marks})",
            (state, ts(now), campaign_id, *allowed),
        ).rowcount
        == 1
    )


def _withdraw(conn: sqlite3.Connection, campaign_id: int, to: RecipientState, now: datetime) -> int:
    """Take the campaign's queued messages that are still unclaimed in the outbox back out; their
    recipients become `to`. Returns how many."""
    gone = conn.execute(
        "DELETE FROM messages WHERE local_id IN (SELECT local_id FROM campaign_recipients "
        "WHERE campaign_id = ? AND state = 'queued') AND local_state = 'outbox' AND claimed_by IS NULL "
        "RETURNING local_id",
        (campaign_id,),
    ).fetchall()
    ids = [r[0] for r in gone]
    if not ids:
        return 0
    conn.execute(
        f"UPDATE campaign_recipients SET state = ?, local_id = NULL, released_at = NULL, release_at = NULL, "
        f"updated_at = ? WHERE local_id IN ({','.join('?' * len(ids))})",
        (to, ts(now), *ids),
    )
    return len(ids)


def _finish_if_settled(conn: sqlite3.Connection, campaign_id: int, stamp: str | None) -> None:
    conn.execute(
        "UPDATE campaigns SET state = 'done', updated_at = ? WHERE id = ? AND state = 'running' "
        "AND NOT EXISTS (SELECT 1 FROM campaign_recipients WHERE campaign_id = ? "
        "AND state IN ('pending', 'queued'))",
        (stamp, campaign_id, campaign_id),
    )


def _reasons(
    conn: sqlite3.Connection, campaign_id: int, state: str, column: str
) -> tuple[tuple[str, int], ...]:
    rows = conn.execute(
        f"SELECT {column} AS why, count(*) AS n FROM campaign_recipients WHERE campaign_id = ? AND state = ? "
        "GROUP BY why ORDER BY n DESC, why",
        (campaign_id, state),
    ).fetchall()
    return tuple((str(why or "no reason given"), int(n)) for why, n in rows)


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
