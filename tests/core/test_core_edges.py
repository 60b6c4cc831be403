"""Edges of the send guard, phone parsing, quiet-hours windows and templates that the main tests
leave open: the exact sentences a rep reads, a national-format number in another default region,
the sender's names, trailing punctuation after a link, several quiet-hours rules at once, and
template paths and braces at the very start of a text. (Written against `make mutation`.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import pytest

from sms_tui.core import compliance, phones
from sms_tui.core.compliance import (
    ComplianceRules,
    check_send,
    find_shorteners,
    has_opt_out_line,
    identifies_sender,
)
from sms_tui.core.phones import PhoneError, PhoneInfo, format_phone, parse_phone
from sms_tui.core.quiet_hours import QUIET_HOURS_RULES, intersect, us_state, window
from sms_tui.core.templates import render, variables

NOON_UTC = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday: 12:00 in New York, 17:00 in London
OURS_US, OURS_GB = "+14155550100", "+447400123999"
LEAD_US = "+12125550123"


def check(text: str = "Hi", **kw: object) -> compliance.SendCheck:
    args: dict[str, object] = {
        "text": text,
        "to_number": LEAD_US,
        "from_number": OURS_US,
        "opted_out": False,
        "do_not_text": False,
        "now": NOON_UTC,
        "first_message": False,
    }
    args.update(kw)
    return check_send(**args)  # type: ignore[arg-type]


def messages(result: compliance.SendCheck) -> dict[str, str]:
    return {i.code: i.message for i in result.blocks + result.warnings}


# -- the guard's sentences ------------------------------------------------------------------------


def test_naive_now_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match=r"^check_send needs a timezone-aware 'now'$"):
        check(now=datetime(2026, 11, 24, 12, 0))


class _NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_a_zone_without_an_offset_is_naive_too() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(now=datetime(2026, 11, 24, 12, 0, tzinfo=_NoOffset()))


def test_a_first_message_keeps_the_other_warnings() -> None:
    codes = set(messages(check("See bit.ly/x", first_message=True)))
    assert {"url_shortener", "no_sender_id", "no_opt_out"} <= codes


def test_every_sentence_the_guard_shows() -> None:
    result = messages(check("Hi {{ contact.first", opted_out=True, do_not_text=True, first_message=True))
    assert result["opted_out"] == (
        "This contact has opted out of texts (they replied STOP or similar); "
        "you cannot text them unless they reply START."
    )
    assert result["do_not_text"] == "This contact is marked do-not-text."
    assert result["unrendered"] == (
        "The message still contains template syntax ({{ … }}); fill in or remove it before sending."
    )
    assert result["no_sender_id"] == (
        "This is the first text to this lead and it does not say who is writing; "
        "include your name or your company's name."
    )
    assert result["no_opt_out"] == (
        'This is the first text to this lead and it has no opt-out line; add "Reply STOP to opt out."'
    )
    shortened = messages(check("See bit.ly/x, then call"))
    assert shortened["url_shortener"] == (
        "The link bit.ly/x uses a public URL shortener; carriers often filter such "
        "texts as spam. Use the full link or your own domain."
    )


def test_a_national_number_is_read_in_the_rules_default_region() -> None:
    gb = ComplianceRules(default_region="GB")
    assert check(to_number="07400 123456", from_number=OURS_GB, rules=gb).ok
    blocked = check(to_number="07400 123456", from_number=OURS_GB)  # read as a US number: not valid
    assert [i.code for i in blocked.blocks] == ["not_textable"]


def test_quiet_hours_of_a_national_number_in_another_region() -> None:
    late = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 22:30 in London
    gb = ComplianceRules(default_region="GB")
    result = messages(check(to_number="07400 123456", from_number=OURS_GB, rules=gb, now=late))
    assert result["quiet_hours"].startswith("Quiet hours: it is 22:30 on Tuesday for this contact")


def test_sender_names_replace_the_introduction_rule() -> None:
    text = "Hi, this is Sam from Globex. Reply STOP to opt out."
    assert "no_sender_id" not in messages(check(text, first_message=True))
    named = messages(check(text, first_message=True, sender_names=("Dana Rep", "Acme Inc.")))
    assert "no_sender_id" in named
    assert "no_sender_id" not in messages(
        check("Dana here. Reply STOP to opt out.", first_message=True, sender_names=("Dana Rep",))
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Al here", ["Al"]),  # a two-letter name is a name
        ("Dana here", ["A", "Dana"]),  # a name too short to count does not hide the next one
        ("Acme here", ["Acme, Inc."]),  # punctuation around a word of the name
        ("Dana here", ["Dana Smith", "Acme Corp"]),  # the words of every name count
        ("Bob here", ["Bob Lee"]),  # three letters is distinctive enough
    ],
)
def test_names_that_identify_the_sender(text: str, names: list[str]) -> None:
    assert identifies_sender(text, names)


def test_shortened_links_lose_trailing_punctuation_only() -> None:
    assert find_shorteners("see bit.ly/abc.") == ("bit.ly/abc",)
    assert find_shorteners("(tinyurl.com/x)!") == ("tinyurl.com/x",)
    assert find_shorteners("“goo.gl/x”") == ("goo.gl/x",)
    assert find_shorteners("bit.ly/abcX") == ("bit.ly/abcX",)
    assert find_shorteners("example.com", frozenset({"com"})) == ()  # a top-level domain alone is no host


def test_an_opt_out_line_that_names_every_word() -> None:
    assert has_opt_out_line("Reply STOP, END, QUIT, CANCEL or UNSUBSCRIBE to opt out")


def _info(zones: tuple[str, ...], location: str = "", country_name: str = "") -> PhoneInfo:
    return PhoneInfo(
        e164="+12125550123",
        country="US",
        national="(212) 555-0123",
        international="+1 212-555-0123",
        line_type="mobile",
        time_zones=zones,
        valid=True,
        country_name=country_name,
        location=location,
    )


def test_quiet_hours_skip_an_unknown_zone_and_name_the_place() -> None:
    night = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 23:00 in New York
    issue = compliance._quiet_hours(_info(("Nowhere/Atlantis", "America/New_York")), night, ComplianceRules())
    assert issue is not None
    assert issue.message == (
        "Quiet hours: it is 23:00 on Monday for this contact (America/New_York); "
        "texts there go out 08:00–21:00."
    )
    named = compliance._quiet_hours(
        _info(("America/New_York",), country_name="United States"), night, ComplianceRules()
    )
    assert named is not None and "(United States, America/New_York)" in named.message


# -- phones ------------------------------------------------------------------------------------------


def test_format_phone_in_another_default_region() -> None:
    assert format_phone("020 7946 0958", "GB") == "+44 20 7946 0958"
    assert format_phone("not a number", "GB") == "not a number"


def test_a_number_of_the_wrong_length_says_where() -> None:
    with pytest.raises(PhoneError) as caught:
        parse_phone("+6122222222222")
    assert str(caught.value) == (
        "'+6122222222222' has the wrong number of digits for a phone number in the United States."
    )


def test_short_codes_belong_to_the_region_they_were_typed_for() -> None:
    assert parse_phone("22395", "CA") == PhoneInfo(
        e164="22395",
        country="CA",
        national="22395",
        international="22395",
        line_type="short_code",
        time_zones=(),
        valid=True,
        country_name="Canada",
        location="",
    )
    uk = parse_phone("+44 999", "US")  # not the default region's code: the code's first region
    assert (uk.country, uk.country_name, uk.e164) == ("GB", "United Kingdom", "999")


def test_an_unknown_country_is_never_the_same_country() -> None:
    assert not phones.same_country(None, "US")
    assert not phones.same_country("US", None)
    assert not phones.same_country(None, None)
    assert phones.same_country("US", "CA")


# -- quiet-hours windows ----------------------------------------------------------------------------


def test_window_text_and_its_description() -> None:
    split = window("10:00-13:00, 14:00-20:00", saturday="9:30-12", sunday="")
    assert split.describe(0) == "10:00–13:00 and 14:00–20:00"
    assert split.days[5] == ((570, 720),)
    assert split.days[6] == ()
    assert split.source == ""
    assert window("00:00-24:00", source="all day").source == "all day"
    assert window("9-17", sunday="10-12").days[6] == ((600, 720),)


@pytest.mark.parametrize("bad", ["10:00-10:00", "00:00-24:01", "12:00-11:00"])
def test_bad_intervals_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="start must be before end"):
        window(bad)


def test_several_rules_combine_to_the_strictest_and_name_every_source() -> None:
    combined = intersect([QUIET_HOURS_RULES["US-FL"], QUIET_HOURS_RULES["US-TX"]])
    assert combined.days[0] == ((540, 1200),)  # 9 a.m. (Texas) to 8 p.m. (Florida)
    assert combined.days[6] == ((720, 1200),)  # Texas' Sunday noon
    assert combined.source == "Florida (FTSA): 8 a.m.–8 p.m.; Texas: 9 a.m.–9 p.m., Sunday noon–9 p.m."
    touching = intersect([window("09:00-12:00"), window("12:00-15:00")])
    assert touching.days[0] == () and touching.describe(0) == "no texts"
    assert intersect([]) == window("00:00-24:00")


# -- templates ---------------------------------------------------------------------------------------

CONTEXT = {"contact": {"first_name": "Ann", "nickname": None, "a.b": "deep"}}


def test_template_edges() -> None:
    assert render("Hello", CONTEXT).uses_default_filter is False
    assert render("{{}}x", CONTEXT).malformed == ("{{}}",)
    assert render("{{ a {{ b {{ contact.first_name }}", CONTEXT).malformed == ("{{ a ", "{{ b ")
    both = render("{{{{ contact.first_name }}", CONTEXT)
    assert (both.malformed, both.text) == (("{{",), "{{Ann")
    assert render("}} hi", CONTEXT).malformed == ("}} hi",)
    assert render("}} 0123456789abc", CONTEXT).malformed == ("}} 012345678",)
    assert render("{{ contact.a.b }}", CONTEXT).text == "deep"
    nickname = render("{{ contact.nickname }}", CONTEXT)
    assert (nickname.missing, nickname.unknown) == (("contact.nickname",), ())


def test_variables_span_lines() -> None:
    assert variables("{{\ncontact.first_name\n}} {{ lead.display_name }}") == (
        "contact.first_name",
        "lead.display_name",
    )


def test_a_number_of_no_country_has_no_place_and_no_zone() -> None:
    info = parse_phone("+800 1234 5678")  # international freephone: phonenumbers' zone is "Etc/Unknown"
    assert (info.line_type, info.time_zones, info.location) == ("toll_free", (), "")


@pytest.mark.parametrize(
    ("location", "state"),
    [
        ("Miami, FL", "FL"),
        ("Florida", "FL"),
        ("Kansas City, Kansas, KS", "KS"),
        ("Paris, France", None),
        ("FL", None),
        ("", None),
    ],
)
def test_us_state_read_from_the_location_text(location: str, state: str | None) -> None:
    assert us_state(_info(("America/New_York",), location=location)) == state


def test_an_empty_default_region_means_the_us() -> None:
    assert parse_phone("212 555 0123", "").country == "US"


def test_a_keyword_inside_a_word_is_no_keyword() -> None:
    assert compliance.classify_keyword("XSTOP") is None
    assert compliance.classify_keyword("Stop!") == "opt_out"
