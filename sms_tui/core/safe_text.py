"""The one safe path for outside text, without Textual: `safe(text) -> Safe`.

The implementation behind `sms_tui.ui.text.safe` (see that module for the whole story). It lives
in `core` because it is a pure rule with no dependencies, so headless commands (`sms-tui sync`,
`sms-tui login`) and log lines can use the same function as the widgets without loading Textual.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NewType

Safe = NewType("Safe", str)
"""Text that went through `safe`: no controls, no invisible or direction-changing characters."""

#: C0 controls and DEL become the Unicode "control pictures" (␛ for ESC), so an ANSI escape
#: in a reply shows as typed and is never executed by the terminal.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_CONTROL_PICTURES[0x7F] = "\u2421"  # ␡
del _CONTROL_PICTURES[0x0A]  # newlines are kept: the pane wraps them
_C1 = {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}
_MULTI_LINE = {**_CONTROL_PICTURES, **_C1}
_ONE_LINE = {**_MULTI_LINE, 0x0A: " ", 0x0D: " ", 0x09: " "}
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_ONE_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")

#: Invisible or direction-changing characters, by the short name shown in their place.
_NAMED = {
    "\u00ad": "SHY",
    "\u034f": "CGJ",
    "\u061c": "ALM",
    "\u115f": "HF",
    "\u1160": "HF",
    "\u17b4": "KIVAQ",
    "\u17b5": "KIVAA",
    "\u180e": "MVS",
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u2028": "LS",
    "\u2029": "PS",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2060": "WJ",
    "\u2061": "FA",
    "\u2062": "IT",
    "\u2063": "IS",
    "\u2064": "IP",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\u206a": "ISS",
    "\u206b": "ASS",
    "\u206c": "IAFS",
    "\u206d": "AAFS",
    "\u206e": "NADS",
    "\u206f": "NODS",
    "\u3164": "HF",
    "\ufeff": "BOM",
    "\uffa0": "HF",
    "\ufff9": "IAA",
    "\ufffa": "IAS",
    "\ufffb": "IAT",
}
_INVISIBLE = re.compile(
    "[" + "".join(_NAMED) + "\U000e0000-\U000e007f\U0001d173-\U0001d17a" + "\ud800-\udfff]"
)
#: Combining marks kept on one base character; real scripts stack two or three.
MAX_MARKS = 4
_COMBINING = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0e31-\u0e3a"
    "\u0e47-\u0e4e\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_TOWER = re.compile(f"([{_COMBINING}]{{{MAX_MARKS}}})([{_COMBINING}]+)")


def _is_emoji(char: str) -> bool:
    return bool(char) and (
        unicodedata.category(char) == "So" or char in "\ufe0f\u20e3" or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _name_invisible(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    if char == "\u200d":  # a joiner inside an emoji sequence (👩‍💻) is part of the picture
        text, at = match.string, match.start()
        if at > 0 and at + 1 < len(text) and _is_emoji(text[at - 1]) and _is_emoji(text[at + 1]):
            return char
    return f"⟨{_NAMED.get(char) or f'U+{ord(char):04X}'}⟩"


def _cut_tower(match: re.Match[str]) -> str:
    return f"{match.group(1)}⟨+{len(match.group(2))} marks⟩"


def safe(text: str | None, *, one_line: bool = False) -> Safe:
    """`text` made safe to show: see the module docstring. Nothing is dropped silently.

    `one_line=True` also folds line breaks and runs of spaces into single spaces (list rows,
    titles, toasts' titles).
    """
    if not text:
        return Safe("")
    if text.isascii() and text.isprintable() and not (one_line and "  " in text):
        return Safe(text)
    shown = text
    # Each step first searches (a C-level scan) and only then rewrites: most text has nothing to do.
    if (_ONE_LINE_CONTROLS if one_line else _CONTROLS).search(shown):
        shown = shown.translate(_ONE_LINE if one_line else _MULTI_LINE)
    top = max(shown)
    if top >= "\u00ad" and _INVISIBLE.search(shown):
        shown = _INVISIBLE.sub(_name_invisible, shown)
    if top >= "\u0300" and _TOWER.search(shown):
        shown = _TOWER.sub(_cut_tower, shown)
    if one_line:
        shown = " ".join(shown.split())
    return Safe(shown)


#: For text the rep edits: one visible character per character, so cursor indices stay right.
_EDITOR = {**_CONTROL_PICTURES, **{code: "\ufffd" for code in range(0x80, 0xA0)}}
del _EDITOR[0x09]  # the editor expands tabs itself


def _one_for_one(match: re.Match[str]) -> str:
    shown = _name_invisible(match)
    return shown if len(shown) == 1 else "\ufffd"


def editor_line(text: str) -> Safe:
    """`text` for an editable line (the composer): like `safe`, but every character stays one
    character (controls as control pictures, C1 and invisible characters as U+FFFD), so the
    editor's offsets into the line still point at the same characters."""
    if text.isascii() and text.isprintable():
        return Safe(text)
    shown = text.translate(_EDITOR)
    if not shown.isascii():
        shown = _INVISIBLE.sub(_one_for_one, shown)
    return Safe(shown)
