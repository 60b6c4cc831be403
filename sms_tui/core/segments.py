"""GSM-7 / UCS-2 accounting and splitting (3GPP TS 23.038 + 23.040).

Public API (keep these names; add fields if needed, do not rename):

    analyze(text: str) -> SegmentInfo
    gsm_safe(text: str) -> Rewrite

Reps pay per segment, so the composer's counter, the send guard and the fake carrier all
ask this one module. The rules, and the choices where the standards leave room:

* Encoding. A message is GSM-7 only when every character is in the GSM 03.38 default
  alphabet or its extension table; one other character (tab, NBSP, a curly quote, a
  decomposed accent, an emoji...) makes the *whole* message UCS-2. No Unicode
  normalisation: ``"e\\u0301"`` is not ``"é"`` here, because it is not on the wire either.
* Units. GSM-7 counts septets (extension characters ``^ { } \\ [ ~ ] | €`` and form feed
  are an escape plus a character: 2 septets). UCS-2 counts UTF-16 code units (an emoji
  outside the BMP is a surrogate pair: 2 units), as carriers really send UTF-16.
* Capacity. One segment holds 160 septets / 70 units; once a message needs more than
  one, each segment loses 6 octets to the concatenation header and holds 153 / 67.
  An empty text is still 1 segment (it is billed as one).
* Splitting rule ("the rule"). A cut may fall only between two *atoms*, so an emoji with
  its skin tone, a flag or a ZWJ family never straddles two segments - as Android does and
  as Twilio's published calculator (the reference we must agree with) does. Atoms:
  - extended grapheme clusters (UAX #29, the ``regex`` module's ``\\X``);
  - CR LF counts as two atoms (Twilio's choice; a line break split over two parts is harmless);
  - a cluster longer than a whole segment (zalgo text, absurd ZWJ chains) is split into its
    code points, since no segment can hold it (Twilio would bill an impossible segment);
  - Twilio clusters with Unicode 10's rules, which cut a few clusters that today's rules
    keep whole (``❤️‍🔥`` after its ZWJ, ``🫶🏽`` before its skin tone, Hindi ``क्ष`` after the
    virama: see ``twilio_cuts_inside``). Those positions are allowed cuts too, but used only
    when they save a segment: the count agrees with Twilio, and otherwise clusters stay whole.
    (Not modelled: the rare opposite, where Unicode 10 joined what today's rules split, such
    as a letter + ZWJ + ♀; there we may count one segment fewer than Twilio's calculator.)
  Escape pairs and surrogate pairs are never cut: each is one Python character, never
  smaller than an atom.
* Minimal for the rule. ``segments`` is the fewest parts any split cutting only at those
  positions can have. Greedy filling attains it: by induction, greedy's k-th cut is never
  earlier than the k-th cut of any valid split. The property tests check it against an
  exhaustive dynamic-programming reference. It can be one more than a split that ignores
  clusters - and that extra segment is what Twilio bills (tests/core/data/segments_twilio_reference.json
  has such "tight" cases, computed by Twilio's own calculator).
* ``chars`` is what Close counts toward its 1000-character limit. We count UTF-16
  code units - JavaScript's ``string.length``, which is what Close's web composer
  (and HTML ``maxlength``) measures - so an emoji counts 2. It is the stricter
  reading: a message we accept is never refused for length by Close.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import regex

Encoding = Literal["GSM-7", "UCS-2"]
CLOSE_MAX_CHARS = 1000

GSM_SINGLE = 160
GSM_MULTI = 153
UCS2_SINGLE = 70
UCS2_MULTI = 67

# 3GPP TS 23.038 §6.2.1: the 128 positions of the default alphabet, minus 0x1B (ESC).
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# §6.2.1.1: the extension table reachable from the default alphabet (ESC + one septet).
GSM_EXTENSION = "\f^{}\\[~]|€"

_NON_GSM = re.compile("[^" + re.escape(GSM_BASIC + GSM_EXTENSION) + "]")
_EXTENSION = re.compile("[" + re.escape(GSM_EXTENSION) + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# Twilio's calculator clusters with Unicode 10's rules (grapheme-splitter 1.0.4), which cut some
# clusters today's UAX #29 keeps whole: after a ZWJ unless the next emoji was a Unicode 10
# ZWJ target, before a skin tone unless the base was a Unicode 10 emoji base, and inside Indic
# conjuncts (virama + consonant). This table and `_Unicode.twilio_emoji_base` are that library's data.
_TWILIO_GLUE_AFTER_ZWJ = frozenset(
    "\u2640\u2642\u2695\u2696\u2708\u2764\U0001f308\U0001f33e\U0001f373\U0001f393\U0001f3a4"
    "\U0001f3a8\U0001f3eb\U0001f3ed\U0001f466\U0001f467\U0001f468\U0001f469\U0001f48b\U0001f4bb"
    "\U0001f4bc\U0001f527\U0001f52c\U0001f5e8\U0001f680\U0001f692"
)
_SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")


class _Unicode:
    """The `regex` patterns (grapheme clusters, UAX #29 properties), compiled on first use: GSM-7
    and most UCS-2 texts never need them, and importing `regex` and compiling them cost ~15 ms of
    the inbox's start-up (`-X importtime`), before a text with an emoji or a combining mark."""

    @cached_property
    def cluster(self) -> regex.Pattern[str]:
        import regex

        return regex.compile(r"\X")

    @cached_property
    def may_join(self) -> regex.Pattern[str]:
        # Two adjacent code points that UAX #29 *might* keep in one cluster: its pair rules exactly,
        # the rules that look further back (GB9c conjuncts, GB11 emoji ZWJ, GB12/13 flags) loosely.
        # Anywhere else a code point boundary is certainly a cluster boundary. CR LF is left out on
        # purpose: our rule may cut it.
        import regex

        return regex.compile(
            r"""
          .[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}]        # GB9, GB9a
        | \p{GCB=Prepend}.                                       # GB9b
        | \p{GCB=ZWJ}.                                           # GB11 (loosely)
        | \p{GCB=Extend}\p{L}                                    # GB9c: virama + consonant (loosely)
        | \p{GCB=RI}\p{GCB=RI}                                   # GB12, GB13 (loosely)
        | \p{GCB=L}[\p{GCB=L}\p{GCB=V}\p{GCB=LV}\p{GCB=LVT}]      # GB6
        | [\p{GCB=LV}\p{GCB=V}][\p{GCB=V}\p{GCB=T}]               # GB7
        | [\p{GCB=LVT}\p{GCB=T}]\p{GCB=T}                         # GB8
        """,
            regex.VERBOSE | regex.DOTALL,
        )

    @cached_property
    def mark(self) -> regex.Pattern[str]:  # joins whatever precedes it
        import regex

        return regex.compile(r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}]")

    @cached_property
    def extend(self) -> regex.Pattern[str]:
        import regex

        return regex.compile(r"\p{GCB=Extend}")

    @cached_property
    def twilio_emoji_base(self) -> regex.Pattern[str]:
        import regex

        return regex.compile(
            "[\u261d\u26f9\u270a-\u270d\U0001f385\U0001f3c2-\U0001f3c4\U0001f3c7\U0001f3ca-\U0001f3cc"
            "\U0001f442\U0001f443\U0001f446-\U0001f450\U0001f466-\U0001f469\U0001f46e\U0001f470-\U0001f478"
            "\U0001f47c\U0001f481-\U0001f483\U0001f485-\U0001f487\U0001f4aa\U0001f574\U0001f575\U0001f57a"
            "\U0001f590\U0001f595\U0001f596\U0001f645-\U0001f647\U0001f64b-\U0001f64f\U0001f6a3"
            "\U0001f6b4-\U0001f6b6\U0001f6c0\U0001f6cc\U0001f918-\U0001f91c\U0001f91e\U0001f91f\U0001f926"
            "\U0001f930-\U0001f939\U0001f93d\U0001f93e\U0001f9d1-\U0001f9dd]"
        )

    @cached_property
    def twilio_splits(self) -> regex.Pattern[str]:
        import regex

        return regex.compile(r"[\u200d\U0001f3fb-\U0001f3ff\p{GCB=Extend}]")

    @cached_property
    def decomposed(self) -> regex.Pattern[str]:
        import regex

        return regex.compile(r"\P{M}\p{M}+")


