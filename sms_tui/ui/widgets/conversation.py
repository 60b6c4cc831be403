"""The conversation pane: who the lead is, then the messages, oldest first.

The screen loads a `ConversationView` in a thread worker and calls `show(view)`; this widget
only turns data into one Rich renderable (`Bubbles`). Every string from a lead, a template or
the provider goes through `ui.text.literal` (a `rich.text.Text`, never markup) so `[bold]` or
an ANSI escape in a reply shows exactly as typed. Outbound messages say where they are:
waiting out the undo delay (with a countdown refreshed by `tick`), sending, sent, scheduled,
failed (label and the provider's error message) or blocked (the guard's reason).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.align import Align
from rich.box import ROUNDED
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from sms_tui.core.models import Message
from sms_tui.ui.retry import retryable
from sms_tui.ui.text import clock_time, literal, seconds_left

STATUS_LABELS = {
    "sending": "Sending…",
    "sent": "Sent",
    "error": "Failed",
    "blocked": "Blocked",
    "scheduled": "Scheduled",
    "outbox": "Waiting to send",
    "draft": "Draft",
    "inbox": "",
}


@dataclass(frozen=True, slots=True)
class LeadHeader:
    """What the pane's header says about the lead (built by the screen from the store)."""

    lead_id: str
    name: str
    contact_name: str = ""
    number: str = ""  # formatted for reading
    country: str = ""
    line_type: str = ""
    local_time: str = ""  # the recipient's clock, e.g. "09:12 EST"
    opted_out: bool = False
    do_not_text: bool = False
    note: str = ""  # e.g. "no number we can text"


@dataclass(frozen=True, slots=True)
class ConversationView:
    header: LeadHeader
    messages: Sequence[Message]
    more_before: bool = False


#: Keys named in the status lines (the screen passes the remapped ones).
DEFAULT_KEYS = {"undo": "ctrl+z", "retry": "R", "cancel": "x"}


def status_text(message: Message, now: datetime, tz: tzinfo, keys: dict[str, str] | None = None) -> Text:
    """One line under an outbound bubble saying what happens to it next."""
    keys = {**DEFAULT_KEYS, **(keys or {})}
    state = message.local_state
    if state == "outbox":
        left = seconds_left(message.send_at, now)
        if left > 0:
            return Text(f"Sending in {left} s — {keys['undo']} to undo", style="bold yellow")
    if state in ("outbox", "sending"):  # keys["offline"]: the screen says the provider is unreachable
        return Text("Queued — offline" if keys.get("offline") else "Sending…", style="italic")
    if state == "sent":
        return Text("✓ Sent" if message.status != "outbox" else "✓ Accepted, on its way", style="dim")
    if state == "scheduled":
        when = clock_time(message.date_scheduled, tz, now)
        return Text(f"◷ Scheduled for {when} — {keys['cancel']} to cancel", style="bold")
    if state == "error":
        out = Text()
        out.append("✗ Failed", style="bold red")
        if message.error_message:
            out.append(": ", style="red")
            out.append_text(literal(message.error_message, style="red"))
        if retryable(message):
            out.append(f" — {keys['retry']} to retry", style="dim")
        return out
    if state == "blocked":
        out = Text()
        out.append("⊘ Blocked", style="bold red")
        if message.block_reason:
            out.append(": ", style="red")
            out.append_text(literal(message.block_reason, style="red"))
        if retryable(message):
            out.append(f" — {keys['retry']} to retry", style="dim")
        return out
    return Text(STATUS_LABELS.get(state, state), style="dim")


#: Border colour of a bubble by local state (outbound) — inbound bubbles are grey.
BORDER = {"outbox": "yellow", "error": "red", "blocked": "red", "scheduled": "cyan", "sending": "yellow"}


def message_text(message: Message, now: datetime, tz: tzinfo, keys: dict[str, str] | None = None) -> Text:
    """A bubble's content: the literal text, then a dim line with time and (outbound) status."""
    meta = Text("\n")
    meta.append(clock_time(message.date_created, tz, now), style="dim")
    if message.direction == "outbound":
        meta.append("  ")
        meta.append_text(status_text(message, now, tz, keys))
    return Text.assemble(literal(message.text), meta)


class Bubbles:
    """Every message as a rounded panel, inbound on the left and outbound on the right.

    One Rich renderable for the whole column (not a widget per message): switching leads lays out
    one widget instead of dozens, which keeps j/k fast on long conversations. Bubbles are at most
    85% of the width the pane gives at render time.
    """

    def __init__(
        self, messages: Sequence[Message], now: datetime, tz: tzinfo, keys: dict[str, str] | None = None
    ) -> None:
        self.items = [(m, message_text(m, now, tz, keys)) for m in messages]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        cap = max(12, int(width * 0.85))
        for message, body in self.items:
            inner = Measurement.get(console, options.update_width(cap - 4), body).maximum
            outbound = message.direction == "outbound"
            colour = BORDER.get(message.local_state, "blue" if outbound else "grey50")
            panel = Panel(body, box=ROUNDED, border_style=colour, padding=(0, 1), width=min(cap, inner + 4))
            yield Align(panel, align="right" if outbound else "left", width=width)


