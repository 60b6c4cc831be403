"""Phone parsing and the can-we-text-this-number rule."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from sms_tui.core.phone_parse import FACTS_VERSION, LINE_TYPES
from sms_tui.core.phones import (
    DEFAULT_SMS_COUNTRIES,
    PhoneError,
    PhoneInfo,
    can_text,
    country_name,
    format_phone,
    in_country,
    parse_phone,
)

US_SENDER = "+1 415 555 2671"
GB_SENDER = "+44 7400 123456"
FR_SENDER = "+33 6 12 34 56 78"


# --- parse_phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["+1 415 555 2671", "(415) 555-2671", "415.555.2671", "4155552671", "tel:+1-415-555-2671"]
)
def test_us_number_in_any_common_shape_becomes_one_e164(raw: str) -> None:
    info = parse_phone(raw)
    assert info.e164 == "+14155552671"
    assert info.country == "US"
    assert info.country_name == "United States"
    assert info.national == "(415) 555-2671"
    assert info.international == "+1 415-555-2671"
    assert info.line_type == "fixed_line_or_mobile"
    assert info.time_zones == ("America/Los_Angeles",)
    # The state, from the area code (the geocoder's "San Francisco, CA" costs 100 MB to load).
    assert (info.location, info.subdivision) == ("California", "CA")
    assert info.valid


def test_default_region_applies_to_national_numbers() -> None:
    info = parse_phone("07400 123456", "GB")
    assert info.e164 == "+447400123456"
    assert info.country == "GB"
    assert info.line_type == "mobile"
    assert info.national == "07400 123456"
    assert info.international == "+44 7400 123456"


def test_default_region_is_case_insensitive() -> None:
    assert parse_phone("07400 123456", "gb").e164 == "+447400123456"


def test_gb_landline() -> None:
    info = parse_phone("+44 20 7946 0958")
    assert (info.country, info.line_type, info.location) == ("GB", "fixed_line", "London")
    assert info.time_zones == ("Europe/London",)
    assert info.line_type_label == "a landline (fixed line)"


@pytest.mark.parametrize(
    ("raw", "country", "line_type"),
    [
        ("+33 1 42 68 53 00", "FR", "fixed_line"),
        ("+33 6 12 34 56 78", "FR", "mobile"),
        ("+61 412 345 678", "AU", "mobile"),
        ("+27 82 123 4567", "ZA", "mobile"),
        ("+32 470 12 34 56", "BE", "mobile"),
        ("+45 20 12 34 56", "DK", "fixed_line_or_mobile"),
        ("+1 787 555 1234", "PR", "fixed_line_or_mobile"),
        ("+1 416 555 0199", "CA", "fixed_line_or_mobile"),
        ("+1 800 555 0100", "US", "toll_free"),
        ("+44 800 123 4567", "GB", "toll_free"),
        ("+44 909 123 4567", "GB", "premium_rate"),
        ("+44 56 1234 5678", "GB", "voip"),
        ("+49 1512 3456789", "DE", "mobile"),
    ],
)
def test_country_and_line_type(raw: str, country: str, line_type: str) -> None:
    info = parse_phone(raw)
    assert (info.country, info.line_type) == (country, line_type)


@pytest.mark.parametrize("number_type", list(LINE_TYPES))
def test_every_phonenumbers_line_type_gets_our_name(number_type: int) -> None:
    """Use phonenumbers' own example number of each type, in some region that has one."""
    if number_type == PhoneNumberType.UNKNOWN:
        pytest.skip("phonenumbers has no example of an unknown-type valid number")
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number_for_type(region, number_type)
        if example is not None and phonenumbers.number_type(example) == number_type:
            e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            assert parse_phone(e164).line_type == LINE_TYPES[number_type]
            return
    pytest.skip(f"no example number of type {number_type}")


def test_line_type_names_are_the_documented_ones() -> None:
    assert set(LINE_TYPES.values()) == {
        "mobile",
        "fixed_line",
        "fixed_line_or_mobile",
        "voip",
        "toll_free",
        "premium_rate",
        "shared_cost",
        "personal_number",
        "pager",
        "uan",
        "voicemail",
        "unknown",
    }


def test_multi_zone_number_lists_every_zone() -> None:
    assert parse_phone("+1 907 555 0100").time_zones == ("America/Adak", "America/Anchorage")
    au = parse_phone("+61 412 345 678").time_zones
    assert "Australia/Perth" in au and "Australia/Sydney" in au


