"""Unit tests for core.segments: the GSM-7 / UCS-2 rules a rep pays by."""

from __future__ import annotations

import pytest

from sms_tui.core.segments import (
    CLOSE_MAX_CHARS,
    GSM_BASIC,
    GSM_EXTENSION,
    analyze,
    gsm_safe,
)

GREEK_IN_GSM = "ΔΦΓΛΩΠΨΣΘΞ"


# --- encoding -------------------------------------------------------------------------------


def test_gsm_alphabet_is_the_127_characters_of_23_038():
    assert len(GSM_BASIC) == 127 == len(set(GSM_BASIC))
    assert set(GSM_EXTENSION) == set("^{}\\[~]|€\f")
    info = analyze(GSM_BASIC)
    assert info.encoding == "GSM-7"
    assert info.units == 127


@pytest.mark.parametrize("char", list(GSM_BASIC))
def test_every_basic_character_is_one_septet(char):
    info = analyze(char)
    assert (info.encoding, info.units) == ("GSM-7", 1)


@pytest.mark.parametrize("char", list(GSM_EXTENSION))
def test_every_extension_character_is_two_septets(char):
    info = analyze(char)
    assert (info.encoding, info.units, info.units_left) == ("GSM-7", 2, 158)


def test_greek_capitals_in_the_alphabet_stay_gsm():
    assert analyze(GREEK_IN_GSM).encoding == "GSM-7"


@pytest.mark.parametrize(
    "char",
    [
        "Α",  # GREEK CAPITAL ALPHA, looks like A
        "α",
        "ç",  # only the capital Ç is GSM
        "á",
        "ê",
        "`",
        "\t",
        "\u00a0",  # NBSP
        "\u2019",  # curly apostrophe
        "\u2014",
        "\u2026",
        "\u200b",
        "\u0301",  # a combining accent: no normalisation
        "\x1b",  # ESC itself is not a character
        "😀",
    ],
)
def test_one_non_gsm_character_makes_the_whole_message_ucs2(char):
    info = analyze("Hello " + char + " world")
    assert info.encoding == "UCS-2"
    assert [f.char for f in info.ucs2_chars] == [char]


def test_decomposed_accent_is_not_normalised():
    assert analyze("Café").encoding == "GSM-7"
    decomposed = analyze("Cafe\u0301")
    assert decomposed.encoding == "UCS-2"
    assert decomposed.units == 5


# --- counts and capacity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments", "per_segment", "left"),
    [
        ("", 1, 160, 160),
        ("a" * 160, 1, 160, 0),
        ("a" * 161, 2, 153, 145),
        ("a" * 306, 2, 153, 0),
        ("a" * 307, 3, 153, 152),
        ("€" * 80, 1, 160, 0),
        ("€" * 81, 2, 153, 143),
        ("ê" * 70, 1, 70, 0),
        ("ê" * 71, 2, 67, 63),
        ("ê" * 134, 2, 67, 0),
        ("ê" * 135, 3, 67, 66),
        ("😀" * 35, 1, 70, 0),
        ("😀" * 36, 2, 67, 61),  # 33 emoji (66 units) fit in the first part, not 33.5
    ],
)
def test_segment_boundaries(text, segments, per_segment, left):
    info = analyze(text)
    assert (info.segments, info.units_per_segment, info.units_left) == (segments, per_segment, left)
    assert "".join(info.parts) == text


def test_empty_text_is_one_segment():
    info = analyze("")
    assert (info.encoding, info.segments, info.units, info.parts) == ("GSM-7", 1, 0, ("",))


def test_extension_character_never_leaves_its_escape():
    text = "a" * 152 + "€" + "b" * 10  # 164 septets; the € would need septets 153 and 154
    info = analyze(text)
    assert [len(p) for p in info.parts] == [152, 11]
    assert info.parts[1].startswith("€")


def test_surrogate_pair_is_never_cut():
    text = "ê" * 66 + "😀" + "ê" * 10
    info = analyze(text)
    assert info.parts[0] == "ê" * 66
    assert info.parts[1].startswith("😀")


@pytest.mark.parametrize(
    "cluster",
    [
        "👍🏽",
        "🇫🇷",
        "👨\u200d👩\u200d👧\u200d👦",
        "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        "1\ufe0f\u20e3",
    ],
)
def test_a_user_perceived_character_stays_in_one_part(cluster):
    text = "ê" * 65 + cluster + "ê" * 20
    info = analyze(text)
    assert info.parts[0] == "ê" * 65
    assert info.parts[1].startswith(cluster)


def test_keeping_a_flag_whole_costs_a_segment_as_twilio_bills_it():
    # 134 units would fit two parts exactly, but only by cutting the flag between its letters.
    text = "ê" * 66 + "🇫🇷" + "ê" * 64
    assert analyze(text).segments == 3


