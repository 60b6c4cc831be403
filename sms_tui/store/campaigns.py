"""Bulk campaigns, durable in the cache: the spec, every recipient and its state (issue 14).

A campaign's messages go through the ordinary outbox: `release` (campaign_runs.py) inserts a
recipient's message into `messages` (state outbox) and records its local id in the same
transaction, so the sync engine's guard, claim and exactly-once push apply unchanged, and a
recipient is released at most once. This module is the rep's side; the rows are in
campaign_rows.py.

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
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TextIO, cast

from sms_tui.core.bulk_spec import RECIPIENT_STATES, CampaignSpec, RecipientState
from sms_tui.store.base import StoreBase
from sms_tui.store.campaign_rows import (
    CAMPAIGN_COLUMNS,
    RECIPIENT_COLUMNS,
    Campaign,
    NewRecipient,
    Progress,
    Recipient,
    Report,
    campaign_of,
    dt_or_none,
    finish_if_settled,
    initial_state,
    recipient_of,
    set_campaign_state,
)
from sms_tui.store.convert import ts
from sms_tui.store.types import StoreError

#: Recipient states whose message left and was taken by the provider (an opted-out recipient whose
#: message had left still has its local_id).
_LEFT = ("sent", "replied")


class CampaignsMixin(StoreBase):
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
                     r.segments, r.est_cost, r.verdict, r.reason, initial_state(r), stamp)
                )  # fmt: skip
            conn.executemany(
                "INSERT INTO campaign_recipients (campaign_id, lead_id, contact_id, display_name, phone, "
                "from_number, tz, text, segments, est_cost, verdict, reason, state, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            finish_if_settled(conn, cid, stamp)
            return cid

    def campaigns(self) -> list[Campaign]:
        """Every campaign, newest first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns c ORDER BY c.id DESC"
            ).fetchall()
        return [campaign_of(r) for r in rows]

    def campaign(self, campaign_id: int) -> Campaign | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {CAMPAIGN_COLUMNS} FROM campaigns c WHERE c.id = ?", (campaign_id,)
            ).fetchone()
        return None if row is None else campaign_of(row)

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
        return Progress(counts=counts, total=sum(counts.values()), finish_at=dt_or_none(last))

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
                f"SELECT {RECIPIENT_COLUMNS} FROM campaign_recipients WHERE {where} "
                "ORDER BY id LIMIT ? OFFSET ?",
                [*params, max(0, limit), max(0, offset)],
            ).fetchall()
        return [recipient_of(r) for r in rows]

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
            if not set_campaign_state(conn, campaign_id, "paused", ("running",), now):
                return 0
            return _withdraw(conn, campaign_id, "pending", now)

    def resume_campaign(self, campaign_id: int, *, now: datetime) -> bool:
        """A paused campaign runs again (the runner re-plans its pending recipients)."""
        with self._write() as conn:
            if not set_campaign_state(conn, campaign_id, "running", ("paused",), now):
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
            if not set_campaign_state(conn, campaign_id, "cancelled", ("running", "paused"), now):
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
