"""The conversation's scrolling column: a virtual `ScrollView` of message bubbles.

It lays out only the bubbles in and near the view (more as the rep scrolls up) and keeps each
rendered bubble as lines, cached by message, width and what it says, so a lead of any length
paints in one frame. What a bubble looks like is `bubbles.py`; the pane around it (header,
`show`, `tick`) is `conversation.py`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence

from rich.align import Align
from rich.console import RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.styled import Styled
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from sms_tui.core.models import Message
from sms_tui.ui.styled_lines import ContentStylesCache, style_by_content
from sms_tui.ui.widgets.bubbles import bubble, bubble_lines
from sms_tui.ui.widgets.scroll_size import set_virtual_size

#: Bubbles kept rendered (strips per message at one width and status): enough for several long
#: conversations; the rest are rendered again when shown.
BUBBLE_CACHE = 600

#: Borders, one line of text and the time line.
MIN_BUBBLE_LINES = 4
#: Lines laid out above the view when a lead is shown (more come as the rep scrolls up).
MARGIN_LINES = 4

_BubbleKey = tuple[int, int, str, str, str, str, Style]


class _ColumnBar(ScrollBar):
    """The column's scrollbar, drawn in the colour beneath the column while the bubbles fit (no
    track, no thumb), as scrollbar colours of `transparent` draw it.

    Not a CSS class toggled by the column: a class change restyles the column, ~1.5 ms of the
    key that moves from a long conversation to a short one or back (cProfile of the real
    process, 2026-11-30); the bar repaints anyway when its sizes change."""

    def render(self) -> RenderableType:
        if self.window_size < self.window_virtual_size or self.parent is None:
            return super().render()
        beneath, _ = self.parent.background_colors
        return self._render_bar(Style.from_color(beneath.rich_color, beneath.rich_color))


class MessageColumn(ScrollView, can_focus=False):
    """The messages as a virtual column: only the bubbles in and near the view are rendered.

    The column is built from the newest message upwards: showing a lead renders the bubbles that
    fill the pane (and one more screen above), whatever the length of the conversation. Scrolling
    up renders more above, moving the scroll position by what was added so the view stays put.
    Each bubble's lines are cached by (message, width, what it says), so moving back to a lead,
    a status change or the countdown re-render only the bubbles that changed.
    """

    COMPONENT_CLASSES = {"message-column--note"}

    # The scrollbar's columns are always the scrollbar's (drawn in the background colour while the
    # bubbles fit, `_ColumnBar`): a scrollbar that comes and goes between leads lays the whole
    # screen out twice (its own display, then the column's new width), most of a key's frame.
    DEFAULT_CSS = """
    MessageColumn {
        height: 1fr;
        padding: 0 1;
        overflow-x: hidden;
        overflow-y: scroll;
        & > .message-column--note { color: $text-muted; }
    }
    """

    def __init__(self, body_of: Callable[[Message], Text], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        style_by_content(self)  # its lines are cached bubbles' strips (ui/styled_lines.py)
        self._body_of = body_of
        self.messages: Sequence[Message] = ()
        self.note = ""
        self._lo = 0  # messages[lo:] are laid out
        self._blocks: list[list[Strip]] = []  # note block (when lo == 0 and a note) + one per bubble
        self._tops: list[int] = []
        self._total = 0
        self._width = 0
        self._cache: LRUCache[_BubbleKey, list[Strip]] = LRUCache(BUBBLE_CACHE)
        self._jumping = False  # the column moves itself (to the newest): not the rep reading back

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

    def prerender(self, messages: Sequence[Message]) -> None:
        """Render the newest bubbles of a conversation about to be shown (loaded ahead) into the
        cache, at the width its layout will use, so showing it lays out from the cache."""
        height = self.size.height
        overflow = self._overflows(len(messages))
        width = self.size.width - (self.styles.scrollbar_size_vertical if overflow else 0)
        lines: list[Strip] = []
        base = self.rich_style  # walks the ancestors: once, not per bubble
        for message in reversed(messages):
            if width <= 0 or len(lines) >= height + MARGIN_LINES:
                break
            lines.extend(self._bubble(message, width, base))
        if isinstance(self._styles_cache, ContentStylesCache) and width == self._width:
            self._styles_cache.prestyle(lines[:height])  # the lines it will show, styled now

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
        guess = self._overflows(len(self.messages))
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

    def _overflows(self, messages: int) -> bool:
        """Whether the scrollbar takes its columns: always (overflow-y: scroll), else a guess (a
        bubble is 4 lines or more)."""
        return self.styles.overflow_y == "scroll" or MIN_BUBBLE_LINES * messages > self.size.height

    def _grow(self, *, until_lines: int, lo: int | None = None) -> int:
        """Lay out older bubbles above until `until_lines` lines are laid out (and down to `lo`).
        Returns how many lines were added above."""
        width = self._width
        added: list[list[Strip]] = []
        lines = sum(len(b) for b in self._blocks) if self._blocks else 0
        if self._blocks and self._lo == 0 and self.note:
            return 0
        i = self._lo
        base = self.rich_style
        while i > 0 and (lines < until_lines or (lo is not None and i > lo)):
            i -= 1
            block = self._bubble(self.messages[i], width, base)
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
        self._jumping = True  # a shorter column clamps scroll_y: that is not the rep reading back
        try:
            set_virtual_size(self, Size(self._width, total))
        finally:
            self._jumping = False
        if self.following:
            self._jump(self.max_scroll_y)
        self.refresh()

    @property
    def following(self) -> bool:
        """Anchored to the newest message (until the rep scrolls up)."""
        return self._anchored and not self._anchor_released

    def _jump(self, y: float) -> None:
        self._jumping = True
        try:
            self.scroll_target_y = y
            self.scroll_y = y
        finally:
            self._jumping = False

    def _bubble(self, message: Message, width: int, base: Style) -> list[Strip]:
        """The bubble's lines on `base` (the column's `rich_style`), from the cache if drawn before."""
        body = self._body_of(message)
        key = (
            message.local_id,
            width,
            message.local_state,
            message.direction,
            message.text,
            body.plain,
            base,  # the theme's colours
        )
        strips = self._cache.get(key)
        if strips is None:
            console = self.app.console
            options = self.app.console_options.update(highlight=False, width=width, height=None)
            lines = bubble_lines(message, body, width, console, options, base)
            if lines is None:  # a pane narrower than a bubble's minimum: Rich crops it
                strips = self._strips_of(bubble(message, body, width, console), width, base)
            else:
                strips = [Strip(line, width) for line in lines]
            self._cache[key] = strips
        return strips

    def _note_block(self, width: int) -> list[Strip]:
        """The note above the oldest bubble, as the old `.empty` Static drew it (padding 1 2)."""
        text = Text(self.note, style=self.get_component_rich_style("message-column--note"))
        body = self._strips_of(Padding(text, (1, 2)), width, self.rich_style)
        return body

    def _strips_of(self, renderable: Align | Padding, width: int, base: Style) -> list[Strip]:
        console = self.app.console
        options = self.app.console_options.update(highlight=False, width=width, height=None)
        segments = console.render(Styled(renderable, base), options)
        return [
            Strip(line, width)
            for line in Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=True)
        ]

    # -- Textual ------------------------------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's, as a `_ColumnBar`."""
        if self._vertical_scrollbar is None:
            bar = _ColumnBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            self._vertical_scrollbar = bar
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_offset.y) + y - max(0, self.size.height - self._total)
        if line < 0 or line >= self._total or not self._blocks:
            return Strip.blank(self.size.width, self.rich_style)
        index = bisect_right(self._tops, line) - 1
        return self._blocks[index][line - self._tops[index]]

    def on_resize(self, event: events.Resize) -> None:
        shown = self.styles.overflow_y
        overflow = shown == "scroll" or (shown == "auto" and self._total > self.size.height)
        if self.size.width - (self.styles.scrollbar_size_vertical if overflow else 0) != self._width:
            self._layout(self._lo if not self.following else len(self.messages))
        elif self._lo > 0 and self._total < self.size.height + MARGIN_LINES:
            self._grow(until_lines=self.size.height + MARGIN_LINES)
            self._finish()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._anchored and self._anchor_released:
            self._check_anchor()
        # The rep reads back (the column's own jump to the newest of another lead lays out nothing).
        up = new_value < old_value and not self._jumping
        if up and new_value < MARGIN_LINES + self.size.height and self._lo > 0 and self._width:
            # Near the top of what is laid out: lay out a screen more above, keep the view still.
            before = self._total
            added = self._grow(until_lines=self._total + 2 * self.size.height)
            self._finish()
            if added:
                self._jump(new_value + (self._total - before))
