"""Faults on demand, and the simulation knobs that tests and demos turn.

Set with `POST /_carrier/faults` (partial JSON) or `sms-tui carrier --fault NAME=VALUE`.
`rate_*` are probabilities per /api/v1 request (drawn from a seeded RNG, so a seed replays the
same faults); `next_*` are counts that hit the very next requests, which is what tests use.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from sms_tui.carrier.errors import ValidationFailed

FaultKind = Literal["429", "5xx", "slow", "drop"]


@dataclass
class Faults:
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_slow: float = 0.0
    rate_drop_after_store: float = 0.0
    rate_slow_after_store: float = 0.0
    next_429: int = 0
    next_5xx: int = 0
    next_slow: int = 0
    next_drop_after_store: int = 0
    next_slow_after_store: int = 0
    #: seconds a slow answer waits before it is handled
    slow_seconds: float = 5.0
    #: the `reset=` of the RateLimit header and the Retry-After of a 429 (integer seconds)
    retry_after: int = 1
    #: status of an injected server error: 500, 502, 503 or 504
    status_5xx: int = 503
    #: share of sent SMS that get a reply from the lead (simulation)
    reply_rate: float = 0.35
    #: share of sent SMS that fail later with a random carrier error (30003/30004/30005/30008)
    carrier_error_rate: float = 0.02
    # -- MMS (docs/carrier.md "MMS and files") ------------------------------------------------------
    #: share of simulated replies that come with a picture or PDF (one of the bundled samples)
    mms_reply_rate: float = 0.1
    #: the most an MMS may weigh, in KB (1024 bytes), from a local (long code) / toll-free number;
    #: heavier ones fail with Twilio's 30019 when they go out
    mms_limit_long_code_kb: float = 600
    mms_limit_toll_free_kb: float = 1024
    # -- Close's limits (docs/carrier.md "Limits") --------------------------------------------------
    #: requests per `limit_window` per API key and endpoint group (the org gets 3x); 0 = not enforced
    key_limit: int = 0
    limit_window: float = 1.0
    #: `_limit` maxima and `_skip` caps per resource; past a cap: 400 `{"error": "... max_skip = N ..."}`
    max_limit_activity: int = 100
    max_skip_activity: int = 250_000
    max_limit_lead: int = 200
    max_skip_lead: int = 50_000
    max_limit_contact: int = 100
    max_skip_contact: int = 50_000
    max_limit_other: int = 100
    max_skip_other: int = 10_000
    # -- a carrier's per-number limits (docs/carrier.md "Throughput and daily caps", carrier/limits.py)
    #: segments per second per sending number, by kind; 0 = not enforced (30022 when over)
    throughput_long_code: float = 0.0
    throughput_toll_free: float = 0.0
    throughput_short_code: float = 0.0
    #: how far ahead of its rate a number may run before it is refused (seconds of sending)
    throughput_burst_seconds: float = 5.0
    #: messages per sending number per UTC day; 0 = no cap (30023 when over)
    daily_cap: int = 0
    #: messages from one number to the same recipient per minute; 0 = no limit (14107 when over)
    to_number_per_minute: int = 0
    # -- the event log (docs/carrier.md "Event log") ------------------------------------------------
    #: an `updated` within this many seconds of the object's last created/updated event is merged
    #: into it (same id, later date_updated, newer data); 0 = every change is its own event
    event_consolidate_seconds: float = 60.0
    #: share of events that become visible only 1..`event_delay_seconds` s after their date_updated
    event_delay_rate: float = 0.05
    event_delay_seconds: float = 20.0
    #: events older than this are gone (Close keeps 30 days); 0 = keep everything
    event_retention_days: float = 30.0
    #: non-admin keys see `data`/`previous_data` as null once an event is older than this; 0 = always shown
    event_hide_after_seconds: float = 3600.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; raise ValidationFailed (Close's 400 shape) on bad input."""
        known = {f.name: f for f in fields(self)}
        errs: dict[str, str] = {}
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            f = known.get(key)
            if f is None:
                errs[key] = "Unknown field."
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                errs[key] = "Must be a number."
                continue
            if key.startswith("rate_") or key.endswith("_rate"):
                if not 0 <= value <= 1:
                    errs[key] = "Must be between 0 and 1."
                    continue
                clean[key] = float(value)
            elif f.type == "int":
                if int(value) != value or value < 0:
                    errs[key] = "Must be a whole number, 0 or more."
                    continue
                if key == "status_5xx" and value not in (500, 502, 503, 504):
                    errs[key] = "Must be 500, 502, 503 or 504."
                    continue
                clean[key] = int(value)
            else:
                top = 366 if key.endswith("_days") else 3600
                if value < 0 or value > top:
                    errs[key] = f"Must be between 0 and {top}."
                    continue
                clean[key] = float(value)
        if errs:
            raise ValidationFailed([], errs)
        for key, value in clean.items():
            setattr(self, key, value)


class FaultPlan:
    """Decides, request by request, which fault (if any) hits it."""

    def __init__(self, seed: int) -> None:
        self.faults = Faults()
        self._rng = random.Random(f"{seed}:faults")

    def reset(self) -> None:
        self.faults = Faults()

    def _take(self, counter: str, rate: float) -> bool:
        left = getattr(self.faults, counter)
        if left > 0:
            setattr(self.faults, counter, left - 1)
            return True
        return rate > 0 and self._rng.random() < rate

    def before(self) -> FaultKind | None:
        """The fault to inject before handling a request (429, 5xx or slow)."""
        f = self.faults
        if self._take("next_429", f.rate_429):
            return "429"
        if self._take("next_5xx", f.rate_5xx):
            return "5xx"
        if self._take("next_slow", f.rate_slow):
            return "slow"
        return None

    def slow_after_store(self) -> bool:
        """Whether to hold the answer to a stored change for `slow_seconds` (a client time-out)."""
        return self._take("next_slow_after_store", self.faults.rate_slow_after_store)

    def drop_after_store(self) -> bool:
        """Whether to drop the connection after a change was stored."""
        return self._take("next_drop_after_store", self.faults.rate_drop_after_store)
