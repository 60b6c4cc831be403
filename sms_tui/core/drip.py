"""When each recipient of a bulk campaign may be released: throughput, schedules, drips, quiet hours.

    plan(pending, spec, *, now, anchor, pacing=Pacing(), rules=DEFAULT_RULES, usage=None) -> Plan

A discrete-event plan, pure (no clock, no I/O): recipients are taken in order of the earliest moment
each may go, and every moment is pushed later until it satisfies all of

- **throughput**: per sending number, segments per second by kind (a US long code about 1/s,
  toll-free 3/s, a short code 100/s; `Pacing`, configurable, per number too); one number's messages
  are spaced by segments / rate, in order;
- **the mode**: now; schedule at one moment (`spec.at`) or at a wall-clock time in each lead's own zone
  (`spec.local_time`, "9:30 their time", the first such moment at or after the campaign was created);
  drip, `drip_count` messages every `drip_minutes` minutes (slot k at start + k·M holds N);
- **quiet hours**: a message is released only inside the recipient's allowed hours (the send guard's
  window: the default 08:00–21:00 ∩ their country's ∩ their state's rules, core/compliance.py), in every
  zone of their number, or in their own zone when the preview knows it;
- **a daily cap** per sending number (`spec.daily_cap`, else `pacing.daily_cap`), days starting at
  midnight in `pacing.day_zone`.

A recipient that can never go (a window with no open hour, or past `horizon`) is planned as None.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Literal

from sms_tui.core.bulk_spec import CampaignSpec
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules, quiet_window
from sms_tui.core.phones import PhoneError, parse_phone
from sms_tui.core.quiet_hours import SendWindow, zone

NumberKind = Literal["long_code", "toll_free", "short_code"]
#: NANP toll-free area codes.
TOLL_FREE_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def number_kind(number: str) -> NumberKind:
    """What kind of sending number this is (decides its default throughput)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if not number.startswith("+") and 3 <= len(digits) <= 8:
        return "short_code"
    if number.startswith("+1") and digits[1:4] in TOLL_FREE_CODES:
        return "toll_free"
    return "long_code"


@dataclass(frozen=True, slots=True)
class Pacing:
    """How fast each sending number may send (segments per second) and its daily cap."""

    long_code: float = 1.0
    toll_free: float = 3.0
    short_code: float = 100.0
    per_number: Mapping[str, float] = field(default_factory=dict, hash=False)
    daily_cap: int | None = None  # messages per sending number per day, unless the spec says
    day_zone: str = "UTC"  # where a sending number's day starts (carriers count per day)

    def rate(self, number: str) -> float:
        """Segments per second for this sending number (> 0)."""
        if number in self.per_number:
            return max(1e-6, self.per_number[number])
        kind = number_kind(number)
        return max(
            1e-6, {"long_code": self.long_code, "toll_free": self.toll_free}.get(kind, self.short_code)
        )

    def day_tz(self) -> tzinfo:
        return zone(self.day_zone) or UTC

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.day_tz()).date()

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.day_tz()).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Pending:
    """A recipient still to be released."""

    id: int
    phone: str  # E.164
    from_number: str
    segments: int = 1
    tz: str = ""  # the lead's IANA zone when known ("" = the zones of the number)
    not_before: datetime | None = None  # e.g. a retry after the carrier's throughput refusal


@dataclass(frozen=True, slots=True)
class Usage:
    """What the sending numbers already did before this plan (other releases, earlier today)."""

    next_free: Mapping[str, datetime] = field(default_factory=dict)  # per number: next segment may go
    sent_on: Mapping[tuple[str, date], int] = field(default_factory=dict)  # (number, day) -> released


Plan = dict[int, datetime | None]


@dataclass(frozen=True, slots=True)
class Hours:
    """Where and when one recipient may be texted."""

    window: SendWindow
    zones: tuple[tzinfo, ...]

    def allows(self, moment: datetime) -> bool:
        return all(self.window.allows(moment.astimezone(z)) for z in self.zones)

    def next_open(self, moment: datetime, *, within: timedelta = timedelta(days=15)) -> datetime | None:
        """The first moment at or after `moment` allowed in every zone (None: not within `within`)."""
        t = moment
        end = moment + within
        for _ in range(64):
            moved = False
            for z in self.zones:
                local = t.astimezone(z)
                if self.window.allows(local):
                    continue
                opens = _next_open_local(self.window, local)
                if opens is None:
                    return None
                t = max(t, opens.astimezone(UTC))
                moved = True
            if not moved:
                return t if t <= end else None
            if t > end:
                return None
        return None


def spacing(segments: int, rate: float) -> timedelta:
    """How long a number is busy with a message of `segments` at `rate` (rounded up to the µs)."""
    return timedelta(microseconds=math.ceil(max(1, segments) * 1_000_000 / rate))


def hours_for(phone: str, tz: str = "", rules: ComplianceRules = DEFAULT_RULES) -> Hours:
    """The recipient's window and zones (their own zone when known, else every zone of the number)."""
    return _hours(phone, tz, rules)


