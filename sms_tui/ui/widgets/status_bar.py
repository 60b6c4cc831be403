"""The one-line header: connection state, last poll, outbox size, total unread, sync progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from sms_tui.ui.text import Safe, clock_time, one_line

STATE_LOOK = {
    "online": ("● online", "green"),
    "offline": ("● offline", "red"),
    "rate_limited": ("● rate-limited", "yellow"),
    "rate-limited": ("● rate-limited", "yellow"),
    "syncing": ("◌ syncing", "cyan"),
    "starting": ("◌ starting", "cyan"),
    "no provider": ("○ no provider", "dim"),
    "cache error": ("● cache error", "red"),
}

#: States in which nothing reaches the provider: queued messages say so.
UNREACHABLE = frozenset({"offline", "unavailable", "auth_failed"})


class StatusBar(Static):
    """What the rep needs to trust the inbox: is it live, when did it last look, what waits."""

    DEFAULT_CSS = """
    StatusBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    state: reactive[str] = reactive("starting")
    last_poll: reactive[datetime | None] = reactive(None)
    outbox: reactive[int] = reactive(0)
    unread: reactive[int] = reactive(0)
    failed: reactive[int] = reactive(0)
    #: Both may carry outside text (a provider's or the cache's error): only `Safe` text goes here.
    progress: reactive[Safe] = reactive(Safe(""))
    detail: reactive[Safe] = reactive(Safe(""))

    def __init__(self, now: Callable[[], datetime], tz: tzinfo, *, title: str = "sms-tui") -> None:
        super().__init__(id="status-bar")
        self._now = now
        self._tz = tz
        self._title = title

    def show_cache_error(self, error: BaseException | None, path: str = "the cache") -> bool:
        """Say "cache error: …" (not "offline": the provider is not to blame) when `error` is a
        cache failure; False (nothing changed) for any other error."""
        from sms_tui.store.failures import cache_error

        found = None if error is None else cache_error(error, path)
        if found is None:
            return False
        self.state = "cache error"
        self.detail = one_line(found.sentence)
        return True

    def on_resize(self) -> None:
        self.refresh()  # the layout depends on the width

    def render(self) -> Text:
        label, colour = STATE_LOOK.get(self.state, (f"● {self.state.replace('_', ' ')}", "yellow"))
        now = self._now()
        sep = Text("  ·  ", style="dim")
        parts: list[Text] = [Text(label, style=f"bold {colour}")]
        # The counts come before any long error text, so a narrow terminal cuts the error, not them.
        parts.append(Text(f"{self.unread} unread", style="bold" if self.unread else "dim"))
        outbox = f"outbox {self.outbox}"
        if self.outbox and self.state in UNREACHABLE:
            outbox += " queued — offline"
        parts.append(Text(outbox, style="bold yellow" if self.outbox else ""))
        if self.failed:
            parts.append(Text(f"{self.failed} failed", style="bold red"))
        parts.append(
            Text(
                f"polled {clock_time(self.last_poll, self._tz, now)}" if self.last_poll else "not polled yet"
            )
        )
        if self.progress:
            parts.append(Text(self.progress, style="cyan"))
        if self.detail:
            parts.append(Text(self.detail, style=colour))
        out = Text(self._title, style="bold")
        out.append("  ")
        out.append_text(sep.join(parts))
        if out.cell_len > self.content_size.width:
            out = sep.join(parts)  # narrow: the title goes first
            if out.cell_len > self.content_size.width:
                out = Text("  ", style="dim").join(parts)
        return out