@pytest.mark.parametrize(("raw", "region"), [("12345", "US"), ("911", "US"), ("61234", "GB")])
def test_short_codes(raw: str, region: str) -> None:
    info = parse_phone(raw, region)
    assert info.line_type == "short_code"
    assert info.is_short_code
    assert info.e164 == raw  # no E.164 form exists: the digits as dialled
    assert info.country == region
    assert info.time_zones == ()


@pytest.mark.parametrize(
    ("raw", "sentence"),
    [
        ("", "The phone number is empty."),
        ("   ", "The phone number is empty."),
        ("abc", "'abc' is not a phone number."),
        ("++", "'++' is not a phone number."),
        ("+1 415", "'+1 415' is too short to be a phone number in the United States."),
        (
            "+1 415 555 26711111",
            "'+1 415 555 26711111' is too long to be a phone number in the United States.",
        ),
        ("+1 555 555 5555", "'+1 555 555 5555' is not a valid phone number in the United States."),
        ("+972 50 123 4567", "'+972 50 123 4567' is not a valid phone number in Israel."),
    ],
)
def test_errors_are_sentences(raw: str, sentence: str) -> None:
    with pytest.raises(PhoneError) as err:
        parse_phone(raw)
    assert str(err.value) == sentence


def test_unknown_country_code_says_how_to_write_it() -> None:
    with pytest.raises(PhoneError, match=r"does not start with a known country code.*\+44"):
        parse_phone("+999 1234567")


def test_national_number_that_is_invalid_hints_at_the_country_code() -> None:
    with pytest.raises(
        PhoneError, match=r"in the United States\. If it is a foreign number, start it with \+"
    ):
        parse_phone("020 7946 0958")


def test_phone_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_phone("nope")


def test_parse_is_cached_for_keystrokes() -> None:
    assert parse_phone("+1 415 555 2671") is parse_phone("+1 415 555 2671")


def test_format_phone_falls_back_to_raw() -> None:
    assert format_phone("4155552671") == "+1 415-555-2671"
    assert format_phone("not a number") == "not a number"


@pytest.mark.parametrize(
    ("raw", "location", "subdivision"),
    [
        ("+1 212 736 5000", "New York", "NY"),
        ("+1 416 555 0199", "Ontario", "ON"),  # a Canadian province, not a US state
        ("+1 800 555 0199", "United States", ""),  # toll-free has no place: the country
        ("+1 787 555 1234", "Puerto Rico", ""),
        ("+32 2 234 56 78", "Brussels", ""),
        ("+44 7400 123456", "United Kingdom", ""),  # a mobile has no place: the country
        ("+61 2 9123 4567", "Australia", ""),  # AU and FR areas are not in the table
        ("+33 1 42 68 53 00", "France", ""),
    ],
)
def test_location_is_state_province_area_or_country(raw: str, location: str, subdivision: str) -> None:
    info = parse_phone(raw)
    assert (info.location, info.subdivision) == (location, subdivision)


def test_country_names_read_naturally() -> None:
    assert country_name("GB") == "United Kingdom"
    assert in_country("GB") == "in the United Kingdom"
    assert in_country("US") == "in the United States"
    assert in_country("FR") == "in France"
    assert country_name(None) == "an unknown country"
    assert country_name("mf") == "Saint Martin"  # the geocoder's example-number lookup said "MF"
    assert country_name("XX") == "XX"


# --- can_text -----------------------------------------------------------------------------------------


def test_us_to_us_mobile_is_textable() -> None:
    verdict = can_text(US_SENDER, "+1 212 736 5000")
    assert verdict.ok and verdict.code is None and verdict.reason is None


@pytest.mark.parametrize(
    ("sender", "recipient"),
    [
        ("+1 415 555 2671", "+1 416 555 0199"),  # US -> CA
        ("+1 416 555 0199", "+1 415 555 2671"),  # CA -> US
        ("+1 415 555 2671", "+1 787 555 1234"),  # US -> PR
        ("+1 787 555 1234", "+1 416 555 0199"),  # PR -> CA
    ],
)
def test_nanp_countries_us_ca_pr_count_as_one(sender: str, recipient: str) -> None:
    assert can_text(sender, recipient).ok


def test_other_nanp_countries_are_not_part_of_the_group() -> None:
    verdict = can_text("+1 268 464 1234", US_SENDER)  # Antigua sender -> US recipient
    assert verdict.code == "country_mismatch"


