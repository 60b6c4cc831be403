"""Notice from afar: the unread count in the terminal's title and a desktop notification per reply.

Both travel as escape sequences the app writes itself, so what goes inside them is the one thing
to get right: names and texts are the lead's (data), they pass through `one_line` (the safe path)
and then lose anything that could end or extend the sequence (C0/C1 controls, ESC, BEL, ST; and
`;`, the field separator of OSC 777) before they are framed. Nothing here knows Textual: the app
hands `TerminalNotices` a `write` function (its driver's) and the environment.

Which sequence a terminal understands is decided from `TERM_PROGRAM` / `TERM` (and `KITTY_WINDOW_ID`),
the way seasoned tools do it; anything unknown, and anything inside tmux or screen (where an OSC
does not reach the outer terminal without passthrough), gets the bell, which every terminal and
multiplexer forwards as an alert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sms_tui.core.safe_text import Safe, safe

NoticeKind = Literal["osc777", "osc9", "bell"]

BEL = "\x07"
#: XTWINOPS: save the title on the terminal's stack, then put it back when we leave.
PUSH_TITLE = "\x1b[22;0t"
POP_TITLE = "\x1b[23;0t"
#: Longest title / body we send (notification daemons cut long bodies anyway).
MAX_TITLE = 60
MAX_BODY = 200

_OSC9_PROGRAMS = {"iTerm.app"}
_OSC777_PROGRAMS = {"WezTerm", "ghostty"}
_MULTIPLEXERS = {"tmux"}


def notice_kind(env: Mapping[str, str]) -> NoticeKind:
    """The desktop-notification sequence this terminal understands, or the bell."""
    program = env.get("TERM_PROGRAM", "")
    term = env.get("TERM", "")
    if env.get("TMUX") or program in _MULTIPLEXERS or term.startswith(("screen", "tmux")):
        return "bell"
    if program in _OSC9_PROGRAMS:
        return "osc9"
    if program in _OSC777_PROGRAMS:
        return "osc777"
    if term == "xterm-kitty" or env.get("KITTY_WINDOW_ID"):
        return "osc9"  # kitty reads iTerm2's OSC 9 (its own OSC 99 is richer, not needed here)
    if term.startswith(("foot", "rxvt-unicode", "xterm-ghostty")):
        return "osc777"
    return "bell"


def inert(text: Safe, limit: int, *, separator: bool = False) -> str:
    """`text` made fit to sit inside an OSC string: no control (C0, DEL, C1: no ESC, BEL or ST can
    end the sequence early or start another), no `;` when it is a field separator, at most
    `limit` characters."""
    out = "".join(
        " " if (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) else ("," if separator and ch == ";" else ch)
        for ch in text
    )
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def notification(kind: NoticeKind, title: Safe, body: Safe) -> str:
    """The bytes that raise one desktop notification (or ring the bell)."""
    if kind == "osc777":
        return f"\x1b]777;notify;{inert(title, MAX_TITLE, separator=True)};{inert(body, MAX_BODY)}{BEL}"
    if kind == "osc9":
        return f"\x1b]9;{inert(title, MAX_TITLE)}: {inert(body, MAX_BODY)}{BEL}"
    return BEL


def window_title(unread: int, base: str) -> str:
    """`(3) sms-tui` while leads wait for an answer, else just `sms-tui`."""
    return f"({unread}) {base}" if unread > 0 else base


def title_sequence(title: str) -> str:
    """OSC 2 (window title) for `title` (our own words, made inert all the same)."""
    return f"\x1b]2;{inert(safe(title), 80)}{BEL}"


@dataclass
class TerminalNotices:
    """Writes the title and the notifications; remembers the title so it writes only changes."""

    write: Callable[[str], object]
    env: Mapping[str, str]
    base: str = "sms-tui"
    _title: str | None = field(default=None, init=False)

    @property
    def kind(self) -> NoticeKind:
        return notice_kind(self.env)

    def unread(self, count: int) -> None:
        title = window_title(count, self.base)
        if title == self._title:
            return
        if self._title is None:
            self.write(PUSH_TITLE)
        self._title = title
        self.write(title_sequence(title))

    def reply(self, name: Safe, text: Safe, more: int = 0) -> None:
        """One notification for a batch of replies: the first one's name and text, and how many more."""
        title = safe(f"Reply from {name}" if not more else f"{more + 1} replies · {name}")
        self.write(notification(self.kind, title, text))

    def restore(self) -> None:
        """Give the terminal its own title back (once we changed it)."""
        if self._title is not None:
            self.write(POP_TITLE)
            self._title = None
