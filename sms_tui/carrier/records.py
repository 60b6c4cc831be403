"""Small helpers that give records Close's exact formats (datetimes, phone fields)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import phonenumbers


def iso(dt: datetime) -> str:
    """Activity style: `2016-10-03T16:06:11.167000+00:00`."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def naive_iso(dt: datetime) -> str:
    """Event and template style: `2016-10-19T12:22:10.434000` (UTC, no offset), as Close sends them."""
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def parse_dt(value: str) -> datetime:
    """Parse an ISO-8601 datetime or date; naive values are UTC (raises ValueError)."""
    value = value.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(value)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(UTC)
    except OverflowError:  # e.g. year 9999 with a negative offset
        raise ValueError(f"datetime out of range: {value!r}") from None


@lru_cache(maxsize=4096)
def phone_parts(e164: str) -> tuple[str, str | None]:
    """(`+1 650-333-4444`, `US`) for an E.164 number; the number itself and None when unparseable."""
    try:
        num = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164, None
    formatted = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return formatted, phonenumbers.region_code_for_number(num)
