"""The conversation pane: who the lead is, then the messages, oldest first.

The screen loads a `ConversationView` (`conversation_view.py`) in a thread worker and calls
`show(view)`; the pane draws the header and hands the messages to a virtual `MessageColumn`
(`message_column.py`: renders only the bubbles in and near the view, cached as lines), so a lead
of any length paints in one frame. What each bubble and status line says is `bubbles.py`;
`tick` refreshes the undo countdowns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from sms_tui.core.models import Attachment, Message
from sms_tui.ui.widgets.bubbles import attachment_key, header_text, message_text
from sms_tui.ui.widgets.conversation_view import ConversationView
from sms_tui.ui.widgets.message_column import MessageColumn


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
        #: Pictures the rep asked to see, drawn in their bubble (attachment key -> half-blocks).
        self.previews: dict[str, Text] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("No conversation selected", style="dim"), id="conversation-header")
        yield MessageColumn(self._body, id="messages")

    def on_mount(self) -> None:
        self._column.set_messages((), "Pick a lead on the left (j/k, Enter to reply).", keep=False)

    @property
    def _column(self) -> MessageColumn:
        return self.query_one("#messages", MessageColumn)

    def _body(self, message: Message) -> Text:
        return message_text(message, self._clock or self._now(), self._tz, self._keys, self.previews)

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

    def prerender(self, view: ConversationView) -> None:
        """Render the bubbles `view` will show first (a lead loaded ahead), off the key's path."""
        self._clock = self._now()
        try:
            self._column.prerender(view.messages)
        finally:
            self._clock = None

    def _set_header(self, text: Text) -> None:
        """Show `text` in the header; a new layout only when it needs more lines than it has (a
        layout of the whole screen is most of what a key would otherwise cost). A shorter header
        keeps the height (a blank line at the end), so moving between leads whose details wrap
        differently does not re-lay the screen out each time; a resize starts afresh."""
        header = self.query_one("#conversation-header", Static)
        width = header.content_size.width
        lines = len(text.wrap(self.app.console, width)) if width > 0 else -1
        if 0 < lines < self._header_lines:
            text = text + Text("\n" * (self._header_lines - lines))
            lines = self._header_lines
        header.update(text, layout=lines != self._header_lines or lines < 0)
        self._header_lines = lines

    def on_resize(self) -> None:
        self._header_lines = -1  # the next header takes the height it needs at this width

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

    def attachments(self) -> list[tuple[Message, Attachment]]:
        """Every file in the conversation shown, newest first (what the attachments key lists)."""
        if self.view is None:
            return []
        return [(m, a) for m in reversed(self.view.messages) for a in m.attachments]

    @property
    def preview_width(self) -> int:
        """How wide a picture may be drawn inside a bubble (cells)."""
        width = self._column.size.width or 60
        return max(8, min(48, int(width * 0.85) - 6))

    def set_preview(self, attachment: Attachment, picture: Text) -> None:
        """Draw `picture` under the attachment in its bubble (the rep asked for it: nothing is
        fetched while scrolling)."""
        self.previews[attachment_key(attachment)] = picture
        self._column.rerender()

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
