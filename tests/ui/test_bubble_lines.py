"""`bubble_lines` draws a bubble exactly as Rich draws `Styled(bubble(...), base)`.

The conversation column draws its bubbles with `bubble_lines` (a fifth of Rich's cost per
bubble); `bubble` (Rich's `Align(Panel(...))`) is the reference. Any message, any width, any
status: the same segments, cell for cell and style for style, or `None` (the column then draws
with Rich itself).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from rich.styled import Styled
from textual.app import App

from sms_tui.core.models import Attachment, LocalState, Message
from sms_tui.ui.widgets.bubbles import bubble, bubble_lines, message_text

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TZ = ZoneInfo("America/New_York")
APP = App[None]()  # its console and options are what the column renders with
BASE = Style(color="#e0e0e0", bgcolor="#1e1e1e")

#: What leads send and what breaks layouts: wide and combining characters, emoji with modifiers,
#: tabs and newlines, markup and escape sequences (shown literally), long unbroken URLs.
PIECES = [
    "Hi",
    " ",
    "  ",
    "\n",
    "\t",
    "thanks!",
    "😀",
    "👍🏽",
    "你好",
    "é",
    "e\u0301",
    "ｱ",
    "[bold]x[/]",
    "\x1b[31mred",
    "\u202eevil",
    "-",
    "https://sunrise-solar.example/quote/2026/abcdefghijklmnopqrstuvwxyz0123456789",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=40).map("".join)
STATES: list[LocalState] = ["sent", "error", "blocked", "scheduled", "outbox", "sending", "draft"]


@st.composite
def messages(draw: st.DrawFn) -> Message:
    outbound = draw(st.booleans())
    state: LocalState = draw(st.sampled_from(STATES)) if outbound else "inbox"
    files = draw(
        st.lists(
            st.builds(
                Attachment,
                filename=texts,
                content_type=st.sampled_from(["image/jpeg", "application/pdf", "video/mp4"]),
                size=st.integers(0, 10**8),
            ),
            max_size=2,
        )
    )
    return Message(
        local_id=1,
        lead_id="lead_1",
        direction="outbound" if outbound else "inbound",
        local_state=state,
        text=draw(texts),
        status=draw(st.sampled_from([None, "sent", "outbox", "carrier-filtered"])),
        date_created=NOW,
        send_at=NOW,
        date_scheduled=NOW,
        error_message=draw(texts) if state == "error" else None,
        block_reason=draw(texts) if state == "blocked" else None,
        attachments=tuple(files),
    )


def rich_lines(message: Message, width: int) -> list[list[Segment]]:
    options = APP.console_options.update(highlight=False, width=width, height=None)
    body = message_text(message, NOW, TZ)
    rendered = APP.console.render(Styled(bubble(message, body, width, APP.console), BASE), options)
    return [
        list(line)
        for line in Segment.split_and_crop_lines(rendered, width, include_new_lines=False, pad=True)
    ]


def fast_lines(message: Message, width: int) -> list[list[Segment]] | None:
    options = APP.console_options.update(highlight=False, width=width, height=None)
    body = message_text(message, NOW, TZ)
    return bubble_lines(message, body, width, APP.console, options, BASE)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=messages(), width=st.integers(12, 220))
def test_bubble_lines_are_richs_lines(message: Message, width: int) -> None:
    assert fast_lines(message, width) == rich_lines(message, width)


def test_a_short_reply_sits_left_and_an_answer_right() -> None:
    reply = Message(
        local_id=1, lead_id="l", direction="inbound", local_state="inbox", text="ok", date_created=NOW
    )
    answer = Message(
        local_id=2, lead_id="l", direction="outbound", local_state="sent", text="ok", date_created=NOW
    )
    for message, first in ((reply, "╭"), (answer, " ")):
        lines = fast_lines(message, 60)
        assert lines is not None and lines == rich_lines(message, 60)
        assert all(sum(s.cell_length for s in line) == 60 for line in lines)
        assert lines[0][0].text[0] == first
        assert "ok" in "".join(s.text for s in lines[1])


def test_a_pane_narrower_than_a_bubble_is_left_to_rich() -> None:
    message = Message(
        local_id=1, lead_id="l", direction="inbound", local_state="inbox", text="hi", date_created=NOW
    )
    assert fast_lines(message, 11) is None
    assert fast_lines(message, 12) == rich_lines(message, 12)
