"""GSM-7 / UCS-2 accounting and splitting (3GPP TS 23.038 + 23.040).  CONTRACT STUB — being built.

Public API (keep these names; add fields if needed, do not rename):

    analyze(text: str) -> SegmentInfo
    gsm_safe(text: str) -> Rewrite
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]
CLOSE_MAX_CHARS = 1000


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
    ucs2_chars: tuple[ForcingChar, ...]
    chars: int  # characters as Close counts them toward its limit
    chars_left: int  # CLOSE_MAX_CHARS - chars (negative when over)
    over_limit: bool


@dataclass(frozen=True, slots=True)
class Rewrite:
    text: str
    changed: bool
    segments_before: int
    segments_after: int

    @property
    def saved(self) -> int:
        return self.segments_before - self.segments_after


def analyze(text: str) -> SegmentInfo:
    raise NotImplementedError


def gsm_safe(text: str) -> Rewrite:
    raise NotImplementedError