def test_twilio_cut_inside_newer_emoji_is_used_only_when_it_saves_a_segment():
    fire = "\u2764\ufe0f\u200d\U0001f525"  # ❤️‍🔥: Twilio's Unicode 10 rules cut after the ZWJ
    tight = analyze("ê" * 64 + fire + "ê" * 65)  # 134 units
    assert tight.segments == 2
    assert tight.parts[0].endswith("\u200d")
    loose = analyze("ê" * 64 + fire + "ê" * 20)
    assert loose.segments == 2
    assert loose.parts[1].startswith(fire)  # no segment to save: the emoji stays whole


def test_crlf_may_be_split_like_twilio_does():
    text = "a" * 152 + "\r\n" + "b" * 152  # 306 septets: two full parts
    info = analyze(text)
    assert info.segments == 2
    assert info.parts[0].endswith("\r")


def test_cluster_longer_than_a_segment_is_cut_by_code_point():
    zalgo = "e" + "\u0301" * 100
    info = analyze(zalgo)
    assert info.segments == 2
    assert [len(p) for p in info.parts] == [67, 34]


# --- UCS-2 characters, Close limit ---------------------------------------------------------


def test_forcing_characters_have_positions_codes_and_names():
    info = analyze("It\u2019s 5\u00a0pm 👍")
    found = [(f.index, f.char, f.codepoint, f.name) for f in info.ucs2_chars]
    assert found == [
        (2, "\u2019", "U+2019", "RIGHT SINGLE QUOTATION MARK"),
        (6, "\u00a0", "U+00A0", "NO-BREAK SPACE"),
        (10, "👍", "U+1F44D", "THUMBS UP SIGN"),
    ]
    assert analyze("plain").ucs2_chars == ()


def test_close_limit_counts_utf16_units():
    assert analyze("a" * CLOSE_MAX_CHARS).over_limit is False
    over = analyze("a" * (CLOSE_MAX_CHARS - 1) + "😀")
    assert (over.chars, over.chars_left, over.over_limit) == (1001, -1, True)
    assert analyze("€{}").chars == 3  # septets are not characters


# --- GSM-safe rewrite -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("It\u2019s \u2018ok\u2019", "It's 'ok'"),
        ("\u201cHi\u201d", '"Hi"'),
        ("a\u2013b\u2014c", "a-b-c"),
        ("wait\u2026", "wait..."),
        ("5\u00a0pm\u202fok\u2009x", "5 pm ok x"),
        ("a\tb", "a b"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("Cafe\u0301", "Café"),
        ("ＡＢＣ１２３", "ABC123"),
        ("x\u200dy", "xy"),
    ],
)
def test_gsm_safe_replaces_lookalikes(before, after):
    rewrite = gsm_safe(before)
    assert rewrite.text == after
    assert rewrite.changed
    assert rewrite.encoding == "GSM-7"
    assert analyze(rewrite.text).encoding == "GSM-7"


def test_gsm_safe_reports_segments_saved():
    text = "Hi Ana \u2014 it\u2019s Bob. " * 5  # 105 chars: 2 UCS-2 parts, 1 GSM part
    rewrite = gsm_safe(text)
    assert (rewrite.segments_before, rewrite.segments_after, rewrite.saved) == (2, 1, 1)


@pytest.mark.parametrize("text", ["", "plain", GSM_BASIC + GSM_EXTENSION, "a" * 500])
def test_gsm_safe_never_touches_gsm_text(text):
    rewrite = gsm_safe(text)
    assert (rewrite.text, rewrite.changed, rewrite.saved) == (text, False, 0)


def test_gsm_safe_keeps_emoji_joiners_when_the_text_stays_ucs2():
    family = "👨\u200d👩\u200d👧"
    rewrite = gsm_safe("It\u2019s us " + family)
    assert rewrite.text == "It's us " + family
    assert rewrite.encoding == "UCS-2"
    assert rewrite.saved == 0


def test_gsm_safe_says_when_the_rewrite_would_cost_more():
    rewrite = gsm_safe("\u2026" * 70)  # 70 UCS-2 units: one segment; "..." * 70 is 210 septets
    assert (rewrite.encoding, rewrite.segments_before, rewrite.segments_after, rewrite.saved) == (
        "GSM-7",
        1,
        2,
        -1,
    )


def test_after_a_cut_inside_a_giant_cluster_the_next_part_is_still_full():
    # Regression (found by a property search): clustering restarted inside the second chain
    # saw its tail as a small cluster and cut a 1-character part.
    chain = "\u200d".join(["👨"] * 40)  # 119 units: one cluster longer than a segment
    text = "a😀👍🏽" + "🇫🇷" * 5 + chain + chain + "\u0301\u0301a"
    info = analyze(text)
    assert info.segments == 5
    assert min(len(part) for part in info.parts) > 1
