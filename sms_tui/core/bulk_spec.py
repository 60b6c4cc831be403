"""What a bulk campaign is, as data: its send mode and the states of a campaign and of a recipient.

Shared by the store (which keeps campaigns durable), the timing core (core/drip.py), the runner in the
sync engine, the UI and the `sms-tui bulk` command. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

#: now      -- throttled per sending number, as fast as the carrier allows
#: schedule -- at one moment (`at`), or at a local time in each lead's own zone (`local_time`)
#: drip     -- `drip_count` messages every `drip_minutes` minutes, inside each lead's allowed hours
SendMode = Literal["now", "schedule", "drip"]
CampaignState = Literal["running", "paused", "cancelled", "done"]
#: pending    -- waiting for its release time (or for the campaign to be resumed)
#: queued     -- released into the outbox (local_id set); not yet known to have left
#: sent       -- the provider took it (sent, or accepted on its way)
#: failed     -- the provider refused it for good (error says why)
#: blocked    -- the send guard stopped it (at preview, or right before the push)
#: skipped    -- the rep left it out at preview
#: cancelled  -- the campaign was cancelled before it left
#: replied    -- sent, and the lead answered since
#: opted_out  -- the lead sent STOP (before or after their message left)
RecipientState = Literal[
    "pending", "queued", "sent", "failed", "blocked", "skipped", "cancelled", "replied", "opted_out"
]
RECIPIENT_STATES: tuple[RecipientState, ...] = (
    "pending", "queued", "sent", "failed", "blocked", "skipped", "cancelled", "replied", "opted_out"
)  # fmt: skip
#: A recipient in one of these states will not be released any more.
FINAL_STATES: frozenset[RecipientState] = frozenset(
    {"sent", "failed", "blocked", "skipped", "cancelled", "replied", "opted_out"}
)
Verdict = Literal["ok", "warn", "block"]


class SpecError(ValueError):
    """A campaign spec that cannot run (a sentence for the rep)."""


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    """How a campaign sends. Construct it and call `check()` (the store does) to get SpecError early."""

    name: str
    text: str = ""  # the composed text, merge fields unrendered ("" when a template is used)
    template_id: str | None = None
    mode: SendMode = "now"
    at: datetime | None = None  # schedule: one moment (aware)
    local_time: time | None = None  # schedule: this wall-clock time in each lead's own zone
    drip_count: int = 0  # drip: N messages ...
    drip_minutes: int = 0  # ... every M minutes
    daily_cap: int | None = None  # per sending number per day (any mode); None = no cap

    def check(self) -> None:
        if not self.name.strip():
            raise SpecError("A campaign needs a name.")
        if not self.text.strip() and not self.template_id:
            raise SpecError("A campaign needs a text or a template.")
        if self.mode == "schedule":
            if (self.at is None) == (self.local_time is None):
                raise SpecError("A scheduled campaign needs one moment or one local time (not both).")
            if self.at is not None and (self.at.tzinfo is None or self.at.utcoffset() is None):
                raise SpecError("A scheduled moment needs a time zone.")
        elif self.at is not None or self.local_time is not None:
            raise SpecError("Only a scheduled campaign takes a moment or a local time.")
        if self.mode == "drip":
            if self.drip_count < 1 or self.drip_minutes < 1:
                raise SpecError("A drip sends at least 1 message every 1 minute or more (N/M).")
        elif self.drip_count or self.drip_minutes:
            raise SpecError("Only a drip campaign takes N messages every M minutes.")
        if self.daily_cap is not None and self.daily_cap < 1:
            raise SpecError("A daily cap is at least 1 message per sending number.")
