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
            elif f.type == "int" or key.startswith("next_") or key in ("retry_after", "status_5xx"):
                if int(value) != value or value < 0:
                    errs[key] = "Must be a whole number, 0 or more."
                    continue
                if key == "status_5xx" and value not in (500, 502, 503, 504):
                    errs[key] = "Must be 500, 502, 503 or 504."
                    continue
                clean[key] = int(value)
            else:
                if value < 0 or value > 3600:
                    errs[key] = "Must be between 0 and 3600."
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