_RE = _Unicode()


@dataclass(frozen=True, slots=True)
class ForcingChar:
    """A character that forces UCS-2: where it is (code-point index) and what it is."""

    index: int
    char: str
    codepoint: str  # "U+2019"
    name: str  # unicodedata name, or "" when unnamed


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: Encoding
    segments: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    units_per_segment: int  # 160/153 or 70/67
    units_left: int  # left in the current (last) segment
    parts: tuple[str, ...]
    chars: int  # UTF-16 code units, as Close counts toward its limit (see module doc)
    chars_left: int  # CLOSE_MAX_CHARS - chars (negative when over)
    over_limit: bool
    text: str = field(default="", repr=False)  # the analysed text

    @property
    def ucs2_chars(self) -> tuple[ForcingChar, ...]:
        """The characters (with positions) that force UCS-2; empty for GSM-7.

        Computed on first use (and cached per text): listing 1000 characters costs more
        than the whole analysis, and the composer needs it only when it shows the list.
        """
        return forcing_chars(self.text) if self.encoding == "UCS-2" else ()


@dataclass(frozen=True, slots=True)
class Rewrite:
    text: str
    changed: bool
    segments_before: int
    segments_after: int
    encoding: Encoding = "GSM-7"  # of the rewritten text: "UCS-2" when e.g. an emoji remains

    @property
    def saved(self) -> int:
        return self.segments_before - self.segments_after


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM 03.38 default alphabet or extension table."""
    return _NON_GSM.search(text) is None


def utf16_units(text: str) -> int:
    """UTF-16 code units (JavaScript's ``length``); lone surrogates count 1."""
    return len(text) + len(_ASTRAL.findall(text))


def gsm_septets(text: str) -> int:
    """Septets of a GSM-7 text: extension characters cost 2 (escape + character)."""
    return len(text) + len(_EXTENSION.findall(text))


def analyze(text: str) -> SegmentInfo:
    """Encoding, segment count, units and the real split of ``text`` (see module doc)."""
    chars = utf16_units(text)
    if is_gsm7(text):
        encoding: Encoding = "GSM-7"
        units, single, multi = gsm_septets(text), GSM_SINGLE, GSM_MULTI
    else:
        encoding = "UCS-2"
        units, single, multi = chars, UCS2_SINGLE, UCS2_MULTI
    if units <= single:
        parts: tuple[str, ...] = (text,)
        per_segment, last_units = single, units
    elif encoding == "GSM-7":
        parts, last_units = _split_gsm(text)
        per_segment = multi
    else:
        doubles = _positions(_ASTRAL, text)
        parts, last_units, stepped_back = _split_ucs2(text, doubles, twilio=False)
        if stepped_back and _RE.twilio_splits.search(text) is not None:
            # Twilio's older, smaller clusters may save a segment; use them only then.
            loose, loose_last, _ = _split_ucs2(text, doubles, twilio=True)
            if len(loose) < len(parts):
                parts, last_units = loose, loose_last
        per_segment = multi
    return SegmentInfo(
        encoding=encoding,
        segments=len(parts),
        units=units,
        units_per_segment=per_segment,
        units_left=per_segment - last_units,
        parts=parts,
        chars=chars,
        chars_left=CLOSE_MAX_CHARS - chars,
        over_limit=chars > CLOSE_MAX_CHARS,
        text=text,
    )


@lru_cache(maxsize=16)
def forcing_chars(text: str) -> tuple[ForcingChar, ...]:
    """Every occurrence of a non-GSM character, in order (what to fix to get GSM-7 back)."""
    names: dict[str, tuple[str, str]] = {}
    found: list[ForcingChar] = []
    for match in _NON_GSM.finditer(text):
        ch = match.group()
        label = names.get(ch)
        if label is None:
            label = names[ch] = (f"U+{ord(ch):04X}", unicodedata.name(ch, ""))
        found.append(ForcingChar(match.start(), ch, label[0], label[1]))
    return tuple(found)


def _fill(start: int, cap: int, length: int, doubles: list[int]) -> int:
    """Furthest q such that text[start:q] costs <= cap units, where the characters at the
    sorted positions ``doubles`` cost 2 and all others 1 (binary search: the cost grows with q)."""
    base = bisect_left(doubles, start)
    low, high = start, min(start + cap, length)
    while low < high:
        mid = (low + high + 1) // 2
        if mid - start + bisect_left(doubles, mid, base) - base <= cap:
            low = mid
        else:
            high = mid - 1
    return low


def _positions(pattern: re.Pattern[str], text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


def _split_gsm(text: str) -> tuple[tuple[str, ...], int]:
    """Greedy 153-septet parts; a Python character is a whole escape pair, so none is cut."""
    doubles = _positions(_EXTENSION, text)
    parts: list[str] = []
    start = 0
    while True:
        end = _fill(start, GSM_MULTI, len(text), doubles)
        parts.append(text[start:end])
        if end >= len(text):
            return tuple(parts), gsm_septets(parts[-1])
        start = end


def _split_ucs2(text: str, doubles: list[int], *, twilio: bool) -> tuple[tuple[str, ...], int, bool]:
    """Greedy 67-unit parts cut only between atoms; with ``twilio`` also at Twilio's extra cuts.

    Also says whether any cut had to step back from the fill point to spare a cluster (if
    none did, Twilio's extra cuts cannot save anything).
    """
    parts: list[str] = []
    start = giant_end = 0
    stepped_back = False
    while True:
        end = _fill(start, UCS2_MULTI, len(text), doubles)
        if end < len(text) and end > giant_end:  # inside a giant cluster every position is a cut
            cut, giant_end = _atom_cut(text, max(start, giant_end), end, twilio=twilio)
            stepped_back = stepped_back or cut != end
            end = cut
        parts.append(text[start:end])
        if end >= len(text):
            return tuple(parts), utf16_units(parts[-1]), stepped_back
        start = end


def _joined(text: str, i: int) -> bool:
    """Whether text[i-1] and text[i] *might* be in one grapheme cluster (cheap, conservative)."""
    return _RE.may_join.match(text, i - 1) is not None


def _atom_cut(text: str, start: int, end: int, *, twilio: bool) -> tuple[int, int]:
    """The last atom boundary in (start, end] - ``end`` itself unless it falls inside a
    cluster - and, when that cluster is a giant one, where it ends (else 0).

    ``start`` must be a cluster boundary, or a Twilio cut (whose cluster's tail is shorter
    than a segment, so this call's cut lies beyond it). Only the neighbourhood of the cut is
    clustered with ``\\X``, from the nearest position that is certainly a boundary:
    clustering the whole text would cost more than the 0.5 ms budget. A cluster longer than
    a segment is cut anywhere (its code points are atoms); the caller skips clustering until
    past its end, since clustering from inside it would see its tail as clusters of its own.
    """
    if not _joined(text, end):
        return end, 0
    safe = end - 1
    while safe > start and _joined(text, safe):
        safe -= 1
    # Cluster a window copied out of the text: ``\\X`` at an offset into the whole text would
    # look back through every flag before it (quadratic on long runs of regional indicators).
    stop = min(len(text), end + 2 * UCS2_MULTI)
    for match in _RE.cluster.finditer(text[safe:stop]):
        cluster_start, cluster_end = safe + match.start(), safe + match.end()
        if cluster_end < end:
            continue
        if cluster_end == end:
            return end, 0
        if cluster_end == stop < len(text):  # runs past the window: >= 134 code points, giant
            whole = _RE.cluster.match(text[cluster_start:])
            return end, cluster_start + (whole.end() if whole else len(text))
        if utf16_units(match.group()) > UCS2_MULTI:
            return end, cluster_end
        if twilio:
            for cut in range(end, max(cluster_start, start), -1):
                if twilio_cuts_inside(text, cut):
                    return cut, 0
        return cluster_start, 0
    return end, 0  # unreachable: the window's last cluster ends at its end > end


def twilio_cuts_inside(text: str, i: int) -> bool:
    """Whether Twilio's Unicode 10 clusters put a boundary at ``i``, inside one of today's clusters.

    Only meaningful where UAX #29 joins text[i-1] and text[i]; see the tables above.
    """
    prev, cur = text[i - 1], text[i]
    if prev == "\u200d":
        return cur not in _TWILIO_GLUE_AFTER_ZWJ
    if _SKIN_TONES[0] <= cur <= _SKIN_TONES[1]:
        j = i - 1
        while j > 0 and _RE.extend.match(text, j) and not _SKIN_TONES[0] <= text[j] <= _SKIN_TONES[1]:
            j -= 1
        return _RE.twilio_emoji_base.match(text, j) is None
    return _RE.extend.match(prev) is not None and _RE.mark.match(cur) is None  # Indic conjunct (GB9c)


# --- GSM-safe rewrite --------------------------------------------------------------------

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_LOOKALIKES: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060\u02bc\u02b9\uff07", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u02ba\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043", "-"),
    **dict.fromkeys(_SPACES + "\t", " "),
    **dict.fromkeys("\u200b\u2060\ufeff\u00ad", ""),  # zero-width space, word joiner, BOM, soft hyphen
    "\u2026": "...",
    "\u2039": "<",
    "\u203a": ">",
    "\u2022": "-",
    "\u00d7": "x",
    "\u2028": "\n",
    "\u2029": "\n",
    "\u0085": "\n",
    "\u3001": ",",
    "\u3002": ".",
}
_FULLWIDTH = {chr(code + 0xFEE0): chr(code) for code in range(0x21, 0x7F)}  # U+FF01-FF5E -> ASCII
_TABLE = str.maketrans({**{k: v for k, v in _FULLWIDTH.items() if is_gsm7(v)}, **_LOOKALIKES})
_JOINERS = str.maketrans(dict.fromkeys("\u200c\u200d", ""))


