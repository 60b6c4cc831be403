"""Small, pure helpers for turning data into text the UI can show safely.

Everything a lead or a carrier sends us is data, never markup (DESIGN.md, STYLE.md §4.1): these
helpers return plain strings or `rich.text.Text` objects built with `Text(s)`, which never parses
markup, and make control characters visible instead of letting them reach the terminal.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from rich.text import Text

#: C0 controls and DEL become the Unicode "control pictures" (␛ for ESC), so an ANSI escape
#: in a reply shows as typed and is never executed by the terminal.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_CONTROL_PICTURES[0x7F] = "\u2421"  # ␡
del _CONTROL_PICTURES[0x0A]  # newlines are kept: the pane wraps them
_C1 = {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with every control character replaced by a visible stand-in (nothing dropped)."""
    table: dict[int, str] = {**_CONTROL_PICTURES, **_C1}
    if not keep_newlines:
        table[0x0A] = " "
        table[0x0D] = " "
        table[0x09] = " "
    return text.translate(table)


def one_line(text: str) -> str:
    """A preview line: controls made visible, line breaks folded into spaces."""
    return " ".join(visible(text, keep_newlines=False).split())


def literal(text: str, style: str = "") -> Text:
    """A Rich `Text` that shows `text` exactly as typed (no markup, visible controls)."""
    return Text(visible(text), style=style)


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