def test_gb_landline_cannot_receive_texts() -> None:
    verdict = can_text(GB_SENDER, "+44 20 7946 0958")
    assert not verdict.ok
    assert verdict.code == "landline"
    assert verdict.reason == (
        "+44 20 7946 0958 is a landline (fixed line) in the United Kingdom; it cannot receive texts."
    )


def test_fr_landline_cannot_receive_texts() -> None:
    verdict = can_text(FR_SENDER, "+33 1 42 68 53 00")
    assert verdict.code == "landline"
    assert (
        verdict.reason == "+33 1 42 68 53 00 is a landline (fixed line) in France; it cannot receive texts."
    )


def test_fr_mobile_from_fr_number_is_textable() -> None:
    assert can_text(FR_SENDER, "+33 6 98 76 54 32").ok


def test_fixed_line_or_mobile_is_allowed() -> None:
    assert parse_phone("+1 212 736 5000").line_type == "fixed_line_or_mobile"
    assert can_text(US_SENDER, "+1 212 736 5000").ok


def test_short_code_recipient_is_refused() -> None:
    verdict = can_text(US_SENDER, "12345")
    assert verdict.code == "short_code"
    assert verdict.reason == "12345 is a short code in the United States; we cannot text short codes."


def test_country_mismatch_names_both_countries() -> None:
    verdict = can_text(US_SENDER, "+44 7400 123456")
    assert verdict.code == "country_mismatch"
    assert verdict.reason is not None
    assert "in the United Kingdom" in verdict.reason
    assert "our number +1 415-555-2671 is in the United States" in verdict.reason


def test_unsupported_country() -> None:
    verdict = can_text("+49 1512 3456789", "+49 1512 9876543")
    assert verdict.code == "country_unsupported"
    assert verdict.reason == "+49 1512 9876543 is in Germany; we do not send texts there."


def test_supported_countries_are_configurable() -> None:
    with_de = DEFAULT_SMS_COUNTRIES | {"DE"}
    assert can_text("+49 1512 3456789", "+49 1512 9876543", with_de).ok
    assert can_text(US_SENDER, "+1 212 736 5000", frozenset({"GB"})).code == "country_unsupported"


def test_invalid_recipient_is_refused_with_the_parse_error() -> None:
    verdict = can_text(US_SENDER, "+1 555 555 5555")
    assert verdict.code == "invalid"
    assert verdict.reason == (
        "Cannot text this number: '+1 555 555 5555' is not a valid phone number in the United States."
    )


def test_empty_recipient() -> None:
    verdict = can_text(US_SENDER, "")
    assert verdict.code == "invalid"
    assert verdict.reason == "Cannot text this number: The phone number is empty."


def test_invalid_sender_is_refused() -> None:
    verdict = can_text("abc", "+1 212 736 5000")
    assert verdict.code == "invalid_sender"
    assert verdict.reason is not None and verdict.reason.startswith("Our sending number is not usable")


def test_recipient_problems_are_reported_before_sender_problems() -> None:
    assert can_text("abc", "xyz").code == "invalid"


def test_default_region_for_national_recipient() -> None:
    assert can_text(GB_SENDER, "07400 654321", default_region="GB").ok
    assert can_text(GB_SENDER, "020 7946 0958", default_region="GB").code == "landline"


# --- properties ----------------------------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_raw_numbers = st.one_of(
    st.text(max_size=25),
    st.from_regex(r"\+?[0-9 ()+.-]{0,20}", fullmatch=True),
)


@given(_raw_numbers, st.sampled_from(["US", "GB", "FR", "AU", "ZZ"]))
def test_parse_phone_returns_info_or_a_phone_error(raw: str, region: str) -> None:
    try:
        info = parse_phone(raw, region)
    except PhoneError as err:
        assert str(err).endswith(".")  # a sentence, never an empty message
    else:
        assert info.valid
        assert info.is_short_code or info.e164.startswith("+")


@given(_raw_numbers)
def test_can_text_never_raises_and_explains_every_no(raw: str) -> None:
    verdict = can_text(US_SENDER, raw)
    assert verdict.ok == (verdict.code is None) == (verdict.reason is None)


