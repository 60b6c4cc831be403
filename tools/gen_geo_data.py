"""Generate sms_tui/core/geo_data.py from phonenumbers' own geocoding data.

    python -m tools.gen_geo_data            # rewrite sms_tui/core/geo_data.py
    python -m tools.gen_geo_data --check    # exit 1 if the committed file is stale

Why: ``import phonenumbers.geocoder`` loads every prefix description phonenumbers ships, in every
language (~100 MB RSS, a quarter of a second), for the few things we show: a country's English
name, the US state or Canadian province of a +1 number, and the area of a fixed line in the
smaller countries we text. This script, run by hand after a phonenumbers upgrade, distils those
into a small literal module. It lives in tools/, outside the package: nothing imports it at run
time; tests/core/test_geo_data.py checks the committed table against the geocoder, so a stale
table fails the suite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.geodata.locale import LOCALE_DATA

OUT = Path(__file__).resolve().parent.parent / "sms_tui" / "core" / "geo_data.py"

#: Country calling codes whose every English prefix description we copy as is (small tables).
#: Of the countries we text, +61 (AU, ~60k prefixes) and +33 (FR, ~14k) are left out on purpose:
#: their numbers get the country name as location, as the geocoder gives for a mobile.
VERBATIM_CODES: tuple[str, ...] = ("27", "32", "44", "972")

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "Washington D.C.",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip

#: Other spellings the geocoder uses for a whole state or province (one is a typo in its data).
ALIASES: dict[str, dict[str, str]] = {
    "US": {"Washington State": "WA", "Washington DC": "DC", "District of Columbia": "DC"},
    "CA": {
        "British Colombia": "BC",
        "Newfoundland": "NL",
        "Yukon Territory": "YT",
        "Northwest Territory": "NT",
        "PEI": "PE",
    },
}

_CITY_CODE = re.compile(r", ([A-Z]{2})$")


def subdivision_of(description: str, country: str) -> str | None:
    """Two-letter state/province of a +1 geocoder description ("Miami, FL", "Florida"), or None."""
    names = US_STATES if country == "US" else CA_PROVINCES
    match = _CITY_CODE.search(description)
    if match:
        return match.group(1) if match.group(1) in names else None
    by_name = {name: code for code, name in names.items()} | ALIASES.get(country, {})
    return by_name.get(description.strip())


def english(entry: dict[str, str]) -> str | None:
    return entry.get("en")


def region_names() -> dict[str, str]:
    """English display name of every region phonenumbers names (as geocoder._region_display_name)."""
    out: dict[str, str] = {}
    for region, names in sorted(LOCALE_DATA.items()):
        name = names.get("en", "")
        if name.startswith("*"):
            name = names.get(name[1:], "")
        if name:
            out[region] = name
    return out


def nanp_subdivisions() -> dict[str, str]:
    """E.164 digit prefix -> state/province code for US and Canadian numbers, longest prefix wins.

    Every +1 description the geocoder has for a US or Canadian area code is read as a state or
    province ("Miami, FL", "Florida"; "" for the few that name several, e.g. "Nova Scotia/Prince
    Edward Island"). Each area code gets an entry of its own (its 4-digit description, else the
    state most of its descriptions name), so an exchange the geocoder does not list still gets the
    area code's state. Then every entry that says the same as its nearest shorter entry is dropped:
    area codes (almost) never cross state lines, so ~32,000 prefixes shrink to one per area code
    and a handful of exceptions (e.g. 201-631 is New York in the geocoder).
    """
    full: dict[str, str] = {}
    by_npa: dict[str, list[str]] = defaultdict(list)
    for prefix, entry in GEOCODE_DATA.items():
        text = english(entry)
        if not (prefix.startswith("1") and len(prefix) >= 4 and text is not None):
            continue
        region = _nanp_region(prefix[1:4])
        if region not in ("US", "CA"):
            continue  # +1 countries we do not split (and do not text, except PR: no geodata)
        code = subdivision_of(text, region) or ""
        full[prefix] = code
        by_npa[prefix[:4]].append(code)
    for npa_prefix, codes in by_npa.items():
        if npa_prefix not in full:
            full[npa_prefix] = Counter(c for c in codes if c).most_common(1)[0][0]
    kept: dict[str, str] = {}
    for prefix in sorted(full, key=lambda p: (len(p), p)):
        if _longest(kept, prefix) != full[prefix]:
            kept[prefix] = full[prefix]
    return dict(sorted(kept.items()))


def _nanp_region(npa: str) -> str | None:
    return phonenumbers.region_code_for_number(phonenumbers.parse(f"+1{npa}2345678"))


def _longest(table: dict[str, str], digits: str) -> str | None:
    for end in range(len(digits), 0, -1):
        if digits[:end] in table:
            return table[digits[:end]]
    return None


def verbatim_prefixes() -> dict[str, str]:
    """Every English description for the VERBATIM_CODES countries, keyed by E.164 digits."""
    out: dict[str, str] = {}
    for prefix, entry in sorted(GEOCODE_DATA.items()):
        text = english(entry)
        if text is not None and prefix.startswith(VERBATIM_CODES):
            out[prefix] = text
    return out


def _str(text: str) -> str:
    """A string literal as ruff format writes it (double quotes, non-ASCII kept)."""
    return json.dumps(text, ensure_ascii=False)


def _dict(name: str, data: dict[str, str]) -> str:
    """One entry a line: stable under ruff format and readable in a diff after an upgrade."""
    body = "".join(f"    {_str(k)}: {_str(v)},\n" for k, v in data.items())
    return f"{name}: dict[str, str] = {{\n{body}}}\n"


def render() -> str:
    """The text of geo_data.py (already as ruff format would write it)."""
    version = phonenumbers.__version__
    nanp = nanp_subdivisions()
    prefixes = verbatim_prefixes()
    codes = ", ".join(map(_str, VERBATIM_CODES))
    header = (
        '"""Geographic names distilled from phonenumbers\' geocoder data, so that the app never\n'
        "imports phonenumbers.geocoder (which loads ~100 MB of prefix descriptions in every language).\n\n"
        f"AUTO-GENERATED by `python -m tools.gen_geo_data` from phonenumbers {version};\n"
        "do not edit by hand. Regenerate after upgrading phonenumbers: tests/core/test_geo_data.py\n"
        "fails while this table disagrees with the geocoder.\n"
        '"""\n\n'
        "from __future__ import annotations\n"
    )
    sections = [
        f"PHONENUMBERS_VERSION = {_str(version)}\n",
        "#: Region code -> English name, as geocoder.country_name_for_number gives it.\n"
        + _dict("REGION_NAMES", region_names()),
        "#: +1 E.164 digit prefix (area code, or area code + exchange for the few exceptions) ->\n"
        '#: two-letter US state or Canadian province; "" where the geocoder names several.\n'
        "#: Longest prefix wins; the number's region says whether it is a state or a province.\n"
        + _dict("NANP_SUBDIVISIONS", nanp),
        f"NANP_PREFIX_MAX = {max(map(len, nanp))}\n",
        "#: Two-letter US state -> name.\n" + _dict("US_STATE_NAMES", US_STATES),
        "#: Two-letter Canadian province -> name.\n" + _dict("CA_PROVINCE_NAMES", CA_PROVINCES),
        "#: Calling codes whose area descriptions are all copied into AREA_PREFIXES.\n"
        f"AREA_CODES: tuple[str, ...] = ({codes})\n",
        "#: E.164 digit prefix -> the geocoder's English area description (longest prefix wins).\n"
        + _dict("AREA_PREFIXES", prefixes),
        f"AREA_PREFIX_MAX = {max(map(len, prefixes))}\n",
    ]
    return header + "\n" + "\n\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if geo_data.py is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        stale = not OUT.exists() or OUT.read_text(encoding="utf-8") != text
        print(f"{OUT}: {'STALE' if stale else 'up to date'}")
        return 1 if stale else 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
