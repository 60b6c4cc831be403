"""The conversation pane: who the lead is, then the messages, oldest first.

The screen loads a `ConversationView` in a thread worker and calls `show(view)`; the widget lays
the messages out in a virtual `MessageColumn` that renders only the bubbles in and near the view
(each cached as lines by message, width and what it says), so a lead of any length paints in
one frame. Every string from a lead, a template or
the provider goes through `ui.text.literal` (a `rich.text.Text`, never markup) so `[bold]` or
an ANSI escape in a reply shows exactly as typed. Outbound messages say where they are:
waiting out the undo delay (with a countdown refreshed by `tick`), sending, sent, scheduled,
failed (label and the provider's error message) or blocked (the guard's reason).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.align import Align
from rich.box import ROUNDED
from rich.console import Console
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.segment import Segment
from rich.styled import Styled
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
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


#: The SMS statuses Close documents; any other is shown as it came ("Close says: …").
KNOWN_STATUSES = frozenset({"inbox", "draft", "scheduled", "outbox", "sent", "error"})

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
        if message.status is not None and message.status not in KNOWN_STATUSES:
            out = Text("Close says: ", style="dim")  # a status Close added later: shown as it came
            out.append_text(literal(message.status, style="dim italic"))
            return out
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


def bubble(message: Message, body: Text, width: int, console: Console) -> Align:
    """One message as a rounded panel: inbound on the left, outbound on the right, at most 85% of
    the `width` the pane gives (narrower when the text is short)."""
    cap = max(12, int(width * 0.85))
    inner = Measurement.get(console, console.options.update_width(max(1, cap - 4)), body).maximum
    outbound = message.direction == "outbound"
    colour = BORDER.get(message.local_state, "blue" if outbound else "grey50")
    panel = Panel(body, box=ROUNDED, border_style=colour, padding=(0, 1), width=min(cap, inner + 4))
    return Align(panel, align="right" if outbound else "left", width=width)


#: Bubbles kept rendered (strips per message at one width and status): enough for several long
#: conversations; the rest are rendered again when shown.
BUBBLE_CACHE = 600

#: Borders, one line of text and the time line.
MIN_BUBBLE_LINES = 4
#: Lines laid out above the view when a lead is shown (more come as the rep scrolls up).
MARGIN_LINES = 4

_BubbleKey = tuple[int, int, str, str, str, str]


class MessageColumn(ScrollView, can_focus=False):
    """The messages as a virtual column: only the bubbles in and near the view are rendered.

    The column is built from the newest message upwards: showing a lead renders the bubbles that
    fill the pane (and one more screen above), whatever the length of the conversation. Scrolling
    up renders more above, moving the scroll position by what was added so the view stays put.
    Each bubble's lines are cached by (message, width, what it says), so moving back to a lead,
    a status change or the countdown re-render only the bubbles that changed.
    """

    COMPONENT_CLASSES = {"message-column--note"}

    DEFAULT_CSS = """
    MessageColumn {
        height: 1fr;
        padding: 0 1;
        overflow-x: hidden;
        & > .message-column--note { color: $text-muted; }
    }
    """

    def __init__(self, body_of: Callable[[Message], Text], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._body_of = body_of
        self.messages: Sequence[Message] = ()
        self.note = ""
        self._lo = 0  # messages[lo:] are laid out
        self._blocks: list[list[Strip]] = []  # note block (when lo == 0 and a note) + one per bubble
        self._tops: list[int] = []
        self._total = 0
        self._width = 0
        self._cache: LRUCache[_BubbleKey, list[Strip]] = LRUCache(BUBBLE_CACHE)

    # -- content ------------------------------------------------------------------------------

    def set_messages(self, messages: Sequence[Message], note: str, *, keep: bool) -> None:
        """Show `messages` (oldest first) under `note`; `keep`: the same conversation, newer data,
        so lay out from the same message down (the rep's reading position stays)."""
        first = self.messages[self._lo].local_id if keep and self._lo < len(self.messages) else None
        self.messages = list(messages)
        self.note = note
        lo = len(self.messages)
        if first is not None:
            lo = next((i for i, m in enumerate(self.messages) if m.local_id == first), lo)
        self._layout(lo)

    @property
    def laid_out(self) -> int:
        """How many of the messages are laid out (rendered or cached), from the newest up."""
        return len(self.messages) - self._lo

    def show_all(self) -> None:
        """Lay out every message (the rep asked for older ones and looks at the top)."""
        self._layout(0)

    def rerender(self) -> None:
        """Render again what is laid out (the countdown moved; statuses are in the cache key)."""
        self._layout(self._lo)

    def _layout(self, lo: int) -> None:
        """Lay out from the newest message up to `lo` and at least two screens (if there are)."""
        height = self.size.height
        guess = MIN_BUBBLE_LINES * len(self.messages) > height  # a bubble is 4 lines or more
        for overflow in (guess, not guess):
            # The scrollbar takes columns once the bubbles overflow: lay out at the width left
            # (guessing from the last layout, and once more if the guess was wrong).
            width = self.size.width - (self.styles.scrollbar_size_vertical if overflow else 0)
            self._width = width
            self._blocks = []
            self._lo = len(self.messages)
            if width <= 0:
                self._lo = min(lo, self._lo)
                break
            lines = self._grow(until_lines=height + MARGIN_LINES, lo=lo)
            if (lines > height) == overflow or self.styles.overflow_y != "auto":
                break
        self._finish()

    def _grow(self, *, until_lines: int, lo: int | None = None) -> int:
        """Lay out older bubbles above until `until_lines` lines are laid out (and down to `lo`).
        Returns how many lines were added above."""
        width = self._width
        added: list[list[Strip]] = []
        lines = sum(len(b) for b in self._blocks) if self._blocks else 0
        if self._blocks and self._lo == 0 and self.note:
            return 0
        i = self._lo
        while i > 0 and (lines < until_lines or (lo is not None and i > lo)):
            i -= 1
            block = self._bubble(self.messages[i], width)
            added.append(block)
            lines += len(block)
        added.reverse()
        self._lo = i
        if i == 0 and self.note:
            added.insert(0, self._note_block(width))
        self._blocks[0:0] = added
        return sum(len(b) for b in added)

    def _finish(self) -> None:
        tops: list[int] = []
        total = 0
        for block in self._blocks:
            tops.append(total)
            total += len(block)
        self._tops, self._total = tops, total
        self._set_virtual_size(Size(self._width, total))
        if self.following:
            self._jump(self.max_scroll_y)
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """A new height without a layout of the screen while the scrollbar stays as it was (shown
        or not): only the scrollbar's proportions change. A layout costs most of a frame."""
        if size == self.virtual_size:
            return
        height = self.size.height
        same_bar = (self.virtual_size.height > height) == (size.height > height)
        if self.is_mounted and height > 0 and same_bar and size.width == self.virtual_size.width:
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size

    @property
    def following(self) -> bool:
        """Anchored to the newest message (until the rep scrolls up)."""
        return self._anchored and not self._anchor_released

    def _jump(self, y: float) -> None:
        self.scroll_target_y = y
        self.scroll_y = y

    def _bubble(self, message: Message, width: int) -> list[Strip]:
        body = self._body_of(message)
        key = (message.local_id, width, message.local_state, message.direction, message.text, body.plain)
        strips = self._cache.get(key)
        if strips is None:
            strips = self._strips_of(bubble(message, body, width, self.app.console), width)
            self._cache[key] = strips
        return strips

    def _note_block(self, width: int) -> list[Strip]:
        """The note above the oldest bubble, as the old `.empty` Static drew it (padding 1 2)."""
        text = Text(self.note, style=self.get_component_rich_style("message-column--note"))
        body = self._strips_of(Padding(text, (1, 2)), width)
        return body

    def _strips_of(self, renderable: Align | Padding, width: int) -> list[Strip]:
        console = self.app.console
        options = self.app.console_options.update(highlight=False, width=width, height=None)
        segments = console.render(Styled(renderable, self.rich_style), options)
        return [
            Strip(line, width)
            for line in Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=True)
        ]

    # -- Textual ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y - max(0, self.size.height - self._total)
        if line < 0 or line >= self._total or not self._blocks:
            return Strip.blank(self.size.width, self.rich_style)
        index = bisect_right(self._tops, line) - 1
        return self._blocks[index][line - self._tops[index]]

    def on_resize(self, event: events.Resize) -> None:
        overflow = self._total > self.size.height and self.styles.overflow_y == "auto"
        if self.size.width - (self.styles.scrollbar_size_vertical if overflow else 0) != self._width:
            self._layout(self._lo if not self.following else len(self.messages))
        elif self._lo > 0 and self._total < self.size.height + MARGIN_LINES:
            self._grow(until_lines=self.size.height + MARGIN_LINES)
            self._finish()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._anchored and self._anchor_released:
            self._check_anchor()
        up = new_value < old_value  # the rep reads back (a jump to the newest lays out nothing)
        if up and new_value < MARGIN_LINES + self.size.height and self._lo > 0 and self._width:
            # Near the top of what is laid out: lay out a screen more above, keep the view still.
            before = self._total
            added = self._grow(until_lines=self._total + 2 * self.size.height)
            self._finish()
            if added:
                self._jump(new_value + (self._total - before))


