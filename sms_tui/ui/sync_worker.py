"""Runs the sync engine inside the app: first sync, then polls and outbox pushes.

The engine is async (httpx), so it runs in Textual *async* workers on the app's loop. Each
concern has its own worker group (STYLE.md §4.5): "sync" (first sync), "poll" (exclusive: a
slow poll is never doubled) and "send" (never exclusive: two quick sends both go). Timer
callbacks only start workers (§4.4); `exit_on_error=False` turns a provider failure into a
status change instead of a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from sms_tui.ui.messages import SyncProgress, SyncStarted, SyncUpdate

EngineFactory = Callable[[Callable[[Any], None]], Any]


class SyncRunner:
    """Owns the engine; the app calls `start`, `poll` and `push` (tests call them directly)."""

    def __init__(self, app: App[Any], factory: EngineFactory | None, *, poll_seconds: float) -> None:
        self._app = app
        self._target: MessagePump = app
        self._poll_seconds = poll_seconds
        self.engine: Any = factory(self._listen) if factory is not None else None
        self.started = False  # True once the first sync is over: replies after this ring the bell

    def set_target(self, target: MessagePump) -> None:
        """Where sync messages go (the inbox screen)."""
        self._target = target

    def _listen(self, event: Any) -> None:
        # Any thread: post_message is thread-safe.
        self._target.post_message(SyncUpdate(event))

    def _progress(self, *args: Any, **kwargs: Any) -> None:
        done, total, label = _progress_parts(args, kwargs)
        self._target.post_message(SyncProgress(done, total, label))

    def start(self) -> None:
        if self.engine is None:
            self.started = True
            self._target.post_message(SyncStarted(error=None))
            return
        self._app.run_worker(self._first_sync(), name="first-sync", group="sync", exit_on_error=False)

    async def _first_sync(self) -> None:
        error: str | None = None
        try:
            await self.engine.first_sync(self._progress)
        except Exception as exc:  # the provider is down or refuses us: keep the cache usable
            error = str(exc) or type(exc).__name__
        self.started = True
        self._target.post_message(SyncStarted(error=error))
        self._app.set_interval(self._poll_seconds, self.tick, name="poll-timer")

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
        await self.engine.poll_once()

    async def _push(self) -> None:
        await self.engine.push_outbox()


def _progress_parts(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, int, str]:
    """Accept the engine's progress report in any of its plausible shapes."""
    if len(args) == 1 and not kwargs:
        report = args[0]
        done = int(getattr(report, "done", 0) or 0)
        total = int(getattr(report, "total", 0) or 0)
        label = str(getattr(report, "label", None) or getattr(report, "stage", None) or report)
        return done, total, label
    done = int(kwargs.get("done", args[0] if args else 0) or 0)
    total = int(kwargs.get("total", args[1] if len(args) > 1 else 0) or 0)
    label = str(kwargs.get("label", args[2] if len(args) > 2 else "") or "")
    return done, total, label
