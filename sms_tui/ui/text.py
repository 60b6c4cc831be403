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

from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual.content import Content

from sms_tui.core.safe_text import MAX_MARKS, Safe, editor_line, safe

__all__ = [
    "MAX_MARKS",
    "Safe",
    "clock_time",
    "editor_line",
    "literal",
    "one_line",
    "relative_time",
    "safe",
    "safe_content",
    "safe_text",
    "seconds_left",
    "visible",
]


def safe_content(text: Safe, style: str = "") -> Content:
    """A Textual `Content` showing `text` as typed (Content never parses markup)."""
    return Content.styled(text, style) if style else Content(text)


def safe_text(text: Safe, style: str = "") -> Text:
    """A Rich `Text` showing `text` as typed (`Text(...)` never parses markup)."""
    return Text(text, style=style)


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