def _compose(match: regex.Match[str]) -> str:
    """A letter + combining accents becomes its precomposed form only when that is GSM (e + ´ -> é)."""
    composed = unicodedata.normalize("NFC", match.group())
    return composed if len(composed) == 1 and is_gsm7(composed) else match.group()


def gsm_safe(text: str) -> Rewrite:
    """Replace common lookalikes (smart quotes, dashes, odd spaces...) with GSM-7 characters.

    Text that is already GSM-7 is returned untouched. ZWJ and ZWNJ are dropped only when
    that makes the message GSM-7: next to an emoji or in Persian/Indic text they change
    how it looks, and such a message stays UCS-2 anyway. The result can still be UCS-2
    (an emoji, a Chinese character), and then it can even cost more (``...`` is 3 units where
    ``…`` was 1): ``saved`` (possibly negative) says whether offering it is worth it.
    """
    before = analyze(text)
    if before.encoding == "GSM-7":
        return Rewrite(text, False, before.segments, before.segments, "GSM-7")
    rewritten = _RE.decomposed.sub(_compose, text.translate(_TABLE))
    without_joiners = rewritten.translate(_JOINERS)
    if is_gsm7(without_joiners):
        rewritten = without_joiners
    after = analyze(rewritten)
    return Rewrite(rewritten, rewritten != text, before.segments, after.segments, after.encoding)
