"""The one safe path for outside text, and small pure helpers for turning data into text.

Everything a lead, a carrier, a template or a rep's config gives us is data, never markup and never
terminal control (DESIGN.md "Outside text", STYLE.md §4.1). `safe` is the one function such text
passes through before any widget, notification, title or log line shows it:

- C0 controls, DEL and ESC become Unicode "control pictures" (ESC shows as ␛), C1 controls become
  `\\x9b`-style text, so no escape sequence (CSI, OSC 0/8/52, DCS, SGR…) can reach the terminal:
  with its introducer made visible, the rest of a sequence is plain printable text;
- bidi overrides, embeddings, isolates and marks, zero-width and other invisible format characters
  (ZWSP, ZWNJ, ZWJ outside an emoji sequence, word joiner, BOM, soft hyphen, tag characters…) are
  shown by name in angle brackets (`⟨RLO⟩`), so "evil‮exe.txt" cannot pose as something else;
- lone surrogates become U+FFFD and towers of combining marks are cut after a few marks (the cut
  is shown as `⟨+N marks⟩`);
- markup stays inert: the result is a plain `str`, and the builders here (`safe_content`,
  `safe_text`) put it into `Content`/`Text` objects, which never parse markup.

`safe` returns `Safe`, a `NewType` of `str`: widgets and dialogs that show outside text take
`Safe` (or a `Content` built from it), so handing them a raw `str` is a mypy error rather than a
review comment. `tests/ui/test_hostile*.py` fills every text field of the fake carrier with a
hostile corpus and checks the bytes the app writes to the terminal.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, tzinfo
from typing import NewType

from rich.text import Text
from textual.content import Content

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
    if text.isascii() and text.isprintable():
        return Safe(text)
    shown = text.translate(_ONE_LINE if one_line else _MULTI_LINE)
    if not shown.isascii():
        shown = _INVISIBLE.sub(_name_invisible, shown)
        shown = _TOWER.sub(_cut_tower, shown)
    if one_line:
        shown = " ".join(shown.split())
    return Safe(shown)


def safe_content(text: Safe, style: str = "") -> Content:
    """A Textual `Content` showing `text` as typed (Content never parses markup)."""
    return Content.styled(text, style) if style else Content(text)


def safe_text(text: Safe, style: str = "") -> Text:
    """A Rich `Text` showing `text` as typed (`Text(...)` never parses markup)."""
    return Text(text, style=style)


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


def visible(text: str, *, keep_newlines: bool = True) -> Safe:
    """`safe(text)`; with `keep_newlines=False`, line breaks and tabs become spaces (not folded)."""
    if keep_newlines:
        return safe(text)
    return safe(text.translate({0x0A: " ", 0x0D: " ", 0x09: " "}))


def one_line(text: str) -> Safe:
    """A preview line: `safe(text, one_line=True)`."""
    return safe(text, one_line=True)


def literal(text: str, style: str = "") -> Text:
    """A Rich `Text` that shows `text` exactly as typed (no markup, visible controls)."""
    return Text(safe(text), style=style)


def relative_time(when: datetime | None, now: datetime) -> str:
    """Compact age for the lead list: `now`, `5m`, `3h`, `Tue`, `Mar 4`, `2024`."""
    if when is None:
        return ""
    delta = now - when
    seconds = delta.total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if delta < timedelta(days=7):
        return when.strftime("%a")
    if when.year == now.year:
        return f"{when.strftime('%b')} {when.day}"
    return str(when.year)


def clock_time(when: datetime | None, tz: tzinfo, now: datetime) -> str:
    """A message timestamp in the rep's zone: time only today, else date and time."""
    if when is None:
        return ""
    local = when.astimezone(tz)
    today = now.astimezone(tz).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.strftime('%a %b')} {local.day} {local.strftime('%H:%M')}"
    return local.strftime("%Y-%m-%d %H:%M")


def seconds_left(deadline: datetime | None, now: datetime) -> int:
    """Whole seconds until `deadline` (rounded up, never negative)."""
    if deadline is None:
        return 0
    remaining = (deadline - now).total_seconds()
    if remaining <= 0:
        return 0
    return int(remaining) + (0 if remaining == int(remaining) else 1)
