"""Wall-clock choices for the schedule and snooze dialogs, in the rep's time zone.

Pure functions of an injected `now` (aware) and a zone, returning aware UTC datetimes,
so the dialogs and their tests never read the real clock. "9:00" means 9:00 on the rep's
wall clock that day, whatever its UTC offset (DST-safe through zoneinfo).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

MORNING = time(9, 0)


class WhenError(ValueError):
    """A typed time that cannot be used; str(err) is a sentence for the rep."""


def in_one_hour(now: datetime) -> datetime:
    """Now + 1 h, to the minute."""
    return (now + timedelta(hours=1)).astimezone(UTC).replace(second=0, microsecond=0)


def tomorrow_morning(now: datetime, zone: tzinfo, at: time = MORNING) -> datetime:
    """Tomorrow at `at` on the rep's wall clock."""
    today = now.astimezone(zone).date()
    return local_to_utc(datetime.combine(today + timedelta(days=1), at), zone)


def next_monday_morning(now: datetime, zone: tzinfo, at: time = MORNING) -> datetime:
    """The next Monday strictly after today, at `at` (on a Monday: a week later)."""
    today = now.astimezone(zone).date()
    days = 7 - today.weekday()  # Monday=0 → 7, Sunday=6 → 1
    return local_to_utc(datetime.combine(today + timedelta(days=days), at), zone)


def local_to_utc(local: datetime, zone: tzinfo) -> datetime:
    """A naive wall-clock time in `zone` → aware UTC.

    A time skipped by a DST change does not exist: refuse it rather than guess. A repeated
    (ambiguous) time takes its first occurrence (fold=0).
    """
    aware = local.replace(tzinfo=zone, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise WhenError(f"{local:%Y-%m-%d %H:%M} does not exist in your time zone (the clocks change then).")
    return utc


_TYPED = re.compile(r"^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})[ T]+)?(\d{1,2}):(\d{2})\s*$")


def parse_local(text: str, today: date) -> datetime:
    """`YYYY-MM-DD HH:MM` (or `HH:MM` for today) → naive wall-clock datetime."""
    match = _TYPED.match(text)
    if match is None:
        raise WhenError("Type a time as YYYY-MM-DD HH:MM (or HH:MM for today).")
    year, month, day, hour, minute = match.groups()
    try:
        day_part = date(int(year), int(month), int(day)) if year else today
        return datetime.combine(day_part, time(int(hour), int(minute)))
    except ValueError as exc:
        raise WhenError(f"That is not a real date or time ({exc}).") from None


def format_local(moment: datetime, zone: tzinfo) -> str:
    """`Tue 24 Nov 09:00` in `zone`."""
    return f"{moment.astimezone(zone):%a %d %b %H:%M}"


def zone_label(zone: tzinfo, moment: datetime) -> str:
    """The zone's IANA key when it has one (ZoneInfo), else its abbreviation at `moment`."""
    key = getattr(zone, "key", None)
    return str(key) if key else (moment.astimezone(zone).tzname() or "local")


#: What the schedule field understands, for its placeholder and its error.
PHRASE_EXAMPLES = "tomorrow 3pm, in 2h, mon 9:30, next week"


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime:
    """A time the rep typed, in `zone` → aware UTC: `YYYY-MM-DD HH:MM`, `HH:MM`, or a phrase.

    Phrases ("tomorrow 3pm", "in 2h", "mon 9:30", "fri 10am") are read by `dateparser`, relative to
    `now` on the zone's wall clock and preferring the future ("mon" is the next Monday, "9am" after
    9:00 is tomorrow's). "next week" means Monday 9:00, like the preset, not "a week from now".
    """
    local_now = now.astimezone(zone)
    try:
        return local_to_utc(parse_local(text, local_now.date()), zone)
    except WhenError as exc:
        if _TYPED.match(text):
            raise  # a real date typed wrong: say what is wrong with it
        typed_error = exc
    phrase = " ".join(text.casefold().split())
    if phrase in ("next week", "next monday"):
        return next_monday_morning(now, zone)
    import dateparser  # lazy: a few hundred ms to import, needed only once a phrase is typed

    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "RELATIVE_BASE": local_now.replace(tzinfo=None, second=0, microsecond=0),
            "PREFER_DATES_FROM": "future",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        sentence = f"Could not read that time. Try {PHRASE_EXAMPLES}, or YYYY-MM-DD HH:MM."
        raise WhenError(sentence) from typed_error
    return local_to_utc(parsed.replace(second=0, microsecond=0), zone)
