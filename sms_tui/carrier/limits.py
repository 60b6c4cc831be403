"""Per-number throughput and daily caps, as a real carrier enforces them (issue 14, bulk texting).

When an outbox SMS reaches the carrier (`simulation._send`) it may be refused — status `error`, nothing
sent, no cost, as Twilio reports it to Close — for going too fast or too often:

- **30022** "US A2P 10DLC - Rate Limits Exceeded": the sending number is over its throughput, in
  segments per second by kind (`throughput_long_code`, `throughput_toll_free`, `throughput_short_code`),
  with a burst of `throughput_burst_seconds` worth (the carrier's own queue absorbs a short burst, and
  its 0.5–5 s delivery delay jitters arrival times);
- **14107** "SMS send rate limit exceeded": more than `to_number_per_minute` messages from one number to
  the same recipient within a minute;
- **30023** "US A2P 10DLC - Daily Message Cap Reached": more than `daily_cap` messages from one number
  in a UTC day.

All knobs are 0 (not enforced) by default, so only tests and demos that turn them on see them.
Counters live in memory per carrier (a restarted carrier starts counting again).
"""

from __future__ import annotations

import weakref
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sms_tui.core.drip import number_kind
from sms_tui.core.segments import analyze

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier
    from sms_tui.carrier.faults import Faults

#: reason -> (Twilio code, Twilio title, sentence for the rep); the same format as outcomes.REASONS.
LIMIT_REASONS: dict[str, tuple[str, str, str]] = {
    "rate_limited": (
        "30022",
        "US A2P 10DLC - Rate Limits Exceeded",
        "this sending number sent faster than its carrier allows; the message was not sent, send it again "
        "a little later.",
    ),
    "send_rate": (
        "14107",
        "SMS send rate limit exceeded",
        "too many messages to this person in a short time; the message was not sent.",
    ),
    "daily_cap": (
        "30023",
        "US A2P 10DLC - Daily Message Cap Reached",
        "this sending number reached its daily message cap; the message was not sent, it can go tomorrow.",
    ),
}


@dataclass
class _Counters:
    #: per sending number: the theoretical arrival time of the next segment (GCRA)
    tat: dict[str, datetime] = field(default_factory=dict)
    per_day: dict[tuple[str, date], int] = field(default_factory=dict)
    to_number: dict[tuple[str, str], deque[datetime]] = field(default_factory=dict)


_COUNTERS: weakref.WeakKeyDictionary[Carrier, _Counters] = weakref.WeakKeyDictionary()


def message(reason: str) -> str:
    code, title, sentence = LIMIT_REASONS[reason]
    return f'Error {code} "{title}": {sentence}'


def throughput(faults: Faults, local: str) -> float:
    """Segments per second this sending number may send (0 = not enforced)."""
    kind = number_kind(local)
    return {
        "long_code": faults.throughput_long_code,
        "toll_free": faults.throughput_toll_free,
        "short_code": faults.throughput_short_code,
    }[kind]


def check(carrier: Carrier, local: str, remote: str, text: str, at: datetime) -> str | None:
    """The `error_message` when this send is over a limit, else None (and the send is counted)."""
    faults = carrier.plan.faults
    counters = _COUNTERS.setdefault(carrier, _Counters())
    day = (local, at.date())
    if faults.daily_cap and counters.per_day.get(day, 0) >= faults.daily_cap:
        return message("daily_cap")
    pair = (local, remote)
    recent = counters.to_number.setdefault(pair, deque())
    while recent and recent[0] <= at - timedelta(minutes=1):
        recent.popleft()
    if faults.to_number_per_minute and len(recent) >= faults.to_number_per_minute:
        return message("send_rate")
    rate = throughput(faults, local)
    if rate > 0:
        segments = max(1, analyze(text).segments)
        tat = max(counters.tat.get(local, at), at)
        if tat - at > timedelta(seconds=faults.throughput_burst_seconds):
            return message("rate_limited")
        counters.tat[local] = tat + timedelta(seconds=segments / rate)
    counters.per_day[day] = counters.per_day.get(day, 0) + 1
    recent.append(at)
    return None
