"""Phone numbers, through the phonenumbers library only (no hand-written number patterns).

parse_phone(raw, default_region="US") -> PhoneInfo        (raises PhoneError)
can_text(from_number, to_number, supported=DEFAULT_SMS_COUNTRIES) -> TextVerdict

The composer calls both on every keystroke, so both are memoised with functools.lru_cache;
phonenumbers' parse + validation costs tens of microseconds, a cache hit well under one.

Place names (country, US state / Canadian province, area) come from the generated table in
``geo_data`` and never from ``phonenumbers.geocoder``: importing the geocoder loads every prefix
description phonenumbers has, in every language (~100 MB RSS, ~0.25 s), on every start.

The parsing itself is in ``phone_parse`` (with ``LINE_TYPES`` and ``FACTS_VERSION``), loaded on the
first parse: importing phonenumbers costs 20-60 ms, and the inbox parses nothing before its first
rows. ``PhoneInfo``, ``PhoneError`` and the country names are in ``phone_info``, re-exported here.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from sms_tui.core.phone_info import LINE_TYPE_LABELS as LINE_TYPE_LABELS
from sms_tui.core.phone_info import PhoneError as PhoneError
from sms_tui.core.phone_info import PhoneInfo as PhoneInfo
from sms_tui.core.phone_info import country_name as country_name
from sms_tui.core.phone_info import in_country as in_country

DEFAULT_SMS_COUNTRIES: frozenset[str] = frozenset(
    {"US", "CA", "GB", "AU", "BE", "DK", "FR", "IL", "PR", "ZA"}
)

#: Countries that share one numbering plan (+1, NANP) and that carriers treat as one for
#: "the sender must be in the recipient's country". Only the +1 countries we support.
NANP_GROUP: frozenset[str] = frozenset({"US", "CA", "PR"})


@dataclass(frozen=True, slots=True)
class TextVerdict:
    ok: bool
    reason: str | None = None  # sentence for the rep when not ok
    #: machine code when not ok: invalid, invalid_sender, short_code, country_unsupported,
    #: country_mismatch, landline
    code: str | None = None


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


@lru_cache(maxsize=1)
def _facts_version() -> str:
    """`phone_parse.FACTS_VERSION` (ours and phonenumbers' version): loads the parsing."""
    from sms_tui.core import phone_parse

    return phone_parse.FACTS_VERSION


@lru_cache(maxsize=1)
def _facts_prefix() -> str:
    return json.dumps({"v": _facts_version()}, separators=(",", ":"))[:-1] + ","


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
    facts = {"v": _facts_version(), "r": region, "p": body}
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


def facts_fresh(facts: str | None) -> bool:
    """Whether `facts` was written by this version of `facts_json` (else: parse again)."""
    return bool(facts) and facts is not None and facts.startswith(_facts_prefix())


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
    from sms_tui.core import phone_parse  # phonenumbers loads with the first parse, not at start

    return phone_parse.parse_number(raw, default_region)


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