class Conversation(Vertical):
    """Header over a virtual column of bubbles (anchored to the newest)."""

    DEFAULT_CSS = """
    Conversation { height: 1fr; }
    Conversation > #conversation-header {
        height: auto;
        padding: 0 1;
        background: $panel;
        border-bottom: solid $primary 30%;
    }
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
        self._clock: datetime | None = None  # `now` for one layout (every bubble the same)
        self._header_lines = -1

    def compose(self) -> ComposeResult:
        yield Static(Text("No conversation selected", style="dim"), id="conversation-header")
        yield MessageColumn(self._body, id="messages")

    def on_mount(self) -> None:
        self._column.set_messages((), "Pick a lead on the left (j/k, Enter to reply).", keep=False)

    @property
    def _column(self) -> MessageColumn:
        return self.query_one("#messages", MessageColumn)

    def _body(self, message: Message) -> Text:
        return message_text(message, self._clock or self._now(), self._tz, self._keys)

    @property
    def lead_id(self) -> str | None:
        return self.view.header.lead_id if self.view else None

    @property
    def note(self) -> str:
        """The line above the oldest bubble ("earlier messages not shown", "No messages yet.")."""
        return self._column.note

    def clear(self) -> None:
        self.view = None
        self._set_header(Text("No conversation selected", style="dim"))
        self._column.set_messages((), "No lead matches.", keep=False)

    def show(self, view: ConversationView) -> None:
        same_lead = self.view is not None and self.view.header.lead_id == view.header.lead_id
        previous = self.view.messages if self.view is not None else ()
        self.view = view
        self._set_header(header_text(view.header))
        column = self._column
        if not view.messages:
            note = "No messages yet."
        else:
            note = "⋯ earlier messages not shown — o shows older" if view.more_before else ""
        if not same_lead:
            column.anchor()  # stick to the newest message (until the rep scrolls up)
        self._clock = self._now()
        try:
            column.set_messages(view.messages, note, keep=same_lead)
            if same_lead and self.want_top and len(view.messages) > len(previous):
                self.want_top = False
                column.release_anchor()  # older ones were added on top: show them, stop following
                column.show_all()
                column.scroll_to(y=0, animate=False, immediate=True)
        finally:
            self._clock = None
        # Otherwise the anchor decides: while anchored the view follows new messages; once the
        # rep scrolled up (anchor released) it stays where they are reading.

    def _set_header(self, text: Text) -> None:
        """Show `text` in the header; a new layout only when it needs another number of lines
        (a layout of the whole screen is most of what a key would otherwise cost)."""
        header = self.query_one("#conversation-header", Static)
        width = header.content_size.width
        lines = len(text.wrap(self.app.console, width)) if width > 0 else -1
        header.update(text, layout=lines != self._header_lines or lines < 0)
        self._header_lines = lines

    def follow(self) -> None:
        """Stick to the newest message, also as bubbles grow or the pane resizes (until the rep
        scrolls up; scrolling back to the bottom sticks again)."""
        self._column.anchor()

    def scroll_page(self, direction: int) -> None:
        """Page the messages up (-1) or down (+1) without moving focus from the list or composer."""
        column = self._column
        if direction < 0:
            column.release_anchor()  # reading back: stop following (re-anchors at the bottom)
        column.scroll_relative(y=direction * max(1, column.size.height - 2), animate=False)

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
            self._clock = self._now()
            try:
                self._column.rerender()
            finally:
                self._clock = None


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
