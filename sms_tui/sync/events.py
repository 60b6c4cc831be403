"""What the sync engine tells its listener (the UI, the CLI), and the poll pacing rules.

The listener gets one `SyncEvent` per batch (a poll, a push, a page of the first sync) carrying
only what changed, so the UI refreshes those leads and nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from sms_tui.core.models import Attachment, Message

ConnectionState = Literal["online", "offline", "rate_limited", "unavailable", "auth_failed"]


@dataclass(frozen=True, slots=True)
class FirstSyncProgress:
    """Counts so far; `stage` is what is being fetched now."""

    stage: Literal["account", "numbers", "templates", "leads", "messages", "done"]
    leads: int = 0
    contacts: int = 0
    messages: int = 0
    templates: int = 0
    numbers: int = 0


@dataclass(frozen=True, slots=True)
class SyncEvent:
    changed_lead_ids: frozenset[str]
    state: ConnectionState
    last_poll: datetime | None
    #: replies that arrived while the engine ran (not history): the UI toasts them
    new_inbound: tuple[Message, ...] = ()
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    #: a sentence for the status bar when state is not online (no secrets, no markup)
    detail: str | None = None
    #: seconds until the next poll, as the pacer decided
    next_poll_in: float | None = None
    progress: FirstSyncProgress | None = None


@dataclass
class PollPacer:
    """Decides the wait before the next poll: the configured interval when all is well, longer
    when the provider rate-limits (at least what it asked) or is down (exponential, jittered,
    capped), and a little longer when the `RateLimit` header says the budget is nearly spent."""

    interval: float
    max_interval: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def ok(self, remaining: int | None = None, reset: float | None = None) -> float:
        self.failures = 0
        if remaining is not None and remaining <= 1 and reset is not None:
            return max(self.interval, reset)
        return self.interval

    def failed(self, retry_after: float | None = None) -> float:
        self.failures += 1
        backoff = min(self.max_interval, self.interval * (2 ** min(self.failures, 10)))
        jittered = backoff / 2 + self.rng.random() * backoff / 2
        return float(max(retry_after or 0.0, jittered, self.interval))


ProgressListener = Callable[[FirstSyncProgress], None]
Listener = Callable[[SyncEvent], None]


class SyncDriver(Protocol):
    """What the UI may ask of the sync engine. The UI imports this module only (no provider, no
    httpx): the engine reports through `SyncEvent`s, never by raising provider errors at the UI."""

    ready: bool

    async def start(self, progress: ProgressListener | None = None, *, full: bool = False) -> None:
        """First sync (a cold cache, or `full`) or resume from the stored marks. May raise; the
        state is reported to the listener first."""
        ...

    async def poll_step(self) -> float:
        """One poll; never raises for provider trouble; returns the seconds to wait before the next."""
        ...

    async def push_outbox(self) -> object: ...

    async def fetch_older(self, lead_id: str, before: datetime, limit: int = 100) -> frozenset[str]: ...


class AttachmentError(Exception):
    """An attachment could not be fetched; str() is a sentence for the rep (no secrets, no markup).
    `reason` is the provider's part alone ("The attachment is no longer on the provider.")."""

    reason: str = ""


@runtime_checkable
class AttachmentFetcher(Protocol):
    """What the UI may ask about attachments (the sync engine is one): bytes on disk, in a private
    cache by media id (0700 folder, 0600 files, bounded in size). The UI calls `fetch_attachment` in
    a worker and `cached_attachment` anywhere (it never touches the network)."""

    def cached_attachment(self, attachment: Attachment, *, thumbnail: bool = False) -> Path | None:
        """The file if it is on disk already (a rep's own attachment: the file they attached)."""
        ...

    async def fetch_attachment(self, attachment: Attachment, *, thumbnail: bool = False) -> Path:
        """Download (with the API key) into the cache, or find it there; `thumbnail` asks for the
        small version (the original when Close made none). Raises AttachmentError with a sentence."""
        ...


#: Builds the engine for the UI, given the listener (the composition root wires the provider).
DriverFactory = Callable[[Listener], SyncDriver]
