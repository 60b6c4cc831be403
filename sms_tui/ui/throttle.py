"""`Throttle`: run an action at once, then at most once per window, merging the calls in between.

For updates that can arrive in bursts (a first sync reports every page it saves, tens a second):
the first call acts at once (so a lone event shows without delay), later calls within the window
only mark it due, and one call runs when the window closes. The action reads the latest state
itself (what changed is accumulated by the caller), so nothing is lost by merging.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class Throttle:
    def __init__(self, owner: MessagePump, every: float, action: Callable[[], None], *, name: str) -> None:
        self._owner = owner
        self._every = every
        self._action = action
        self._name = name
        self._window: Timer | None = None
        self._due = False

    def __call__(self) -> None:
        if self._window is not None:
            self._due = True
            return
        self._action()
        self._window = self._owner.set_timer(self._every, self._closed, name=self._name)

    def _closed(self) -> None:
        self._window = None
        if self._due:
            self._due = False
            self()
