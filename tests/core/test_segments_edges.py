"""Where Twilio's Unicode 10 clusters cut inside today's grapheme clusters (`twilio_cuts_inside`),
case by case: after a zero-width joiner, before a skin tone, inside an Indic conjunct."""

from __future__ import annotations

import pytest

from sms_tui.core.segments import analyze, gsm_safe, twilio_cuts_inside

ZWJ, VS16 = "\u200d", "\ufe0f"
THUMB, GRIN, WOMAN, ROCKET, HEART = "\U0001f44d", "\U0001f600", "\U0001f469", "\U0001f680", "\u2764"
LIGHT, MEDIUM, DARK = "\U0001f3fb", "\U0001f3fd", "\U0001f3ff"
KA, VIRAMA, SSA, VOWEL_I = "\u0915", "\u094d", "\u0937", "\u093f"


@pytest.mark.parametrize(
    ("text", "i", "cuts"),
    [
        # after a ZWJ: Unicode 10 glued only the emoji of its ZWJ sequences
        (WOMAN + ZWJ + ROCKET, 2, False),
        (WOMAN + ZWJ + HEART, 2, False),
        (WOMAN + ZWJ + "\U0001f9af", 2, True),  # probing cane: newer than Unicode 10
        # a skin tone joins a Unicode 10 emoji base, at both ends of the tone range
        (THUMB + MEDIUM, 1, False),
        (THUMB + LIGHT, 1, False),
        (THUMB + DARK, 1, False),
        ("a" + THUMB + MEDIUM, 2, False),
        (THUMB + VS16 + MEDIUM, 2, False),  # extend characters between base and tone are skipped
        (THUMB + "\u0300" + VS16 + MEDIUM, 3, False),
        # ... but not an emoji that was no base then
        (GRIN + LIGHT, 1, True),
        (GRIN + DARK, 1, True),
        (GRIN + VS16 + MEDIUM, 2, True),
        ("\u0300" + MEDIUM, 1, True),
        # a tone after a tone: the first one ends the look back, whichever tone it is
        (THUMB + MEDIUM + MEDIUM, 2, True),
        (THUMB + LIGHT + MEDIUM, 2, True),
        (THUMB + DARK + MEDIUM, 2, True),
        # Indic conjunct: Unicode 10 cut after the virama
        (KA + VIRAMA + SSA, 2, True),
        (KA + VIRAMA + VOWEL_I, 2, False),
        (KA + VOWEL_I, 1, False),
    ],
)
def test_twilio_cuts_inside(text: str, i: int, cuts: bool) -> None:
    assert twilio_cuts_inside(text, i) is cuts


def _is_whole(parts: tuple[str, ...], text: str) -> None:
    """The parts make the text again, each within a UCS-2 segment (70 units alone, 67 with a header)."""
    assert "".join(parts) == text
    limit = 70 if len(parts) == 1 else 67
    assert all(len(p.encode("utf-16-le")) // 2 <= limit for p in parts)


@pytest.mark.parametrize("pad", range(60, 70))
def test_a_family_emoji_at_the_segment_edge_is_never_cut(pad: int) -> None:
    family = WOMAN + ZWJ + WOMAN + ZWJ + "\U0001f467"  # 8 UTF-16 units, one cluster
    text = "é" * pad + family + "ok"
    info = analyze(text)
    _is_whole(info.parts, text)
    assert any(family in p for p in info.parts)


def test_a_giant_cluster_is_cut_anywhere() -> None:
    text = "a" + "\u0301" * 300  # one cluster of 301 code points: no cluster boundary to keep
    info = analyze(text)
    _is_whole(info.parts, text)
    assert [len(p) for p in info.parts] == [67, 67, 67, 67, 33]


def test_text_after_a_giant_cluster_keeps_its_clusters() -> None:
    text = "a" + "\u0301" * 140 + ("é" + THUMB + MEDIUM) * 30
    info = analyze(text)
    _is_whole(info.parts, text)
    tail = info.parts[-1]
    assert not tail.startswith(MEDIUM)


def _units(parts: tuple[str, ...]) -> list[int]:
    return [len(p.encode("utf-16-le")) // 2 for p in parts]


def test_after_a_giant_cluster_the_split_finds_the_clusters_again() -> None:
    """A 301-code-point cluster is cut every 67 units; the part that holds its tail then fills
    with "é👍🏽" groups (5 units) and steps back before a thumb whose tone would not fit:
    33 + 6 × 5 + 1 = 64 units; the next parts start with that thumb (4 + 12 × 5 + 1 = 65)."""
    text = "a" + "\u0301" * 300 + ("é" + THUMB + MEDIUM) * 40
    info = analyze(text)
    _is_whole(info.parts, text)
    assert _units(info.parts) == [67, 67, 67, 67, 64, 65, 65, 39]
    assert all(p.startswith(THUMB + MEDIUM) for p in info.parts[5:])


def test_a_giant_cluster_past_the_lookahead_window() -> None:
    """A cluster longer than the window the splitter clusters at once (2 × 67 code points)."""
    text = "xy" + "a" + "\u0301" * 200 + "é" * 10
    info = analyze(text)
    _is_whole(info.parts, text)
    assert _units(info.parts) == [67, 67, 67, 12]


def test_a_cluster_that_ends_the_text_is_not_cut() -> None:
    family = WOMAN + ZWJ + WOMAN + ZWJ + "\U0001f467" + ZWJ + "\U0001f467"  # 11 units, one cluster
    info = analyze("é" * 60 + family)
    assert info.parts == ("é" * 60, family)


def test_a_cluster_of_exactly_one_segment_is_kept_whole() -> None:
    exact = "a" + "\u0301" * 66  # 67 units: fits a segment, so it is not cut
    info = analyze("x" * 10 + exact + "y" * 10)
    assert info.parts == ("x" * 10, exact, "y" * 10)


def test_several_clusters_before_the_cut_point() -> None:
    info = analyze("é" * 60 + (THUMB + MEDIUM) * 3)
    assert info.parts == ("é" * 60 + THUMB + MEDIUM, (THUMB + MEDIUM) * 2)


def test_gsm_safe_composes_only_into_gsm_letters() -> None:
    rewrite = gsm_safe("ho\u0302tel “e\u0301te\u0301”")
    assert rewrite.text == 'ho\u0302tel "été"'  # ô is no GSM letter: left as typed