class Conversation(Vertical):
    """Header over a scrolling column of bubbles (anchored to the newest)."""

    DEFAULT_CSS = """
    Conversation { height: 1fr; }
    Conversation > #conversation-header {
        height: auto;
        padding: 0 1;
        background: $panel;
        border-bottom: solid $primary 30%;
    }
    Conversation > #messages { height: 1fr; padding: 0 1; align-vertical: bottom; }
    Conversation #messages-body { height: auto; width: 1fr; }
    Conversation .empty { color: $text-muted; padding: 1 2; }
    """

    def __init__(
        self,
        now: Callable[[], datetime],
        tz: tzinfo,
        *,
        keys: dict[str, str] | None = None,
        id: str | None = None,  # noqa: A002 - Textual's name
    ) -> None:
        super().__init__(id=id)
        self._now = now
        self._tz = tz
        self._keys = keys or {}
        #: Set by the screen when it asked for older messages: show the top once they arrive.
        self.want_top = False
        self.view: ConversationView | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("No conversation selected", style="dim"), id="conversation-header")
        with VerticalScroll(id="messages", can_focus=False):
            yield Static(
                Text("Pick a lead on the left (j/k, Enter to reply)."), classes="empty", id="messages-note"
            )
            yield Static(id="messages-body")

    @property
    def lead_id(self) -> str | None:
        return self.view.header.lead_id if self.view else None

    def clear(self) -> None:
        self.view = None
        self.query_one("#conversation-header", Static).update(Text("No conversation selected", style="dim"))
        self._note("No lead matches.")
        self.query_one("#messages-body", Static).update("")

    def _note(self, text: str) -> None:
        note = self.query_one("#messages-note", Static)
        note.update(Text(text))
        note.display = bool(text)

    def show(self, view: ConversationView) -> None:
        same_lead = self.view is not None and self.view.header.lead_id == view.header.lead_id
        previous = self.view.messages if self.view is not None else ()
        self.view = view
        self.query_one("#conversation-header", Static).update(header_text(view.header))
        scroll = self.query_one("#messages", VerticalScroll)
        if not view.messages:
            self._note("No messages yet.")
        else:
            self._note("⋯ earlier messages not shown — o shows older" if view.more_before else "")
        self.query_one("#messages-body", Static).update(
            Bubbles(view.messages, self._now(), self._tz, self._keys)
        )
        if same_lead and self.want_top and len(view.messages) > len(previous):
            self.want_top = False
            scroll.release_anchor()  # older ones were added on top: show them, stop following
            self.call_after_refresh(scroll.scroll_home, animate=False)
        elif not same_lead:
            self.follow()
        # Otherwise the anchor decides: while anchored the view follows new messages; once the
        # rep scrolled up (anchor released) it stays where they are reading.

    def follow(self) -> None:
        """Stick to the newest message, also as bubbles grow or the pane resizes (Textual's
        anchor keeps it at the bottom through every layout until the rep scrolls up)."""
        self.query_one("#messages", VerticalScroll).anchor()

    def scroll_page(self, direction: int) -> None:
        """Page the messages up (-1) or down (+1) without moving focus from the list or composer."""
        scroll = self.query_one("#messages", VerticalScroll)
        if direction < 0:
            scroll.release_anchor()  # reading back: stop following (re-anchors at the bottom)
        scroll.scroll_relative(y=direction * max(1, scroll.size.height - 2), animate=False)

    def message_texts(self) -> list[str]:
        """The plain text of each bubble as shown now (tests, screen readers of the future)."""
        if self.view is None:
            return []
        now = self._now()
        return [message_text(m, now, self._tz, self._keys).plain for m in self.view.messages]

    def has_pending(self) -> bool:
        """True while a message of this lead waits out the undo delay (the countdown runs)."""
        return self.view is not None and any(m.local_state == "outbox" for m in self.view.messages)

    def tick(self) -> None:
        """Refresh the countdowns (called every second by the screen while something waits)."""
        if self.view is not None and self.has_pending():
            self.query_one("#messages-body", Static).update(
                Bubbles(self.view.messages, self._now(), self._tz, self._keys)
            )


def header_text(header: LeadHeader) -> Text:
    """Two lines: the lead (and contact) name; number, country, line type, local time, opt-out."""
    out = Text()
    out.append_text(literal(header.name or "(no name)", style="bold"))
    if header.contact_name and header.contact_name != header.name:
        out.append("  ·  ", style="dim")
        out.append_text(literal(header.contact_name))
    if header.opted_out:
        out.append("   ⊘ OPTED OUT", style="bold red")
    if header.do_not_text:
        out.append("   ⊘ DO NOT TEXT", style="bold red")
    out.append("\n")
    parts = [literal(p) for p in (header.number, header.country, header.line_type) if p]
    if header.local_time:
        parts.append(Text(f"their time {header.local_time}"))
    if header.note:
        parts.append(literal(header.note, style="italic"))
    out.append_text(Text(" · ", style="dim").join(parts) if parts else Text("no number", style="dim"))
    return out
