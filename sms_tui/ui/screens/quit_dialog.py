"""Quitting while texts wait out the undo delay: send them first (a countdown), keep them, or stay.

Nothing the rep sent is held silently until the next launch. The dialog counts down to the end
of the last undo window and then answers "send"; Enter answers "send" at once; ctrl+c answers
"keep" (they stay in the outbox and go when sms-tui next starts, and the app says so as it exits);
Escape answers "stay". The app does the sending (`SmsApp.action_quit`); when sending fails (offline)
it shows this dialog again with `problem` set, and the countdown is off.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from sms_tui.ui.text import Safe, safe_content, seconds_left

QuitChoice = Literal["send", "keep", "stay"]


def plural(count: int) -> str:
    return "1 message" if count == 1 else f"{count} messages"


class QuitDialog(ModalScreen[QuitChoice]):
    """Ask what happens to the messages still inside the undo window before quitting."""

    DEFAULT_CSS = """
    QuitDialog {
        align: center middle;
    }
    QuitDialog > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    QuitDialog #quit-hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("enter", "choose('send')", "Send now", priority=True, id="quit.send"),
        Binding("ctrl+c", "choose('keep')", "Keep queued", priority=True, id="quit.keep"),
        Binding("escape", "choose('stay')", "Stay", id="quit.stay"),
    ]

    def __init__(
        self,
        count: int,
        deadline: datetime | None,
        now: Callable[[], datetime],
        *,
        can_send: bool = True,
        problem: Safe | None = None,
    ) -> None:
        super().__init__()
        self._count = count
        self._deadline = deadline
        self._now = now
        self._can_send = can_send
        self._problem = problem
        self._answered = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="quit-text", markup=False)
            yield Static(id="quit-hint", markup=False)

    def on_mount(self) -> None:
        self.tick()
        if self._counting:
            self.set_interval(0.25, self.tick, name="quit-countdown")

    @property
    def _counting(self) -> bool:
        return self._can_send and self._problem is None and self._deadline is not None

    def tick(self) -> None:
        """Show the seconds left; when the undo window is over, send (and quit)."""
        what = plural(self._count)
        text = self.query_one("#quit-text", Static)
        hint = self.query_one("#quit-hint", Static)
        if not self._can_send:
            text.update(f"{what} waiting in the outbox, and no provider to send it to.")
            hint.update("ctrl+c quit and keep it queued (it goes when sms-tui next starts) · esc stay")
            return
        if self._problem is not None:
            text.update(
                safe_content(Safe(f"Could not send {what}: {self._problem}. It is queued — offline."))
            )
            hint.update("enter try again · ctrl+c quit and keep it queued · esc stay")
            return
        left = seconds_left(self._deadline, self._now())
        if left <= 0:
            self.action_choose("send")
            return
        text.update(f"Sending {what} in {left} s, then quitting.")
        hint.update("enter send now · ctrl+c quit and keep it queued (sent at next start) · esc stay")

    def action_choose(self, choice: QuitChoice) -> None:
        if self._answered or (choice == "send" and not self._can_send):
            return
        self._answered = True
        self.dismiss(choice)
