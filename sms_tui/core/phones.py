"""Phone numbers through phonenumbers only.  CONTRACT STUB — being built.

parse_phone(raw: str, default_region: str = "US") -> PhoneInfo   (raises PhoneError)
can_text(from_number: str, to_number: str, supported=DEFAULT_SMS_COUNTRIES) -> TextVerdict
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SMS_COUNTRIES: frozenset[str] = frozenset(
    {"US", "CA", "GB", "AU", "BE", "DK", "FR", "IL", "PR", "ZA"}
)


class PhoneError(ValueError):
    """A raw number that cannot be used; str(err) is a sentence a rep understands."""


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    e164: str
    country: str | None  # ISO alpha-2
    national: str
    international: str
    line_type: str  # mobile, fixed_line, fixed_line_or_mobile, voip, toll_free, short_code, ...
    time_zones: tuple[str, ...]
    valid: bool


@dataclass(frozen=True, slots=True)
class TextVerdict:
    ok: bool
    reason: str | None = None  # sentence for the rep when not ok
    code: str | None = None  # machine code: invalid, country_unsupported, country_mismatch, landline, ...


def parse_phone(raw: str, default_region: str = "US") -> PhoneInfo:
    raise NotImplementedError


def can_text(
    from_number: str, to_number: str, supported: frozenset[str] = DEFAULT_SMS_COUNTRIES
) -> TextVerdict:
    raise NotImplementedError
