"""The send guard (blocks and warnings) and inbound keyword classification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sms_tui.core.compliance import (
    DEFAULT_RULES,
    ComplianceRules,
    Issue,
    SendCheck,
    check_send,
    classify_keyword,
    find_shorteners,
    has_opt_out_line,
    identifies_sender,
    quiet_window,
)
from sms_tui.core.phones import parse_phone
from sms_tui.core.quiet_hours import window

NY = ZoneInfo("America/New_York")
US_SENDER = "+1 415 555 2671"
NY_LEAD = "+1 212 736 5000"  # New York, America/New_York
FL_LEAD = "+1 305 555 0100"  # Florida, America/New_York
TX_LEAD = "+1 512 555 0100"  # Texas, America/Chicago
LA_LEAD = "+1 504 555 0100"  # Louisiana, America/Chicago
AK_LEAD = "+1 907 555 0100"  # Alaska: America/Adak and America/Anchorage
GOOD_FIRST = "Hi Ada, this is Dana from Acme. Reply STOP to opt out."
# Wednesday 14 January 2026, 11:00 in New York: inside every window used here.
WEDNESDAY_11_NY = datetime(2026, 1, 14, 11, 0, tzinfo=NY)


def check(**overrides: Any) -> SendCheck:
    args: dict[str, Any] = {
        "text": "Hi Ada, following up on our call.",
        "to_number": NY_LEAD,
        "from_number": US_SENDER,
        "opted_out": False,
        "do_not_text": False,
        "now": WEDNESDAY_11_NY,
        "first_message": False,
    }
    args.update(overrides)
    return check_send(**args)


def codes(issues: tuple[Issue, ...]) -> list[str]:
    return [i.code for i in issues]


def test_ordinary_message_passes_clean() -> None:
    result = check()
    assert result.ok
    assert result.blocks == () and result.warnings == ()


# --- blocks ---------------------------------------------------------------------------------------------


def test_opted_out_blocks() -> None:
    result = check(opted_out=True)
    assert not result.ok
    assert codes(result.blocks) == ["opted_out"]
    assert "opted out" in result.blocks[0].message and "START" in result.blocks[0].message


def test_do_not_text_blocks() -> None:
    result = check(do_not_text=True)
    assert result.blocks == (Issue("do_not_text", "This contact is marked do-not-text."),)


def test_landline_blocks_with_can_text_reason() -> None:
    result = check(to_number="+44 20 7946 0958", from_number="+44 7400 123456")
    assert result.blocks == (
        Issue(
            "not_textable",
            "+44 20 7946 0958 is a landline (fixed line) in the United Kingdom; it cannot receive texts.",
            "landline",
        ),
    )


@pytest.mark.parametrize(
    ("to_number", "detail"),
    [
        ("12345", "short_code"),
        ("+1 555 555 5555", "invalid"),
        ("", "invalid"),
        ("+44 7400 123456", "country_mismatch"),
        ("+49 1512 3456789", "country_unsupported"),
    ],
)
def test_not_textable_numbers_block(to_number: str, detail: str) -> None:
    result = check(to_number=to_number)
    assert codes(result.blocks) == ["not_textable"]
    assert result.blocks[0].detail == detail
    assert result.blocks[0].message  # a sentence, from can_text


def test_supported_countries_come_from_the_rules() -> None:
    rules = ComplianceRules(supported_countries=frozenset({"GB"}))
    assert check(rules=rules).blocks[0].detail == "country_unsupported"


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200b", " \ufeff "])
def test_empty_or_whitespace_only_blocks(text: str) -> None:
    result = check(text=text)
    assert codes(result.blocks) == ["empty"]
    assert result.blocks[0].message == "The message is empty."


def test_exactly_1000_characters_is_allowed() -> None:
    assert "too_long" not in codes(check(text="a" * 1000).blocks)


def test_over_1000_characters_blocks() -> None:
    result = check(text="a" * 1001)
    assert "too_long" in codes(result.blocks)
    too_long = next(i for i in result.blocks if i.code == "too_long")
    assert (
        too_long.message == "The message is 1,001 characters; Close accepts at most 1,000. Shorten it by 1."
    )


@pytest.mark.parametrize(
    "text",
    ["Hi {{ contact.first_name }}", "Hi {{ contact.first_name", "Hi contact.first_name }}", "{% if x %}"],
)
def test_unrendered_template_syntax_blocks(text: str) -> None:
    assert "unrendered" in codes(check(text=text).blocks)


def test_several_blocks_are_all_reported() -> None:
    result = check(opted_out=True, do_not_text=True, to_number="+44 20 7946 0958", text=" ")
    assert codes(result.blocks) == ["opted_out", "do_not_text", "not_textable", "empty"]


def test_warnings_do_not_block() -> None:
    result = check(text="See bit.ly/abc")
    assert result.ok
    assert codes(result.warnings) == ["url_shortener"]


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(now=datetime(2026, 1, 14, 11, 0))


# --- quiet hours ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (7, 59, True),
        (8, 0, False),  # window opens at 08:00 exactly
        (12, 0, False),
        (20, 59, False),
        (21, 0, True),  # and is closed from 21:00 exactly
        (23, 30, True),
        (0, 0, True),
    ],
)
def test_default_quiet_hours_edges_in_new_york(hour: int, minute: int, quiet: bool) -> None:
    now = datetime(2026, 1, 14, hour, minute, tzinfo=NY)
    assert ("quiet_hours" in codes(check(now=now).warnings)) is quiet


def test_quiet_hours_use_the_recipients_time_not_now_s_zone() -> None:
    # 13:00 UTC is 08:00 in New York (EST) but 05:00 in San Francisco.
    now = datetime(2026, 1, 14, 13, 0, tzinfo=UTC)
    assert "quiet_hours" not in codes(check(now=now, to_number=NY_LEAD).warnings)
    assert "quiet_hours" in codes(check(now=now, to_number="+1 415 555 0123").warnings)


def test_quiet_hours_follow_daylight_saving() -> None:
    # 12:30 UTC: 07:30 EST in January (quiet) but 08:30 EDT in July (fine).
    assert "quiet_hours" in codes(check(now=datetime(2026, 1, 14, 12, 30, tzinfo=UTC)).warnings)
    assert "quiet_hours" not in codes(check(now=datetime(2026, 7, 15, 12, 30, tzinfo=UTC)).warnings)


def test_quiet_hours_message_says_local_time_and_window() -> None:
    now = datetime(2026, 1, 14, 21, 0, tzinfo=NY)
    (issue,) = check(now=now).warnings
    assert issue.message == (
        "Quiet hours: it is 21:00 on Wednesday for this contact (New York, America/New_York); "
        "texts there go out 08:00–21:00."
    )


def test_florida_is_stricter_8pm() -> None:
    at_1959 = datetime(2026, 1, 14, 19, 59, tzinfo=NY)
    at_2000 = datetime(2026, 1, 14, 20, 0, tzinfo=NY)
    assert "quiet_hours" not in codes(check(to_number=FL_LEAD, now=at_1959).warnings)
    (issue,) = check(to_number=FL_LEAD, now=at_2000).warnings
    assert issue.code == "quiet_hours"
    assert "08:00–20:00" in issue.message and "Florida" in issue.message
    # The same minute is fine for a New York number.
    assert "quiet_hours" not in codes(check(to_number=NY_LEAD, now=at_2000).warnings)


def test_texas_sunday_starts_at_noon() -> None:
    chicago = ZoneInfo("America/Chicago")
    saturday_1000 = datetime(2026, 1, 17, 10, 0, tzinfo=chicago)
    sunday_1000 = datetime(2026, 1, 18, 10, 0, tzinfo=chicago)
    sunday_1200 = datetime(2026, 1, 18, 12, 0, tzinfo=chicago)
    weekday_0830 = datetime(2026, 1, 14, 8, 30, tzinfo=chicago)
    assert "quiet_hours" not in codes(check(to_number=TX_LEAD, now=saturday_1000).warnings)
    assert "quiet_hours" in codes(check(to_number=TX_LEAD, now=sunday_1000).warnings)
    assert "quiet_hours" not in codes(check(to_number=TX_LEAD, now=sunday_1200).warnings)
    assert "quiet_hours" in codes(check(to_number=TX_LEAD, now=weekday_0830).warnings)


def test_louisiana_no_texts_on_sunday() -> None:
    sunday_noon = datetime(2026, 1, 18, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    (issue,) = check(to_number=LA_LEAD, now=sunday_noon).warnings
    assert issue.message.endswith("; no texts there on Sundays.")


def test_france_weekdays_only_with_lunch_break() -> None:
    paris = ZoneInfo("Europe/Paris")
    fr = {"to_number": "+33 6 98 76 54 32", "from_number": "+33 6 12 34 56 78"}
    assert "quiet_hours" not in codes(check(now=datetime(2026, 1, 14, 10, 0, tzinfo=paris), **fr).warnings)
    assert "quiet_hours" in codes(check(now=datetime(2026, 1, 14, 9, 0, tzinfo=paris), **fr).warnings)
    assert "quiet_hours" in codes(check(now=datetime(2026, 1, 14, 13, 30, tzinfo=paris), **fr).warnings)
    assert "quiet_hours" not in codes(check(now=datetime(2026, 1, 14, 14, 0, tzinfo=paris), **fr).warnings)
    assert "quiet_hours" in codes(check(now=datetime(2026, 1, 17, 11, 0, tzinfo=paris), **fr).warnings)


def test_multi_zone_number_is_quiet_if_quiet_in_any_zone() -> None:
    anchorage = ZoneInfo("America/Anchorage")
    # 08:30 in Anchorage is 07:30 in Adak: quiet in one of the two zones -> warn, naming Adak.
    (issue,) = check(to_number=AK_LEAD, now=datetime(2026, 1, 14, 8, 30, tzinfo=anchorage)).warnings
    assert issue.code == "quiet_hours"
    assert "07:30" in issue.message and "America/Adak" in issue.message
    # 09:00 Anchorage = 08:00 Adak: open in both.
    assert check(to_number=AK_LEAD, now=datetime(2026, 1, 14, 9, 0, tzinfo=anchorage)).warnings == ()
    # 21:00 Anchorage = 20:00 Adak: closed in Anchorage.
    late = check(to_number=AK_LEAD, now=datetime(2026, 1, 14, 21, 0, tzinfo=anchorage)).warnings
    assert "America/Anchorage" in late[0].message


def test_multi_zone_australian_mobile() -> None:
    au = {"to_number": "+61 412 345 678", "from_number": "+61 498 765 432"}
    # 09:00 in Sydney (AEDT) is 06:00 in Perth.
    sydney_9 = datetime(2026, 1, 14, 9, 0, tzinfo=ZoneInfo("Australia/Sydney"))
    assert "quiet_hours" in codes(check(now=sydney_9, **au).warnings)
    sydney_13 = datetime(2026, 1, 14, 13, 0, tzinfo=ZoneInfo("Australia/Sydney"))  # Perth 10:00
    assert "quiet_hours" not in codes(check(now=sydney_13, **au).warnings)


def test_quiet_hours_rules_are_data_in_the_rules() -> None:
    office_hours = ComplianceRules(default_window=window("09:00-17:00"), quiet_hours={})
    late_afternoon = datetime(2026, 1, 14, 17, 30, tzinfo=NY)
    assert "quiet_hours" in codes(check(now=late_afternoon, rules=office_hours).warnings)
    # Without the Florida rule, 20:00 in Florida is fine by the default window.
    no_state_rules = ComplianceRules(quiet_hours={})
    assert check(to_number=FL_LEAD, now=datetime(2026, 1, 14, 20, 0, tzinfo=NY), rules=no_state_rules).ok
    assert (
        check(to_number=FL_LEAD, now=datetime(2026, 1, 14, 20, 0, tzinfo=NY), rules=no_state_rules).warnings
        == ()
    )


def test_state_rules_only_make_it_stricter() -> None:
    lenient = ComplianceRules(quiet_hours={"US-NY": window("06:00-23:00")})
    assert "quiet_hours" in codes(check(now=datetime(2026, 1, 14, 7, 0, tzinfo=NY), rules=lenient).warnings)


def test_quiet_window_combines_default_country_and_state() -> None:
    fl = quiet_window(parse_phone(FL_LEAD))
    assert fl.describe(2) == "08:00–20:00"
    assert quiet_window(parse_phone(NY_LEAD)).describe(2) == "08:00–21:00"
    tx = quiet_window(parse_phone(TX_LEAD))
    assert (tx.describe(0), tx.describe(6)) == ("09:00–21:00", "12:00–21:00")
    assert quiet_window(parse_phone("+33 6 12 34 56 78")).describe(5) == "no texts"


def test_no_quiet_hours_check_for_untextable_numbers() -> None:
    night = datetime(2026, 1, 14, 23, 0, tzinfo=NY)
    assert check(to_number="+1 555 555 5555", now=night).warnings == ()


def test_window_rejects_backwards_interval() -> None:
    with pytest.raises(ValueError, match="start must be before end"):
        window("21:00-08:00")


# --- content warnings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "See bit.ly/3xYz",
        "See https://bit.ly/3xYz today",
        "See http://tinyurl.com/abc",
        "Link: T.CO/abc",
        "goo.gl/maps/xyz",
        "www.bit.ly/abc",
        "Try cutt.ly/q, thanks",
        "rebrand.ly/deal.",
        "(shorturl.at/abc)",
        "is.gd/x ow.ly/y",
    ],
)
def test_url_shorteners_warn(text: str) -> None:
    result = check(text=text)
    assert codes(result.warnings) == ["url_shortener"]
    assert "public URL shortener" in result.warnings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "I love orbit.lyrics",
        "habit.ly is not a thing",
        "Visit t.com or at.co",
        "example.com/bit.ly",
        "Write to me@bit.ly",
        "The cost is 3.50",
        "Go to acme.com/offers",
    ],
)
def test_domains_are_matched_whole_not_as_substrings(text: str) -> None:
    assert find_shorteners(text) == ()


def test_shortener_domains_are_configurable() -> None:
    rules = ComplianceRules(shortener_domains=frozenset({"acme.link"}))
    assert codes(check(text="acme.link/x", rules=rules).warnings) == ["url_shortener"]
    assert check(text="bit.ly/x", rules=rules).warnings == ()


def test_find_shorteners_returns_the_links() -> None:
    assert find_shorteners("a bit.ly/x and https://tinyurl.com/y") == ("bit.ly/x", "https://tinyurl.com/y")


def test_more_than_three_segments_warns() -> None:
    assert check(text="a" * 459).warnings == ()  # 3 GSM-7 segments of 153
    result = check(text="a" * 460)
    assert codes(result.warnings) == ["many_segments"]
    assert result.warnings[0].message.startswith("This message is 4 segments (GSM-7)")


def test_segment_threshold_is_configurable() -> None:
    rules = ComplianceRules(max_segments=1)
    assert codes(check(text="a" * 161, rules=rules).warnings) == ["many_segments"]
    assert check(text="a" * 160, rules=rules).warnings == ()


# --- first message ------------------------------------------------------------------------------------


def test_good_first_message_passes() -> None:
    assert check(text=GOOD_FIRST, first_message=True, sender_names=("Dana", "Acme")).warnings == ()


def test_first_message_without_sender_or_opt_out() -> None:
    result = check(text="Hi Ada, got a minute?", first_message=True, sender_names=("Dana Rep", "Acme"))
    assert codes(result.warnings) == ["no_sender_id", "no_opt_out"]
    assert result.ok  # warnings only
    assert "Reply STOP to opt out." in result.warnings[1].message


def test_later_messages_need_neither() -> None:
    assert check(text="Hi Ada, got a minute?", first_message=False).warnings == ()


def test_sender_names_are_whole_words_any_case() -> None:
    assert identifies_sender("hi, it's ACME here", ["Acme"])
    assert identifies_sender("Dana Rep here", ["Dana Rep"])
    assert not identifies_sender("Acmeology rocks", ["Acme"])
    assert not identifies_sender("Hi there", ["Acme", "Dana"])


def test_a_distinctive_word_of_a_sender_name_is_enough() -> None:
    assert identifies_sender("Hi, Dana here", ["Dana Rep"])
    assert identifies_sender("Acme team here", ["The Acme Company"])
    assert not identifies_sender("The company of the year", ["The Acme Company"])


def test_rules_are_hashable_and_comparable() -> None:
    assert hash(DEFAULT_RULES) == hash(ComplianceRules())
    assert ComplianceRules() == DEFAULT_RULES
    assert ComplianceRules(max_segments=5) != DEFAULT_RULES


def test_without_sender_names_an_introduction_counts() -> None:
    assert identifies_sender("Hi, this is Dana.")
    assert identifies_sender("Greetings from Acme!")
    assert not identifies_sender("Hi, got a minute?")
    assert not identifies_sender("from 9 to 5")


@pytest.mark.parametrize(
    "text",
    [
        "Reply STOP to opt out",
        "reply stop to unsubscribe",
        "Text STOP to end",
        "Txt STOP 2 quit",
        "Reply 'STOP' to unsubscribe.",
        "STOP to opt-out",
        "Opt out: reply STOP",
        "Respond with STOP to stop messages",
        "To unsubscribe, reply END",
    ],
)
def test_opt_out_line_wordings(text: str) -> None:
    assert has_opt_out_line(text)


@pytest.mark.parametrize(
    "text", ["Don't stop believing", "We never stop working", "Hi Ada", "Stopwatch sale"]
)
def test_not_an_opt_out_line(text: str) -> None:
    assert not has_opt_out_line(text)


def test_default_rules_values() -> None:
    assert DEFAULT_RULES.max_segments == 3
    assert DEFAULT_RULES.default_window.describe(0) == "08:00–21:00"
    assert {"US", "CA", "GB", "AU", "BE", "DK", "FR", "IL", "PR", "ZA"} == DEFAULT_RULES.supported_countries
    assert {"bit.ly", "tinyurl.com", "t.co", "rb.gy"} <= DEFAULT_RULES.shortener_domains


def test_check_send_does_not_read_the_clock() -> None:
    """Same inputs, same answer, whatever the wall clock says: only `now` matters."""
    night = datetime(2026, 1, 14, 23, 0, tzinfo=NY)
    assert check(now=night) == check(now=night)
    assert check(now=night) != check(now=night - timedelta(hours=12))


# --- keywords -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word", ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"]
)
@pytest.mark.parametrize("shape", [str.upper, str.lower, str.title, lambda w: f"  {w}\n"])
def test_opt_out_keywords_any_case_trimmed(word: str, shape: Any) -> None:
    assert classify_keyword(shape(word)) == "opt_out"


@pytest.mark.parametrize("word", ["START", "start", "Yes", "UNSTOP", " unstop "])
def test_opt_in_keywords(word: str) -> None:
    assert classify_keyword(word) == "opt_in"


@pytest.mark.parametrize("word", ["HELP", "help", "Info", " INFO "])
def test_help_keywords(word: str) -> None:
    assert classify_keyword(word) == "help"


@pytest.mark.parametrize("text", ["Stop.", "STOP!", "stop!!!", '"Stop"', "STOP?", "Help?", "yes!", "(quit)"])
def test_punctuation_around_the_keyword_is_ignored(text: str) -> None:
    assert classify_keyword(text) is not None


@pytest.mark.parametrize("text", ["OPT OUT", "opt-out", "Stop all", "opt  out"])
def test_spaced_opt_out_spellings(text: str) -> None:
    assert classify_keyword(text) == "opt_out"


def test_full_width_letters_are_normalised() -> None:
    assert classify_keyword("ＳＴＯＰ") == "opt_out"


@pytest.mark.parametrize(
    "text",
    [
        "STOP PLEASE",
        "please stop",
        "stop 🛑",
        "Yes please",
        "Stopp",
        "S T O P",
        "Can you help me?",
        "",
        "   ",
        "...",
        "START over",
    ],
)
def test_anything_more_is_not_a_keyword(text: str) -> None:
    assert classify_keyword(text) is None


@given(st.text(max_size=30))
def test_classify_keyword_is_total(text: str) -> None:
    assert classify_keyword(text) in (None, "opt_out", "opt_in", "help")
