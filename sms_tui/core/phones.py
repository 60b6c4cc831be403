"""Phone numbers, through the phonenumbers library only (no hand-written number patterns).

parse_phone(raw, default_region="US") -> PhoneInfo        (raises PhoneError)
can_text(from_number, to_number, supported=DEFAULT_SMS_COUNTRIES) -> TextVerdict

The composer calls both on every keystroke, so both are memoised with functools.lru_cache;
phonenumbers' parse + validation costs tens of microseconds, a cache hit well under one.

Place names (country, US state / Canadian province, area) come from the generated table in
``geo_data`` and never from ``phonenumbers.geocoder``: importing the geocoder loads every prefix
description phonenumbers has, in every language (~100 MB RSS, ~0.25 s), on every start.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo, timezone
from phonenumbers.phonemetadata import REGION_CODE_FOR_NON_GEO_ENTITY, PhoneMetadata
from phonenumbers.phonenumberutil import (
    NumberParseException,
    ValidationResult,
    _number_type_helper,  # private, but typed in phonenumbers' stubs; see _valid_type
    is_number_type_geographical,
)

from sms_tui.core import geo_data

DEFAULT_SMS_COUNTRIES: frozenset[str] = frozenset(
    {"US", "CA", "GB", "AU", "BE", "DK", "FR", "IL", "PR", "ZA"}
)

#: Countries that share one numbering plan (+1, NANP) and that carriers treat as one for
#: "the sender must be in the recipient's country". Only the +1 countries we support.
NANP_GROUP: frozenset[str] = frozenset({"US", "CA", "PR"})

#: phonenumbers' PhoneNumberType -> our line type names.
LINE_TYPES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

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
    line_type: str  # one of LINE_TYPES' values or "short_code"
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


@dataclass(frozen=True, slots=True)
class TextVerdict:
    ok: bool
    reason: str | None = None  # sentence for the rep when not ok
    #: machine code when not ok: invalid, invalid_sender, short_code, country_unsupported,
    #: country_mismatch, landline
    code: str | None = None


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


def parse_phone(raw: str, default_region: str = "US") -> PhoneInfo:
    """Parse what a rep typed or a lead record holds into a PhoneInfo.

    Accepts full numbers (valid for their region) and short codes of ``default_region``.
    Raises PhoneError with a sentence saying what is wrong otherwise.
    """
    raw = raw.strip()
    region = (default_region or "US").upper()
    result = _known.get((raw, region)) or _known.get((raw, ""))
    if result is None:
        result = _parse_cached(raw, region)
    if isinstance(result, str):
        raise PhoneError(result)
    return result


#: What the cache kept about numbers (see `facts_json` / `remember_facts`): (raw, default region) ->
#: PhoneInfo or error sentence; region "" for a full international number ("+…"), whose facts do not
#: depend on the region it is read in. Bounded: the oldest half goes when it is full.
_known: dict[tuple[str, str], PhoneInfo | str] = {}
_KNOWN_MAX = 32_768
_known_lock = threading.Lock()

#: Changes whenever what a number's facts say could change: our fields and phonenumbers' metadata.
FACTS_VERSION = f"1/{phonenumbers.__version__}"
_FACTS_PREFIX = json.dumps({"v": FACTS_VERSION}, separators=(",", ":"))[:-1] + ","


def facts_json(raw: str, default_region: str = "US") -> str:
    """What `parse_phone(raw, default_region)` says, as a compact JSON text the cache keeps beside the
    number, so a 10,000-lead bulk preview reads its numbers' facts instead of parsing them again
    (parsing is most of a verdict's cost). `remember_facts` reads it back."""
    region = (default_region or "US").upper()
    result = _parse_cached(raw.strip(), region)
    if isinstance(result, str):
        body: object = result
    else:
        e164 = "" if result.e164 == raw.strip() else result.e164  # most numbers are kept as E.164
        zones = list(result.time_zones)
        body = [e164, result.country, result.national, result.international, result.line_type, zones]
        body += [result.location, result.subdivision]
    return json.dumps({"v": FACTS_VERSION, "r": region, "p": body}, ensure_ascii=False, separators=(",", ":"))


def facts_fresh(facts: str | None) -> bool:
    """Whether `facts` was written by this version of `facts_json` (else: parse again)."""
    return bool(facts) and facts is not None and facts.startswith(_FACTS_PREFIX)


def remember_facts(raw: str, facts: str | None) -> bool:
    """Let `parse_phone` answer for `raw` from `facts` (`facts_json`'s text) without parsing.
    False, and nothing remembered, when `facts` is missing, unreadable or from another version
    (of ours or phonenumbers'): the number is then parsed when asked, as before."""
    if facts is None or not facts_fresh(facts):
        return False
    try:
        data = json.loads(facts)
        region, body = data["r"], data["p"]
        if isinstance(body, str):
            result: PhoneInfo | str = body
        else:
            e164, country, national, international, line_type, zones, location, subdivision = body
            name = country_name(country)
            e164 = e164 or raw.strip()
            zones = tuple(zones)
            result = PhoneInfo(
                e164, country, national, international, line_type, zones, True, name, location, subdivision
            )
    except (ValueError, KeyError, TypeError):
        return False
    if not isinstance(region, str):
        return False
    raw = raw.strip()
    # A full international number reads the same in every region, but for short codes and errors
    anywhere = raw.startswith("+") and isinstance(result, PhoneInfo) and not result.is_short_code
    key = (raw, "" if anywhere else region)
    with _known_lock:
        if len(_known) >= _KNOWN_MAX:
            for old in list(islice(_known, _KNOWN_MAX // 2)):
                del _known[old]
        _known[key] = result
    return True


def remembered(raw: str, default_region: str = "US") -> bool:
    """Whether `parse_phone` can answer for `raw` from remembered facts (no parse)."""
    raw = raw.strip()
    return (raw, (default_region or "US").upper()) in _known or (raw, "") in _known


def forget_facts() -> None:
    """Drop every remembered fact (tests, benchmarks starting cold)."""
    with _known_lock:
        _known.clear()


def format_phone(raw: str, default_region: str = "US") -> str:
    """The international form for display, or ``raw`` unchanged when it does not parse."""
    try:
        return parse_phone(raw, default_region).international
    except PhoneError:
        return raw


@lru_cache(maxsize=16384)  # a 10,000-lead bulk preview (and its second contacts) fits
def _parse_cached(raw: str, default_region: str) -> PhoneInfo | str:
    """PhoneInfo, or the error sentence (lru_cache does not cache exceptions, so return it)."""
    if not raw:
        return "The phone number is empty."
    try:
        num = phonenumbers.parse(raw, default_region)
    except NumberParseException as exc:
        return _parse_error_sentence(raw, exc)

    region = phonenumbers.region_code_for_number(num)
    number_type = _valid_type(num, region)
    if region is not None and number_type is not None:
        return _info(num, region, number_type)
    if shortnumberinfo.is_valid_short_number(num):
        return _short_code_info(num, default_region)

    reason = phonenumbers.is_possible_number_with_reason(num)
    region = region or default_region
    hint = "" if raw.startswith("+") else " If it is a foreign number, start it with + and the country code."
    return _invalid_sentence(raw, reason, region) + hint


def _invalid_sentence(raw: str, reason: int, region: str) -> str:
    if reason in (ValidationResult.TOO_SHORT, ValidationResult.INVALID_LENGTH):
        if reason == ValidationResult.TOO_SHORT:
            return f"'{raw}' is too short to be a phone number {in_country(region)}."
        return f"'{raw}' has the wrong number of digits for a phone number {in_country(region)}."
    if reason == ValidationResult.TOO_LONG:
        return f"'{raw}' is too long to be a phone number {in_country(region)}."
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return f"'{raw}' does not start with a known country code."
    return f"'{raw}' is not a valid phone number {in_country(region)}."


def _parse_error_sentence(raw: str, exc: NumberParseException) -> str:
    kind = exc.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        return (
            f"'{raw}' does not start with a known country code; write it as + and the country code, e.g. +44."
        )
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return f"'{raw}' is too short to be a phone number."
    if kind == NumberParseException.TOO_LONG:
        return f"'{raw}' is too long to be a phone number."
    return f"'{raw}' is not a phone number."


def _valid_type(num: phonenumbers.PhoneNumber, region: str | None) -> int | None:
    """The number type of a valid number (`region` = its `region_code_for_number`), None for an
    invalid one.

    `is_valid_number`, `region_code_for_number`, `number_type` and `time_zones_for_number` each
    work the region out again (four look-ups, each trying every NANP region's patterns, and the type
    twice): most of a parse's cost, which a 10,000-lead bulk preview pays 10,000 times. This is
    `is_valid_number_for_region` with the region and type kept (an invalid number's region serves
    its error sentence); tests check it against the public functions over many numbers."""
    if region is None:
        return None
    code = num.country_code or 0
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None or (
        region != REGION_CODE_FOR_NON_GEO_ENTITY
        and code != phonenumbers.country_code_for_valid_region(region)
    ):
        return None
    number_type = _number_type_helper(phonenumbers.national_significant_number(num), metadata)
    return None if number_type == PhoneNumberType.UNKNOWN else number_type


def _info(num: phonenumbers.PhoneNumber, region: str, number_type: int) -> PhoneInfo:
    if is_number_type_geographical(number_type, num.country_code or 0):
        found = timezone.time_zones_for_geographical_number(num)
    else:
        found = timezone.time_zones_for_number(num)  # the country's zones
    zones = tuple(z for z in found if z != "Etc/Unknown")
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    subdivision = _subdivision(e164, region)
    return PhoneInfo(
        e164=e164,
        country=region,
        national=phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL),
        international=phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        line_type=LINE_TYPES.get(number_type, "unknown"),
        time_zones=zones,
        valid=True,
        country_name=country_name(region),
        location=_location(e164, region, subdivision, number_type, num.country_code or 0),
        subdivision=subdivision,
    )


def _subdivision(e164: str, region: str | None) -> str:
    """The state/province code of a US or Canadian number, from its area code (or exchange)."""
    if region not in ("US", "CA"):
        return ""
    return _longest_prefix(geo_data.NANP_SUBDIVISIONS, e164[1:], geo_data.NANP_PREFIX_MAX) or ""


def _location(e164: str, region: str | None, subdivision: str, number_type: int, code: int) -> str:
    """Where the number is, coarse where the geocoder is fine-grained (see PhoneInfo.location).

    Mirrors geocoder.description_for_number(num, "en"): nothing for an unknown type, the country
    for a type with no place (mobiles outside +1, toll-free, …), else the area, else the country.
    """
    if number_type == PhoneNumberType.UNKNOWN:
        return ""
    country = geo_data.REGION_NAMES.get(region or "", "")
    if not is_number_type_geographical(number_type, code):
        return country
    if subdivision:
        names = geo_data.US_STATE_NAMES if region == "US" else geo_data.CA_PROVINCE_NAMES
        return names.get(subdivision, country)
    digits = e164[1:]
    if digits.startswith(geo_data.AREA_CODES):
        return _longest_prefix(geo_data.AREA_PREFIXES, digits, geo_data.AREA_PREFIX_MAX) or country
    return country


def _longest_prefix(table: dict[str, str], digits: str, longest: int) -> str | None:
    for end in range(min(longest, len(digits)), 0, -1):
        found = table.get(digits[:end])
        if found is not None:
            return found
    return None


def _short_code_info(num: phonenumbers.PhoneNumber, default_region: str) -> PhoneInfo:
    # Short codes are dialled within one country: the one the number was typed for.
    regions = phonenumbers.region_codes_for_country_code(num.country_code or 0)
    region = default_region if default_region in regions else (regions[0] if regions else None)
    digits = phonenumbers.national_significant_number(num)
    return PhoneInfo(
        e164=digits,
        country=region,
        national=digits,
        international=digits,
        line_type="short_code",
        time_zones=(),  # a short code has no place; phonenumbers would list every +1 zone
        valid=True,
        country_name=country_name(region),
        location="",
    )


@lru_cache(maxsize=4096)
def can_text(
    from_number: str,
    to_number: str,
    supported: frozenset[str] = DEFAULT_SMS_COUNTRIES,
    *,
    default_region: str = "US",
) -> TextVerdict:
    """May ``from_number`` (ours) text ``to_number`` (the lead's)? The first rule that fails wins."""
    try:
        to = parse_phone(to_number, default_region)
    except PhoneError as exc:
        return TextVerdict(False, f"Cannot text this number: {exc}", "invalid")
    try:
        sender = parse_phone(from_number, default_region)
    except PhoneError as exc:
        return TextVerdict(False, f"Our sending number is not usable: {exc}", "invalid_sender")

    if to.is_short_code:
        return TextVerdict(
            False,
            f"{to.e164} is a short code {in_country(to.country)}; we cannot text short codes.",
            "short_code",
        )
    if to.country not in supported:
        return TextVerdict(
            False,
            f"{to.international} is {in_country(to.country)}; we do not send texts there.",
            "country_unsupported",
        )
    if not same_country(sender.country, to.country):
        return TextVerdict(
            False,
            f"{to.international} is {in_country(to.country)} but our number {sender.international} "
            f"is {in_country(sender.country)}; text it from a number {in_country(to.country)}.",
            "country_mismatch",
        )
    if to.line_type == "fixed_line":
        return TextVerdict(
            False,
            f"{to.international} is a landline (fixed line) {in_country(to.country)}; "
            "it cannot receive texts.",
            "landline",
        )
    return TextVerdict(True)


def same_country(a: str | None, b: str | None) -> bool:
    """Same country, with the NANP (US, Canada, …) counted as one."""
    if a is None or b is None:
        return False
    return a == b or (a in NANP_GROUP and b in NANP_GROUP)
