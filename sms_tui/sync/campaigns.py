"""The bulk campaign runner, one step per engine push (issue 14).

A step, all state in the cache (a runner can be dropped at any moment and another carries on):

1. outcomes: queued recipients take their message's outcome (sent / failed / blocked); a message the
   carrier refused for throughput (Twilio 30022 rate limits, 14107 send rate, 30023 daily cap) puts
   its recipient back to pending, released again later (backing off; the next day for a daily cap);
2. planning: running campaigns with unplanned pending recipients (new, resumed, or released late
   because the app was closed) are planned by core/drip.py (throughput per sending number, schedule,
   drip, daily caps, quiet hours);
3. releases: due recipients go into the ordinary outbox (store.release, one transaction each), so the
   send guard, the claim and the exactly-once push apply unchanged. Right before each release the
   recipient's opt-out, their quiet hours and the number's daily cap are checked again.

A STOP (any path the engine learns it by) withdraws what has not left (`opted_out`); a reply marks
`replied`. Paused and cancelled campaigns release nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules, classify_keyword
from sms_tui.core.drip import Pacing, Pending, Usage, hours_for, plan, spacing
from sms_tui.core.models import Message
from sms_tui.store import Store
from sms_tui.store.campaign_rows import Campaign, Outcome, Recipient

log = logging.getLogger("sms_tui.sync")

#: Carrier errors that mean "too fast or too many today", not "this recipient cannot be texted".
THROUGHPUT_CODES = re.compile(r"\b(30022|14107)\b")
DAILY_CAP_CODES = re.compile(r"\b30023\b")
#: A throughput refusal is retried after 1, 2, 4 … 15 minutes; after this many it counts as failed.
MAX_RETRIES = 8
#: A planned release this late (the runner was away) is re-planned from now instead of going in a burst.
LATE = timedelta(minutes=2)
NO_HOURS = "Quiet hours: no hour in the next 60 days when this contact may be texted."
#: At most this many releases per step (the push that follows sends them one by one).
RELEASES_PER_STEP = 50


@dataclass
class RunReport:
    released: int = 0
    retried: int = 0
    opted_out: int = 0
    planned: int = 0
    changed_lead_ids: set[str] = field(default_factory=set)
    outcomes: list[Outcome] = field(default_factory=list)


class CampaignRunner:
    def __init__(
        self,
        store: Store,
        *,
        now: Callable[[], datetime],
        rules: ComplianceRules = DEFAULT_RULES,
        pacing: Pacing | None = None,
        user_id: str | None = None,
    ) -> None:
        self.store = store
        self.now = now
        self.rules = rules
        self.pacing = pacing or Pacing()
        self.user_id = user_id

    async def step(self) -> RunReport:
        report = RunReport()
        now = self.now()
        to_plan: set[int] = set()
        for outcome in self.store.sync_outcomes(now=now):
            report.outcomes.append(outcome)
            if outcome.state == "failed" and self._maybe_retry(outcome, now, report):
                to_plan.add(outcome.campaign_id)
        to_plan |= self._late_campaigns(now)
        to_plan |= set(self.store.unplanned_campaigns())
        for campaign_id in sorted(to_plan):
            campaign = self.store.campaign(campaign_id)
            if campaign is not None and campaign.state == "running":
                self.store.forget_plan(campaign_id, now=now)
                report.planned += await self._plan(campaign, now)
        self._release_due(now, report)
        return report

    # -- outcomes ------------------------------------------------------------------------------------

    def _maybe_retry(self, outcome: Outcome, now: datetime, report: RunReport) -> bool:
        """A refusal for throughput is tried again later; True when it was."""
        daily = DAILY_CAP_CODES.search(outcome.error) is not None
        if not daily and THROUGHPUT_CODES.search(outcome.error) is None:
            return False
        recipient = self.store.campaign_recipient(outcome.recipient_id)
        if recipient is None or recipient.attempts >= MAX_RETRIES:
            return False
        if daily:
            at = self.pacing.day_start(self.pacing.day_of(now) + timedelta(days=1))
        else:
            at = now + min(timedelta(minutes=15), timedelta(minutes=2**recipient.attempts))
        if not self.store.retry_recipient(recipient.id, error=outcome.error, release_at=at, now=now):
            return False
        report.retried += 1
        log.info("campaign recipient %s refused for throughput; retried from %s", recipient.id, at)
        return True

    # -- planning ------------------------------------------------------------------------------------

    def _late_campaigns(self, now: datetime) -> set[int]:
        return {r.campaign_id for r in self.store.due_recipients(now=now - LATE, limit=1)}

    async def _plan(self, campaign: Campaign, now: datetime) -> int:
        recipients = self.store.pending_recipients(campaign.id)
        pending = [
            Pending(r.id, r.phone, r.from_number, r.segments, r.tz, not_before=r.release_at)
            for r in recipients
        ]
        usage = self._usage({r.from_number for r in recipients}, now)
        pacing, rules, spec = self.pacing, self.rules, campaign.spec
        # Thousands of recipients take a moment (phone look-ups): off the event loop.
        planned = await asyncio.to_thread(
            plan, pending, spec, now=now, anchor=campaign.created_at, pacing=pacing, rules=rules, usage=usage
        )
        never = [rid for rid, at in planned.items() if at is None]
        if never:
            log.warning(
                "campaign %s: %d recipients have no allowed hour to be texted", campaign.id, len(never)
            )
        self.store.plan_releases(planned)
        return len(planned) - len(never)

    def _usage(self, numbers: Iterable[str], now: datetime) -> Usage:
        day = self.pacing.day_of(now)
        start = self.pacing.day_start(day)
        end = self.pacing.day_start(day + timedelta(days=1))
        next_free: dict[str, datetime] = {}
        sent_on = {}
        for number in numbers:
            sent_on[(number, day)] = self.store.released_on(number, start=start, end=end)
            last = self.store.last_release(number)
            if last is not None:
                next_free[number] = max(now, last + spacing(1, self.pacing.rate(number)))
        return Usage(next_free=next_free, sent_on=sent_on)

    # -- releases ------------------------------------------------------------------------------------

    def _release_due(self, now: datetime, report: RunReport) -> None:
        caps: dict[int, int | None] = {}
        for r in self.store.due_recipients(now=now, limit=RELEASES_PER_STEP):
            if self.store.phone_flags(r.phone)[0]:
                report.opted_out += self.store.campaign_phone_opted_out(r.phone, now=now)
                continue
            hours = hours_for(r.phone, r.tz, self.rules)
            if not hours.allows(now):  # the rules changed since the plan, or the plan is stale
                self.store.plan_releases({r.id: hours.next_open(now)})
                continue
            if r.campaign_id not in caps:
                campaign = self.store.campaign(r.campaign_id)
                caps[r.campaign_id] = None if campaign is None else campaign.spec.daily_cap
            cap = caps[r.campaign_id] if caps[r.campaign_id] is not None else self.pacing.daily_cap
            if cap is not None and self._released_today(r, now) >= cap:
                self.store.plan_releases(
                    {r.id: self.pacing.day_start(self.pacing.day_of(now) + timedelta(days=1))}
                )
                continue
            local_id = self.store.release(r.id, now=now, user_id=self.user_id)
            if local_id is not None:
                report.released += 1
                report.changed_lead_ids.add(r.lead_id)

    def _released_today(self, r: Recipient, now: datetime) -> int:
        day = self.pacing.day_of(now)
        return self.store.released_on(
            r.from_number,
            start=self.pacing.day_start(day),
            end=self.pacing.day_start(day + timedelta(days=1)),
        )

    # -- what the engine learns from the provider ----------------------------------------------------

    def opted_out(self, phone: str) -> int:
        """A STOP from this phone: its campaign messages that have not left are withdrawn."""
        return self.store.campaign_phone_opted_out(phone, now=self.now())

    def inbound(self, messages: Iterable[Message]) -> int:
        """New replies: recipients whose message left before the reply are `replied` (a STOP is
        an opt-out, handled by `opted_out` through the engine's opt-out path)."""
        return self.store.campaign_phones_replied(
            (m.remote_phone, m.date_created or self.now())
            for m in messages
            if m.direction == "inbound" and m.remote_phone and classify_keyword(m.text) != "opt_out"
        )
