"""A hostile corpus, a fake carrier whose every text field holds it, and a check of terminal bytes.

`terminal_output(app)` is what Textual's driver would write for the current screen: the
compositor's full update rendered through the app's console (`App._display` does the same and
hands the string to the driver). `leaks(output)` lists every byte sequence from the corpus that
made it into that output, and every control that Textual itself never writes.
"""

from __future__ import annotations

import re
from typing import Any

from textual._compositor import CompositorUpdate
from textual.app import App

#: One item per attack; each is a whole field value. Escape sequences use unusual parameters so
#: they cannot be confused with what Textual writes itself.
CORPUS: tuple[str, ...] = (
    "[bold red]Markup[/] [link=https://evil.example]click[/link] [/]",
    "SGR \x1b[38;5;199;1;5;7mblink\x1b[0m end",
    "CSI \x1b[2J\x1b[3J\x1b[6n\x1b[?1049l\x1b[999;999H clear",
    "OSC0 \x1b]0;pwned-title\x07 title",
    "OSC8 \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ end",
    "OSC52 \x1b]52;c;cm0gLXJmIH4K\x07 clipboard",
    "DCS \x1bP+q544e\x1b\\ \x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\ dcs",
    "C1 \x9b31;7m\x9d0;c1-title\x9c \x90dcs\x9c \x85 next",
    "NUL \x00 BEL \x07 BS \x08\x08\x08 DEL \x7f CR \r overwrite",
    "bidi \u202eexe.txt\u202c \u2066iso\u2069 \u2067rli\u2069 \u200f\u200e",
    "zero\u200bwidth\u200c\u200d\u2060\ufeffbom\u00adshy",
    "tower e" + "\u0301\u0302\u0303\u0304" * 50 + " Z",
    "long " + "Lorem ipsum dolor sit amet " * 400,
)

#: Sequences from the corpus that must never appear in the output, character for character.
FORBIDDEN: tuple[str, ...] = (
    "\x1b[38;5;199;1;5;7m",
    "\x1b[2J",
    "\x1b[3J",
    "\x1b[6n",
    "\x1b[?1049l",
    "\x1b[999;999H",
    "\x1b]",
    "\x1bP",
    "\x1b\\",
    "\x9b",
    "\x9d",
    "\x9c",
    "\x90",
    "\x85",
    "\x00",
    "\x07",
    "\x08",
    "\x7f",
    "\u202e",
    "\u202c",
    "\u2066",
    "\u2067",
    "\u2069",
    "\u200f",
    "\u200e",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
)

#: What Textual writes itself: CSI sequences (SGR, cursor moves, modes) and line breaks.
_OWN_CSI = re.compile(r"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]")


def corpus_value(index: int) -> str:
    return CORPUS[index % len(CORPUS)]


# Which fields of which collection are text a person or the provider wrote.
_TEXT_FIELDS = {
    "organization": ("name",),
    "user": ("first_name", "last_name"),
    "phone_number": ("label",),
    "lead": ("display_name", "name", "status_label", "description"),
    "contact": ("name", "display_name", "title", "_x_first_name", "_x_last_name"),
    "sms_template": ("name",),
    "sms": ("text", "user_name", "created_by_name", "updated_by_name"),
}


def poison(carrier: Any) -> None:
    """Fill every text field of every record of the in-process carrier with the corpus."""
    state = carrier.state
    n = 0
    with carrier.lock:
        for coll, names in _TEXT_FIELDS.items():
            for record in list(state.all(coll)):
                for name in names:
                    if name in record:
                        record[name] = corpus_value(n)
                        n += 1
                if coll == "contact":
                    for phone in record.get("phones", []):
                        phone["type"] = corpus_value(n)
                        n += 1
                if coll == "sms_template":
                    record["text"] = corpus_value(n) + (
                        " {{ contact.first_name }} {{ lead.display_name }} {{ user.first_name }}"
                        " {{ organization.name }}"
                    )
                    n += 1
                if coll == "sms" and record.get("error_message"):
                    record["error_message"] = corpus_value(n)
                    n += 1
                state.put(coll, record)


def terminal_output(app: App[Any]) -> str:
    """The string Textual's driver would write to repaint the whole current screen."""
    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, CompositorUpdate)
    return str(update.render_segments(app.console))


def leaks(output: str) -> list[str]:
    """Every corpus sequence found in `output`, plus any escape or control Textual never writes."""
    found = [repr(seq) for seq in FORBIDDEN if seq in output]
    rest = _OWN_CSI.sub("", output)
    for char in sorted(set(rest)):
        code = ord(char)
        if (code < 0x20 and char not in "\n\r") or 0x7F <= code < 0xA0:
            found.append(f"control {char!r} outside a Textual CSI sequence")
    return found
