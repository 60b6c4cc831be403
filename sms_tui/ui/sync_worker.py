"""Runs the sync engine inside the app: first sync, then polls and outbox pushes.

The engine is async (httpx), so it runs in Textual *async* workers on the app's loop. Each
concern has its own worker group (STYLE.md §4.5): "sync" (first sync), "poll" (one at a time:
a slow poll is never doubled) and "send" (never exclusive: two quick sends both go). Timer
callbacks only start workers (§4.4); `exit_on_error=False` plus the engine's own state reports
turn a provider failure into a status-bar change instead of a crash. The next poll waits as
long as the engine's pacer says (longer when rate-limited or offline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from sms_tui.provider.errors import ProviderError, RateLimited
from sms_tui.ui.messages import SyncProgress, SyncStarted, SyncUpdate

EngineFactory = Callable[[Callable[[Any], None]], Any]


def describe_progress(progress: Any) -> str:
    """'leads 1,200 · messages 9,800' from a `FirstSyncProgress` (any object with counts)."""
    stage = getattr(progress, "stage", "")
    parts = [
        f"{name} {getattr(progress, name):,}" for name in ("leads", "messages") if getattr(progress, name, 0)
    ]
    head = "done" if stage == "done" else f"{stage}…" if stage else "…"
    return " · ".join([head, *parts])


class SyncRunner:
    """Owns the engine; the app calls `start`, `poll` and `push` (tests call them directly)."""

    def __init__(self, app: App[Any], factory: EngineFactory | None, *, poll_seconds: float) -> None:
        self._app = app
        self._target: MessagePump = app
        self._poll_seconds = poll_seconds
        self._timer: Timer | None = None
        self.engine: Any = factory(self._listen) if factory is not None else None
        self.started = False  # True once the first sync is over: replies after this ring the bell

    def set_target(self, target: MessagePump) -> None:
        """Where sync messages go (the inbox screen)."""
        self._target = target

    def _listen(self, event: Any) -> None:
        # Called from the engine (any thread): post_message is thread-safe.
        self._target.post_message(SyncUpdate(event, after_start=self.started))

    def _progress(self, progress: Any) -> None:
        self._target.post_message(SyncProgress(describe_progress(progress)))

    def start(self) -> None:
        if self.engine is None:
            self.started = True
            self._target.post_message(SyncStarted(error=None))
            return
        self._app.run_worker(self._first_sync(), name="first-sync", group="sync", exit_on_error=False)

    async def _first_sync(self) -> None:
        error: str | None = None
        failure: BaseException | None = None
        try:
            await self.engine.first_sync(self._progress)
        except Exception as exc:  # the provider is down or refuses us: keep the cache usable
            error, failure = str(exc) or type(exc).__name__, exc
        self.started = True
        self._target.post_message(SyncStarted(error=error, exception=failure))
        self._schedule(self._poll_seconds)

    def _schedule(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._app.set_timer(delay, self.tick, name="poll-timer")

    def tick(self) -> None:
        """Timer callback: poll and push (each only starts a worker)."""
        self.poll()
        self.push()

    def _busy(self, group: str) -> bool:
        return any(
            w.group == group and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            for w in self._app.workers
        )

    def poll(self) -> Worker[None] | None:
        if self.engine is None or self._busy("poll"):
            return None
        return self._app.run_worker(self._poll(), name="poll", group="poll", exit_on_error=False)

    def push(self) -> Worker[None] | None:
        if self.engine is None:
            return None
        return self._app.run_worker(self._push(), name="send", group="send", exit_on_error=False)

    async def _poll(self) -> None:
        engine = self.engine
        pacer = getattr(engine, "pacer", None)
        delay = self._poll_seconds
        try:
            await engine.poll_once()
        except RateLimited as exc:  # the engine already reported the state to the listener
            delay = pacer.failed(exc.retry_after) if pacer else delay
        except ProviderError:
            delay = pacer.failed() if pacer else delay
        else:
            info = getattr(getattr(engine, "client", None), "rate_limit", None)
            if pacer is not None:
                delay = pacer.ok(info.remaining, info.reset) if info is not None else pacer.ok()
        finally:
            if self.started:
                self._schedule(min(delay, max(self._poll_seconds, delay)))

    async def _push(self) -> None:
        await self.engine.push_outbox()
