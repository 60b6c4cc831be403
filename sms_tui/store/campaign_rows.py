"""A bulk campaign's rows as the cache keeps them, and the SQL both of its sides share.

`campaigns.py` is the rep's side (create, list, pause, resume, cancel, report, export);
`campaign_runs.py` the runner's (plan, release, outcomes, replies and opt-outs).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import cast

from sms_tui.core.bulk_spec import CampaignSpec, CampaignState, RecipientState, SendMode, Verdict
from sms_tui.store.convert import ts


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


RECIPIENT_COLUMNS = (
    "id, campaign_id, lead_id, contact_id, display_name, phone, from_number, tz, text, segments, est_cost, "
    "verdict, reason, state, release_at, local_id, released_at, attempts, error, cost"
)
CAMPAIGN_COLUMNS = (
    "c.id, c.name, c.text, c.template_id, c.mode, c.schedule_at, c.local_time, c.drip_count, "
    "c.drip_minutes, c.daily_cap, c.state, c.created_at, c.updated_at, "
    "(SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = c.id)"
)


def dt_or_none(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def recipient_of(row: Sequence[object]) -> Recipient:
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
        release_at=dt_or_none(cast("str | None", rel)),
        local_id=cast("int | None", lid),
        released_at=dt_or_none(cast("str | None", released)),
        attempts=cast(int, attempts),
        error=cast(str, error),
        cost=cast("str | None", cost),
    )


def campaign_of(row: Sequence[object]) -> Campaign:
    (cid, name, text, template_id, mode, at, local, n, m, cap, state, created, updated, total) = row
    spec = CampaignSpec(
        name=cast(str, name),
        text=cast(str, text),
        template_id=cast("str | None", template_id),
        mode=cast(SendMode, mode),
        at=dt_or_none(cast("str | None", at)),
        local_time=None if local is None else time.fromisoformat(cast(str, local)),
        drip_count=cast(int, n),
        drip_minutes=cast(int, m),
        daily_cap=cast("int | None", cap),
    )
    created_dt = dt_or_none(cast(str, created))
    updated_dt = dt_or_none(cast(str, updated))
    assert created_dt is not None and updated_dt is not None
    return Campaign(
        id=cast(int, cid),
        spec=spec,
        state=cast(CampaignState, state),
        created_at=created_dt,
        updated_at=updated_dt,
        total=cast(int, total),
    )


def initial_state(r: NewRecipient) -> RecipientState:
    if r.skipped:
        return "skipped"
    if r.verdict == "block":
        return "blocked"
    return "pending"


def set_campaign_state(
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


def finish_if_settled(conn: sqlite3.Connection, campaign_id: int, stamp: str | None) -> None:
    conn.execute(
        "UPDATE campaigns SET state = 'done', updated_at = ? WHERE id = ? AND state = 'running' "
        "AND NOT EXISTS (SELECT 1 FROM campaign_recipients WHERE campaign_id = ? "
        "AND state IN ('pending', 'queued'))",
        (stamp, campaign_id, campaign_id),
    )
