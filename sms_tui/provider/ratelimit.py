"""Reading Close's rate-limit headers and computing retry waits (provider-api.md §a.9, §e #7-#8).

Headers first, body never required: ingress 429s carry no JSON at all. The `RateLimit` header is
parsed key by key (order- and spacing-tolerant, decimals kept) because the official client's exact
regex silently truncated `reset=1.5` to 1.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

_PAIR = re.compile(r"([a-z_-]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """The last `RateLimit: limit=…, remaining=…, reset=…` the provider sent."""

    limit: int | None
    remaining: int | None
    reset: float | None  # seconds until the window resets

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimitInfo | None:
    raw = headers.get("ratelimit")
    if raw is None:
        return None
    values = {key.lower(): float(num) for key, num in _PAIR.findall(raw)}
    if not values:
        return None
    limit = values.get("limit")
    remaining = values.get("remaining")
    return RateLimitInfo(
        limit=int(limit) if limit is not None else None,
        remaining=int(remaining) if remaining is not None else None,
        reset=values.get("reset"),
    )


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date), else `RateLimit` reset."""
    raw = headers.get("retry-after")
    if raw is not None:
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                when = parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                date_header = headers.get("date")
                try:
                    now = parsedate_to_datetime(date_header) if date_header else None
                except (TypeError, ValueError):
                    now = None
                if now is not None:
                    return max(0.0, (when - now).total_seconds())
    info = parse_rate_limit(headers)
    if info is not None and info.reset is not None:
        return max(0.0, info.reset)
    return None


def backoff_delay(attempt: int, rng: random.Random, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so retries spread out."""
    ceiling = min(cap, base * (2**attempt))
    return float(ceiling / 2 + rng.random() * ceiling / 2)
