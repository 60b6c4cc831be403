"""Messages that cross widget boundaries (attributes down, messages up).

Sync messages come from the sync engine's listener, which may run on any thread:
`post_message` is thread-safe, so the listener only wraps the event and posts it.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from sms_tui.core.models import LeadRow


class SyncUpdate(Message):
    """The sync engine changed the cache (`event` is a `sms_tui.sync.SyncEvent`).

    `after_start` is decided when the engine reports (not when the screen reads the message),
    so nothing the first sync finds ever rings the bell.
    """

    def __init__(self, event: Any, after_start: bool = True) -> None:
        super().__init__()
        self.event = event
        self.after_start = after_start


class SyncProgress(Message):
    """First-sync progress, already put in words ("leads… · leads 1,200")."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def can_replace(self, message: Message) -> bool:
        # A burst of progress reports collapses to the newest one (STYLE.md §2.7).
        return isinstance(message, SyncProgress)


class SyncStarted(Message):
    """The first sync finished (or failed); polling runs from now on."""

    def __init__(self, error: str | None = None, exception: BaseException | None = None) -> None:
        super().__init__()
        self.error = error
        #: What failed, so the screen can tell a broken cache from an unreachable provider.
        self.exception = exception


class OutboxChanged(Message):
    """The rep queued, undid, retried or scheduled something for `lead_id`."""

    def __init__(self, lead_id: str) -> None:
        super().__init__()
        self.lead_id = lead_id


class LeadHighlighted(Message):
    """The lead list cursor is on a new lead (`row` None when the list is empty)."""

    def __init__(self, row: LeadRow | None) -> None:
        super().__init__()
        self.row = row
