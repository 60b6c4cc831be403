"""Property tests for the split: it rebuilds the text, respects the limits, cuts only where the
rule allows, and uses the fewest parts the rule allows (checked against an exhaustive DP)."""

from __future__ import annotations

import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sms_tui.core.segments import GSM_BASIC, GSM_EXTENSION, analyze, gsm_safe, twilio_cuts_inside

SINGLE = {"GSM-7": 160, "UCS-2": 70}
MULTI = {"GSM-7": 153, "UCS-2": 67}
CLUSTER = regex.compile(r"\X")

# Pieces chosen to land awkwardly on boundaries: escapes, surrogates, clusters of every kind.
GSM_PIECES = ["a", "b", " ", "\n", "\r\n", "Ω", "é", *GSM_EXTENSION]
ANY_PIECES = GSM_PIECES + [
    "ê",
    "\u2019",
    "\u00a0",
    "中",
    "😀",
    "👍🏽",
    "🫶🏽",
    "🇫🇷",
    "\U0001f1fa",  # a lone regional indicator
    "👨\u200d👩\u200d👧\u200d👦",
    "\u2764\ufe0f\u200d\U0001f525",
    "🦸🏽\u200d\u2640\ufe0f",
    "e\u0301",
    "\u0301",
    "\u200d",
    "क्षि",
    "\u1100\u1161\u11a8",  # Hangul jamo L V T
    "가",
    "o" + "\u0308" * 70,  # clusters longer than a segment
    "\u200d".join(["👨"] * 40),
    "क्" * 40 + "ष",
]

gsm_texts = st.lists(st.sampled_from(GSM_PIECES), max_size=400).map("".join)
tricky_texts = st.lists(st.sampled_from(ANY_PIECES), max_size=160).map("".join)
any_texts = st.one_of(gsm_texts, tricky_texts, st.text(max_size=300))


def units(text: str, encoding: str) -> int:
    """Independent unit count: septets with escapes, or UTF-16 code units."""
    if encoding == "GSM-7":
        return sum(2 if c in GSM_EXTENSION else 1 for c in text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def allowed_cuts(text: str, encoding: str) -> set[int]:
    """Every position the rule allows a cut at (see the module doc of core.segments)."""
    if encoding == "GSM-7":
        return set(range(1, len(text)))  # every character is whole, escapes included
    cuts: set[int] = set()
    pos = 0
    for cluster in CLUSTER.findall(text):
        if cluster == "\r\n" or units(cluster, "UCS-2") > 67:
            cuts.update(range(pos + 1, pos + len(cluster)))
        else:
            cuts.update(i for i in range(pos + 1, pos + len(cluster)) if twilio_cuts_inside(text, i))
        pos += len(cluster)
        cuts.add(pos)
    cuts.discard(len(text))
    return cuts


def fewest_parts(text: str, encoding: str) -> int:
    """Exhaustive DP: the minimum number of parts of <= 153/67 units cut only at allowed places."""
    if units(text, encoding) <= SINGLE[encoding]:
        return 1
    cap = MULTI[encoding]
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + units(char, encoding))
    ends = sorted(allowed_cuts(text, encoding) | {len(text)})
    best = {0: 0}
    for end in ends:
        options = [parts + 1 for start, parts in best.items() if prefix[end] - prefix[start] <= cap]
        if options:
            best[end] = min(options)
    return best[len(text)]


def cut_positions(parts: tuple[str, ...]) -> list[int]:
    positions, pos = [], 0
    for part in parts[:-1]:
        pos += len(part)
        positions.append(pos)
    return positions


@given(any_texts)
def test_parts_join_back_to_the_text(text):
    assert "".join(analyze(text).parts) == text


@given(any_texts)
def test_encoding_is_gsm_exactly_when_every_character_is(text):
    gsm = set(GSM_BASIC + GSM_EXTENSION)
    assert analyze(text).encoding == ("GSM-7" if all(c in gsm for c in text) else "UCS-2")


@given(any_texts)
def test_no_part_exceeds_its_limit_and_units_add_up(text):
    info = analyze(text)
    limit = SINGLE[info.encoding] if info.segments == 1 else MULTI[info.encoding]
    assert info.units_per_segment == limit
    assert all(units(p, info.encoding) <= limit for p in info.parts)
    assert info.units == units(text, info.encoding)
    assert info.units_left == limit - units(info.parts[-1], info.encoding)


@given(tricky_texts)
def test_no_surrogate_pair_is_split_on_the_wire(text):
    # Encoding each part on its own gives exactly the code units of the whole: no pair straddles.
    parts = analyze(text).parts
    assert b"".join(p.encode("utf-16-le") for p in parts) == text.encode("utf-16-le")


@given(gsm_texts)
def test_gsm_part_limit_counts_escapes(text):
    # A part's septets include the escape of each extension character, so no escape is orphaned.
    info = analyze(text)
    for part in info.parts:
        assert units(part, "GSM-7") <= info.units_per_segment


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(gsm_texts, tricky_texts))
def test_cuts_fall_only_where_the_rule_allows(text):
    info = analyze(text)
    assert set(cut_positions(info.parts)) <= allowed_cuts(text, info.encoding)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(gsm_texts, tricky_texts))
def test_the_count_is_minimal_for_the_rule(text):
    info = analyze(text)
    assert info.segments == fewest_parts(text, info.encoding)


@given(any_texts)
def test_gsm_safe_leaves_gsm_alone_and_reports_what_analyze_sees(text):
    rewrite = gsm_safe(text)
    if analyze(text).encoding == "GSM-7":
        assert rewrite.text == text and not rewrite.changed
    assert rewrite.encoding == analyze(rewrite.text).encoding
    assert rewrite.segments_before == analyze(text).segments
    assert rewrite.segments_after == analyze(rewrite.text).segments
