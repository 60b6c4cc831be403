"""Quiet hours as data: when a text may go out, in the recipient's local time.

A ``SendWindow`` lists, for each weekday, the intervals in which sending is allowed. The send guard
applies the default window (08:00-21:00) *and* the window of the recipient's country *and* the
window of their US state, and warns when any of them says "not now": rules only ever make sending
stricter. A number with several time zones (e.g. Alaska: Anchorage and Adak) is checked in each zone,
and it is quiet if it is quiet in any of them.

THE RULES BELOW ARE EXAMPLES TO BE VERIFIED BY COUNSEL before anyone relies on them: they are
summaries of published state/national telephone-solicitation rules as we understood them, they
ignore public holidays, and they locate a US number by its area code (a ported mobile may live
elsewhere). Configure real rules through ``ComplianceRules.quiet_hours``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sms_tui.core.phones import PhoneInfo

#: Minutes since midnight, [start, end); end may be 1440 (midnight at the end of the day).
Interval = tuple[int, int]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class SendWindow:
    """Allowed sending intervals for each weekday (index 0 = Monday)."""

    days: tuple[tuple[Interval, ...], ...]
    source: str = ""  # where the rule comes from, for the reader (and counsel)

    def allows(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.days[local.weekday()])

    def describe(self, weekday: int) -> str:
        """ "08:00–21:00", "10:00–13:00 and 14:00–20:00", or "no texts" for a closed day."""
        intervals = self.days[weekday]
        if not intervals:
            return "no texts"
        return " and ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in intervals)


def window(
    hours: str, *, saturday: str | None = None, sunday: str | None = None, source: str = ""
) -> SendWindow:
    """Build a window from text: ``window("08:00-20:00", sunday="")``; "" means no texts that day.

    ``hours`` applies to every day unless ``saturday``/``sunday`` say otherwise; several intervals are
    comma-separated ("10:00-13:00,14:00-20:00").
    """
    base = _parse_intervals(hours)
    sat = base if saturday is None else _parse_intervals(saturday)
    sun = base if sunday is None else _parse_intervals(sunday)
    return SendWindow(days=(base,) * 5 + (sat, sun), source=source)


def intersect(windows: Iterable[SendWindow]) -> SendWindow:
    """The window allowed by all of ``windows`` (the strictest combination)."""
    result: SendWindow | None = None
    sources: list[str] = []
    for w in windows:
        if w.source:
            sources.append(w.source)
        if result is None:
            result = w
            continue
        result = SendWindow(
            days=tuple(_intersect_day(a, b) for a, b in zip(result.days, w.days, strict=True))
        )
    if result is None:
        return window("00:00-24:00")
    return SendWindow(days=result.days, source="; ".join(sources))


def rule_keys(info: PhoneInfo) -> tuple[str, ...]:
    """The keys of QUIET_HOURS_RULES-style data that apply to a number: country, then state."""
    keys: list[str] = []
    if info.country:
        keys.append(info.country)
        state = us_state(info)
        if state:
            keys.append(f"US-{state}")
    return tuple(keys)


def us_state(info: PhoneInfo) -> str | None:
    """Two-letter US state of a US number: from its area code (``PhoneInfo.subdivision``), else
    read from a location text such as "Miami, FL" or "Florida"."""
    if info.country != "US":
        return None
    if info.subdivision:
        return info.subdivision
    if not info.location:
        return None
    loc = info.location.strip()
    head, sep, tail = loc.rpartition(", ")
    if sep and tail in _US_STATES.values():
        return tail
    return _US_STATES.get(loc)


def zone(name: str) -> ZoneInfo | None:
    return _zone(name)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _parse_intervals(text: str) -> tuple[Interval, ...]:
    out: list[Interval] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        start, _, end = part.partition("-")
        a, b = _minutes(start), _minutes(end)
        if not 0 <= a < b <= 1440:
            raise ValueError(f"bad interval {part!r}: start must be before end, within 00:00-24:00")
        out.append((a, b))
    return tuple(sorted(out))


def _minutes(hhmm: str) -> int:
    hours, _, minutes = hhmm.strip().partition(":")
    return int(hours) * 60 + int(minutes or 0)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _intersect_day(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    out = [(max(s1, s2), min(e1, e2)) for s1, e1 in a for s2, e2 in b]
    return tuple(sorted((s, e) for s, e in out if s < e))


#: Federal TCPA rule (47 CFR 64.1200(c)(1)): no solicitation before 8 a.m. or after 9 p.m. local time.
DEFAULT_WINDOW = window("08:00-21:00", source="TCPA, 47 CFR 64.1200(c)(1): 8 a.m.–9 p.m.")

#: Stricter rules by ISO 3166-1 country ("FR") or ISO 3166-2 US state ("US-FL").
#: EXAMPLES TO BE VERIFIED BY COUNSEL (see the module docstring); holidays are not modelled.
QUIET_HOURS_RULES: Mapping[str, SendWindow] = MappingProxyType(
    {
        # Florida Telephone Solicitation Act, Fla. Stat. §501.059(8)(a), as amended 2021.
        "US-FL": window("08:00-20:00", source="Florida (FTSA): 8 a.m.–8 p.m."),
        # Maryland Stop the Spam Calls Act (2023).
        "US-MD": window("08:00-20:00", source="Maryland: 8 a.m.–8 p.m."),
        # Washington, RCW 80.36.390.
        "US-WA": window("08:00-20:00", source="Washington: 8 a.m.–8 p.m."),
        # Texas Bus. & Com. Code §301.051: 9 a.m.–9 p.m. Mon–Sat, noon–9 p.m. Sunday.
        "US-TX": window(
            "09:00-21:00", sunday="12:00-21:00", source="Texas: 9 a.m.–9 p.m., Sunday noon–9 p.m."
        ),
        # Connecticut Gen. Stat. §42-288a as amended 2023: 9 a.m.–8 p.m.
        "US-CT": window("09:00-20:00", source="Connecticut: 9 a.m.–8 p.m."),
        # Louisiana telephone solicitation rules: 8 a.m.–8 p.m., none on Sundays (or state holidays).
        "US-LA": window("08:00-20:00", sunday="", source="Louisiana: 8 a.m.–8 p.m., not on Sundays"),
        # France, Décret n° 2022-1313: weekdays 10:00–13:00 and 14:00–20:00, never at weekends.
        "FR": window(
            "10:00-13:00,14:00-20:00", saturday="", sunday="", source="France: weekdays 10–13 h and 14–20 h"
        ),
    }
)


_US_STATES: dict[str, str] = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC",
    "Washington D.C.": "DC", "Washington DC": "DC", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI",
    "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY",
    "Louisiana": "LA", "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI",
    "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE",
    "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR",
    "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD",
    "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA",
    "Washington": "WA", "Washington State": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}  # fmt: skip