def _corpus() -> list[phonenumbers.PhoneNumber]:
    """Example numbers of every type in every region, their neighbours (often invalid), and NANP
    numbers across area codes: what `_valid_type` must judge exactly as phonenumbers does."""
    numbers: list[phonenumbers.PhoneNumber] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            numbers.append(example)
            for delta in (1, 7, 10**4):
                numbers.append(
                    phonenumbers.PhoneNumber(
                        country_code=example.country_code,
                        national_number=(example.national_number or 0) + delta,
                    )
                )
    for area in range(200, 1000, 7):
        numbers.append(phonenumbers.PhoneNumber(country_code=1, national_number=area * 10**7 + 5550123))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        example = phonenumbers.example_number_for_non_geo_entity(code)
        if example is not None:
            numbers.append(example)
    return numbers


def test_one_region_and_type_look_up_judges_as_phonenumbers_does() -> None:
    from phonenumbers import timezone

    from sms_tui.core.phone_parse import _info, _valid_type

    corpus = _corpus()
    valid = 0
    for num in corpus:
        region = phonenumbers.region_code_for_number(num)
        found = _valid_type(num, region)
        if not phonenumbers.is_valid_number(num):
            assert found is None, num
            continue
        valid += 1
        assert region is not None and found == phonenumbers.number_type(num), num
        zones = tuple(z for z in timezone.time_zones_for_number(num) if z != "Etc/Unknown")
        assert _info(num, region, found).time_zones == zones, num
    assert valid > 1000 and len(corpus) - valid > 200  # both sides were exercised


def _fresh_parse(raw: str, region: str) -> PhoneInfo | str:
    from sms_tui.core import phones

    phones.forget_facts()
    try:
        return phones.parse_phone(raw, region)
    except phones.PhoneError as exc:
        return str(exc)


def test_kept_facts_answer_exactly_as_parsing_does_for_every_kind_of_number() -> None:
    """A bulk preview reads numbers' facts from the cache instead of parsing (schema 9): what it
    reads back must be what parsing says, for valid, invalid, short, national and foreign numbers."""
    from sms_tui.core import phones

    raws = [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164) for n in _corpus()[::3]]
    raws += ["12345", "22395", "(415) 555-2671", "020 7946 0000", "+1 555", "", "call me", "+800 1234 5678"]
    checked = 0
    for region in ("US", "GB", "CA"):
        for raw in raws:
            facts = phones.facts_json(raw, region)
            expected = _fresh_parse(raw, region)
            phones._parse_cached.cache_clear()
            assert phones.remember_facts(raw, facts)
            assert phones.remembered(raw, region)
            try:
                got: PhoneInfo | str = phones.parse_phone(raw, region)
            except phones.PhoneError as exc:
                got = str(exc)
            assert got == expected, (raw, region)
            assert phones._parse_cached.cache_info().currsize == 0, raw  # answered without parsing
            checked += 1
    assert checked > 3000


def test_kept_facts_of_an_international_number_serve_every_region_but_a_short_code_only_its_own() -> None:
    from sms_tui.core import phones

    phones.forget_facts()
    assert phones.remember_facts("+447400123456", phones.facts_json("+447400123456", "US"))
    assert phones.remembered("+447400123456", "GB") and phones.remembered("+447400123456", "US")
    assert phones.remember_facts("12345", phones.facts_json("12345", "CA"))
    assert phones.remembered("12345", "CA") and not phones.remembered("12345", "US")
    assert phones.parse_phone("12345", "US").country == "US"  # parsed afresh for its own region
    phones.forget_facts()


def test_facts_of_another_version_or_unreadable_facts_are_not_used() -> None:
    from sms_tui.core import phones

    phones.forget_facts()
    facts = phones.facts_json("+14155552671")
    stale = facts.replace(FACTS_VERSION, "0/8.0.0")
    assert phones.facts_fresh(facts) and not phones.facts_fresh(stale)
    for bad in (None, "", stale, facts[:-5], facts.replace('"p":[', '"p":[1,'), '{"v":"x"}'):
        assert not phones.remember_facts("+14155552671", bad)
    assert not phones.remembered("+14155552671")


def test_remembered_facts_are_bounded() -> None:
    from sms_tui.core import phones

    phones.forget_facts()
    facts = phones.facts_json("+14155552671")
    for i in range(phones._KNOWN_MAX + 10):
        phones.remember_facts(f"+1415555{i:06d}"[:12] + str(i), facts)
    assert len(phones._known) <= phones._KNOWN_MAX
    phones.forget_facts()
