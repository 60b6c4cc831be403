"""Parsing a phone number with phonenumbers: what `core.phones.parse_phone` answers when the
number is not remembered (`core.phones` loads this module on its first parse, not at import:
phonenumbers costs 20-60 ms of the inbox's start-up, and nothing parses before its first rows).
"""

from __future__ import annotations

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
from sms_tui.core.phone_info import PhoneInfo, country_name, in_country

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

#: Changes whenever what a number's facts say could change: our fields and phonenumbers' metadata.
FACTS_VERSION = f"1/{phonenumbers.__version__}"


def parse_number(raw: str, default_region: str) -> PhoneInfo | str:
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
