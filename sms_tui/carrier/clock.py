"""The carrier's sense of time.

Every timed behaviour of the fake carrier (outbox -> sent, scheduled -> outbox, late delivery
reports, lead replies) is stored as a due time and processed lazily against a `Clock`, so tests
drive time with `FakeClock.advance()` instead of sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

#: Where a FakeClock starts when none is given: a fixed instant keeps seeds reproducible.
DEFAULT_FAKE_START = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)


@runtime_checkable
class Clock(Protocol):
    """Anything with `now()` returning an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time (what `sms-tui carrier` uses)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to; thread-safe so a test can advance it while uvicorn serves."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or DEFAULT_FAKE_START
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move forward by `seconds` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when` (must not be in the past)."""
        when = when.astimezone(UTC)
        with self._lock:
            if when < self._now:
                raise ValueError("a clock cannot go backwards")
            self._now = when
