"""The one-line header: connection state, last poll, outbox size, total unread, sync progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from sms_tui.ui.text import clock_time

STATE_LOOK = {
    "online": ("● online", "green"),
    "offline": ("● offline", "red"),
    "rate_limited": ("● rate-limited", "yellow"),
    "rate-limited": ("● rate-limited", "yellow"),
    "syncing": ("◌ syncing", "cyan"),
    "starting": ("◌ starting", "cyan"),
    "no provider": ("○ no provider", "dim"),
}


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
    progress: reactive[str] = reactive("")
    detail: reactive[str] = reactive("")

    def __init__(self, now: Callable[[], datetime], tz: tzinfo, *, title: str = "sms-tui") -> None:
        super().__init__(id="status-bar")
        self._now = now
        self._tz = tz
        self._title = title

    def render(self) -> Text:
        label, colour = STATE_LOOK.get(self.state, (f"● {self.state}", "yellow"))
        out = Text()
        out.append(self._title, style="bold")
        out.append("  ")
        out.append(label, style=f"bold {colour}")
        if self.detail:
            out.append(f" ({self.detail})", style=colour)
        if self.progress:
            out.append("  ")
            out.append(self.progress, style="cyan")
        now = self._now()
        out.append("  ·  ", style="dim")
        out.append(
            f"polled {clock_time(self.last_poll, self._tz, now)}" if self.last_poll else "not polled yet"
        )
        out.append("  ·  ", style="dim")
        out.append(f"outbox {self.outbox}", style="bold yellow" if self.outbox else "")
        if self.failed:
            out.append("  ·  ", style="dim")
            out.append(f"{self.failed} failed", style="bold red")
        out.append("  ·  ", style="dim")
        out.append(f"{self.unread} unread", style="bold" if self.unread else "dim")
        return out
