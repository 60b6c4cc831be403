"""The generated geo_data table against phonenumbers' geocoder, which only the tests may import.

The app reads place names from sms_tui/core/geo_data.py so that it never loads the geocoder's
~100 MB of prefix data. These tests keep that table honest: every entry agrees with the geocoder
of the installed phonenumbers, and a phonenumbers upgrade that changes the data fails here until
`python -m tools.gen_geo_data` is run again.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Iterator

import phonenumbers
import pytest
from phonenumbers import geocoder
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.geodata.locale import LOCALE_DATA

from sms_tui.core import geo_data
from sms_tui.core.phones import country_name, parse_phone
from sms_tui.core.quiet_hours import _US_STATES, us_state
from tests.core.conftest import SWEEP_STRIDE
from tools import gen_geo_data as _gen_geo_data


def _numbers_under(prefixes: Iterable[str]) -> Iterator[phonenumbers.PhoneNumber]:
    """One valid number for each geocoder prefix that can be completed into one (most can).

    Under `make mutation`, for one prefix in SWEEP_STRIDE (see conftest.py).
    """
    for prefix in itertools.islice(prefixes, None, None, SWEEP_STRIDE):
        for filler in ("2345678901", "5550123456", "0000000000", "9999999999"):
            for length in range(len(prefix) + 2, 16):
                digits = (prefix + filler)[:length]
                try:
                    num = phonenumbers.parse("+" + digits)
                except phonenumbers.NumberParseException:
                    continue
                if phonenumbers.is_valid_number(num):
                    yield num
                    break
            else:
                continue
            break


def _state_in(description: str) -> str | None:
    """The state the old code read from a geocoder description ("Miami, FL", "Florida")."""
    _, sep, tail = description.rpartition(", ")
    if sep and tail in _US_STATES.values():
        return tail
    return _US_STATES.get(description.strip())


def test_committed_table_is_what_the_generator_makes_now() -> None:
    assert geo_data.PHONENUMBERS_VERSION == phonenumbers.__version__, (
        "phonenumbers was upgraded: run `python -m tools.gen_geo_data` and commit geo_data.py"
    )
    assert _gen_geo_data.render() == _gen_geo_data.OUT.read_text(encoding="utf-8")


def test_every_region_name_is_the_geocoders() -> None:
    for region in LOCALE_DATA:
        expected = geocoder._region_display_name(region, "en")
        assert geo_data.REGION_NAMES.get(region, "") == expected, region
    assert country_name("GB") == "United Kingdom" and country_name("us") == "United States"


def test_every_country_name_matches_the_geocoder_on_an_example_number() -> None:
    for region in phonenumbers.SUPPORTED_REGIONS:
        example = phonenumbers.example_number(region)
        if example is None:
            continue
        old = geocoder.country_name_for_number(example, "en")
        if old:  # "" where the example fits several regions (BL, MF, EH): we name the region
            assert country_name(region) == old, region


def test_area_prefixes_are_exactly_the_geocoders_for_those_countries() -> None:
    expected = {
        prefix: entry["en"]
        for prefix, entry in GEOCODE_DATA.items()
        if prefix.startswith(geo_data.AREA_CODES) and "en" in entry
    }
    assert geo_data.AREA_PREFIXES == expected
    assert {"44", "32", "972", "27"} <= set(geo_data.AREA_CODES)


@pytest.mark.parametrize("code", ["44", "32", "972", "27"])
def test_fixed_line_location_is_the_geocoders_description(code: str) -> None:
    prefixes = [p for p in GEOCODE_DATA if p.startswith(code)]
    checked = 0
    for num in _numbers_under(prefixes):
        e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        assert parse_phone(e164).location == geocoder.description_for_number(num, "en"), e164
        checked += 1
    assert checked >= 0.8 * len(prefixes) / SWEEP_STRIDE > 0


def test_every_us_number_the_geocoder_places_gets_the_same_state() -> None:
    """The quiet-hours rules go by state: the table must give the state the geocoder gives."""
    prefixes = (p for p in GEOCODE_DATA if p.startswith("1") and len(p) >= 4)
    checked = 0
    for num in _numbers_under(prefixes):
        if phonenumbers.region_code_for_number(num) != "US":
            continue
        e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        state = _state_in(geocoder.description_for_number(num, "en"))
        if state is None:  # the geocoder has nothing finer than "United States" for this exchange
            continue
        info = parse_phone(e164)
        assert (us_state(info), info.location) == (state, geo_data.US_STATE_NAMES[state]), (
            e164,
            geocoder.description_for_number(num, "en"),
        )
        checked += 1
    assert checked > 20_000 // SWEEP_STRIDE  # ~32,000 US prefixes in phonenumbers 9.0


def test_every_us_area_code_the_geocoder_knows_is_in_the_table() -> None:
    npas = {p[1:4] for p in GEOCODE_DATA if p.startswith("1") and len(p) >= 4}
    for npa in npas:
        num = phonenumbers.parse(f"+1{npa}2345678")
        if phonenumbers.region_code_for_number(num) in ("US", "CA"):
            assert geo_data.NANP_SUBDIVISIONS.get(f"1{npa}") is not None, npa


def test_canadian_numbers_get_the_geocoders_province() -> None:
    prefixes = (p for p in GEOCODE_DATA if p.startswith("1") and len(p) >= 4)
    checked = 0
    for num in _numbers_under(prefixes):
        if phonenumbers.region_code_for_number(num) != "CA":
            continue
        e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
        description = geocoder.description_for_number(num, "en")
        province = _gen_geo_data.subdivision_of(description, "CA")
        if province is None:  # "Nova Scotia/Prince Edward Island", "Canada", a bare town name
            continue
        info = parse_phone(e164)
        assert (info.subdivision, info.location) == (province, geo_data.CA_PROVINCE_NAMES[province])
        checked += 1
    assert checked > 1_000 // SWEEP_STRIDE


def test_area_codes_that_cross_a_line_keep_the_exceptions() -> None:
    # 201 is New Jersey, but the geocoder puts exchange 631 in New York.
    assert parse_phone("+1 201 631 2345").subdivision == "NY"
    assert parse_phone("+1 201 555 0123").subdivision == "NJ"
    # 902 is Nova Scotia and Prince Edward Island: by exchange; an unknown exchange, just Canada.
    assert parse_phone("+1 902 367 1234").location == "Prince Edward Island"
    assert parse_phone("+1 902 421 1234").location == "Nova Scotia"
    assert parse_phone("+1 902 200 1234").location == "Canada"


def test_the_app_never_imports_the_geocoder() -> None:
    code = textwrap.dedent(
        """
        import sys
        from datetime import datetime, timezone
        import sms_tui.core.compliance as compliance
        import sms_tui.core.phones as phones
        import sms_tui.core.quiet_hours as quiet_hours

        info = phones.parse_phone("+1 415 555 2671")
        assert quiet_hours.us_state(info) == "CA", info
        assert phones.parse_phone("+44 20 7946 0958").location == "London"
        compliance.check_send(
            text="Hi, this is Bob at Acme. Reply STOP to opt out.",
            to_number="+14155552671",
            from_number="+14155550100",
            opted_out=False,
            do_not_text=False,
            now=datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc),
            first_message=True,
        )
        print(sorted(m for m in sys.modules if m.startswith(("phonenumbers.geo", "phonenumbers.geocoder"))))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
