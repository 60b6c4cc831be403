"""What a phone number is, as the app shows it: `PhoneInfo`, `PhoneError` and country names.

No phonenumbers here: `core.phones` (the public module) and `core.phone_parse` (the parsing, which
imports phonenumbers) both use these, so the inbox can start without loading phonenumbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sms_tui.core import geo_data

#: How a rep reads each line type in a sentence.
LINE_TYPE_LABELS: dict[str, str] = {
    "fixed_line": "a landline (fixed line)",
    "mobile": "a mobile number",
    "fixed_line_or_mobile": "a landline or mobile number",
    "toll_free": "a toll-free number",
    "premium_rate": "a premium-rate number",
    "shared_cost": "a shared-cost number",
    "voip": "a VoIP number",
    "personal_number": "a personal number",
    "pager": "a pager number",
    "uan": "a company switchboard number (UAN)",
    "voicemail": "a voicemail access number",
    "short_code": "a short code",
    "unknown": "a number of unknown type",
}

#: Country names that read naturally with "the" ("in the United Kingdom").
_NAMES_WITH_THE: frozenset[str] = frozenset(
    {"US", "GB", "NL", "PH", "CZ", "DO", "AE", "BS", "GM", "KY", "VG", "VI", "MV", "MH", "SB", "CD", "CG"}
)


class PhoneError(ValueError):
    """A raw number that cannot be used; str(err) is a sentence a rep understands."""


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    """What we know about one number.

    For a short code there is no E.164 form: ``e164`` then holds the digits as dialled
    (e.g. ``"12345"``) and ``line_type`` is ``"short_code"``.
    """

    e164: str
    country: str | None  # ISO alpha-2
    national: str
    international: str
    line_type: str  # one of `phone_parse.LINE_TYPES`' values or "short_code"
    time_zones: tuple[str, ...]  # IANA names; () when phonenumbers does not know
    valid: bool
    country_name: str = ""  # "United Kingdom"
    #: Where the number is, in English: the state or province for US and Canadian numbers
    #: ("California", "Ontario"), the geocoder's area for GB, BE, IL and ZA fixed lines ("London"),
    #: else the country name, as phonenumbers' geocoder falls back to (mobiles, AU, FR, …).
    location: str = ""
    #: Two-letter US state or Canadian province from the area code ("CA", "ON"); "" otherwise.
    subdivision: str = ""

    @property
    def is_short_code(self) -> bool:
        return self.line_type == "short_code"

    @property
    def line_type_label(self) -> str:
        return LINE_TYPE_LABELS.get(self.line_type, self.line_type)


def country_name(region: str | None) -> str:
    """English name of an ISO region ("GB" -> "United Kingdom"); the code itself when unknown."""
    if not region:
        return "an unknown country"
    return _country_name(region.upper())


def _country_name(region: str) -> str:
    return geo_data.REGION_NAMES.get(region, region)


def in_country(region: str | None) -> str:
    """ "in the United Kingdom", "in France"."""
    name = country_name(region)
    return f"in the {name}" if region and region.upper() in _NAMES_WITH_THE else f"in {name}"