@lru_cache(maxsize=16384)
def _hours(phone: str, tz: str, rules: ComplianceRules) -> Hours:
    try:
        info = parse_phone(phone, rules.default_region)
    except PhoneError:
        info = None
    window = quiet_window(info, rules) if info is not None else rules.default_window
    own = zone(tz) if tz else None
    if own is not None:
        zones: tuple[tzinfo, ...] = (own,)
    else:
        found = [zone(name) for name in (info.time_zones if info is not None else ())]
        zones = tuple(z for z in found if z is not None) or (UTC,)
    return Hours(window, zones)


def _next_open_local(window: SendWindow, local: datetime) -> datetime | None:
    """The next start of an allowed interval after `local` (aware, in local's zone)."""
    minute = local.hour * 60 + local.minute
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for start, _end in window.days[day.weekday()]:
            if offset == 0 and start <= minute:
                continue
            if start >= 1440:
                continue
            return datetime.combine(day, time(start // 60, start % 60), tzinfo=local.tzinfo)
    return None


def _open_slot(full: dict[int, int], slot: int) -> int:
    """The first drip slot at or after `slot` that is not full."""
    while slot in full:
        nxt = full[slot]
        if nxt in full:
            full[slot] = full[nxt]  # path halving keeps later look-ups short
        slot = nxt
    return slot


def first_local(local_time: time, hours: Hours, anchor: datetime) -> datetime:
    """The first moment at or after `anchor` when it is `local_time` in the recipient's (first) zone."""
    z = hours.zones[0]
    local = anchor.astimezone(z)
    moment = datetime.combine(local.date(), local_time, tzinfo=z).astimezone(UTC)
    if moment < anchor:
        moment = datetime.combine(local.date() + timedelta(days=1), local_time, tzinfo=z).astimezone(UTC)
    return moment


def plan(
    pending: Sequence[Pending],
    spec: CampaignSpec,
    *,
    now: datetime,
    anchor: datetime | None = None,
    pacing: Pacing = Pacing(),
    rules: ComplianceRules = DEFAULT_RULES,
    usage: Usage | None = None,
    horizon: timedelta = timedelta(days=60),
) -> Plan:
    """When each pending recipient may be released (see the module docstring). `anchor` is when the
    campaign was created (schedules at a local time count from it); `now` is the earliest release."""
    if now.tzinfo is None:
        raise ValueError("plan needs an aware 'now'")
    anchor = anchor or now
    usage = usage or Usage()
    cap = spec.daily_cap if spec.daily_cap is not None else pacing.daily_cap
    next_free: dict[str, datetime] = dict(usage.next_free)
    sent_on: dict[tuple[str, date], int] = dict(usage.sent_on)
    slot_used: dict[int, int] = {}
    full: dict[int, int] = {}  # a full drip slot -> a later slot to try (union-find, path halving)
    drip = spec.mode == "drip"
    slot_len = timedelta(minutes=max(1, spec.drip_minutes))
    end = now + horizon
    out: Plan = {}
    heap: list[tuple[datetime, int]] = []
    hours: list[Hours] = []
    for order, p in enumerate(pending):
        h = hours_for(p.phone, p.tz, rules)
        hours.append(h)
        start = now
        if spec.mode == "schedule":
            if spec.at is not None:
                start = max(now, spec.at)
            elif spec.local_time is not None:
                start = max(now, first_local(spec.local_time, h, anchor))
        if p.not_before is not None:
            start = max(start, p.not_before)
        heapq.heappush(heap, (start, order))
    budget = 64 * len(pending) + 10_000
    while heap and budget > 0:
        budget -= 1
        candidate, order = heapq.heappop(heap)
        p = pending[order]
        if candidate > end:
            out[p.id] = None
            continue
        t = max(candidate, next_free.get(p.from_number, candidate))
        slot = -1
        if drip:
            slot = _open_slot(full, max(0, math.ceil((candidate - now) / slot_len)))
            slot_start = now + slot * slot_len
            t = max(slot_start, next_free.get(p.from_number, slot_start))
            if t >= slot_start + slot_len:  # this number is busy past the slot: try the next one
                heapq.heappush(heap, (slot_start + slot_len, order))
                continue
        day = pacing.day_of(t)
        if cap is not None and sent_on.get((p.from_number, day), 0) >= cap:
            heapq.heappush(heap, (pacing.day_start(day + timedelta(days=1)), order))
            continue
        h = hours[order]
        if not h.allows(t):
            opens = h.next_open(t)
            if opens is None:
                out[p.id] = None
            else:
                heapq.heappush(heap, (opens, order))
            continue
        out[p.id] = t
        next_free[p.from_number] = t + spacing(p.segments, pacing.rate(p.from_number))
        sent_on[(p.from_number, day)] = sent_on.get((p.from_number, day), 0) + 1
        if drip:
            slot_used[slot] = slot_used.get(slot, 0) + 1
            if slot_used[slot] >= spec.drip_count:
                full[slot] = slot + 1  # later look-ups skip it
    for _, order in heap:  # out of budget: not planned
        out.setdefault(pending[order].id, None)
    return out
