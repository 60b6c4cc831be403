"""Runs the sync engine inside the app: start (first sync or resume), then polls and outbox pushes.

The UI knows the engine only as a `SyncDriver` (sms_tui.sync.events): it never imports the provider
client or httpx, and the engine itself is built (by the factory the command wired) in the "sync"
worker, after the first frame, so none of that is on the path to first paint.

The engine is async (httpx), so it runs in Textual *async* workers on the app's loop. Each concern
has its own worker group (STYLE.md §4.5): "sync" (the start), "poll" (one at a time: a slow poll is
never doubled) and "send" (never exclusive: two quick sends both go). Timer callbacks only start
workers (§4.4). Poll pacing is the engine's (`poll_step` returns the wait); a provider failure
becomes a status-bar change from the engine's events, never a crash.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from sms_tui.sync.events import DriverFactory, FirstSyncProgress, SyncDriver, SyncEvent
from sms_tui.ui.messages import SyncProgress, SyncStarted, SyncUpdate

EngineFactory = DriverFactory


def describe_progress(progress: FirstSyncProgress) -> str:
    """'messages… · leads 1,200 · messages 9,800' from a `FirstSyncProgress`."""
    stage = progress.stage
    counts = {"leads": progress.leads, "messages": progress.messages}
    parts = [f"{name} {count:,}" for name, count in counts.items() if count]
    head = "done" if stage == "done" else f"{stage}…"
    return " · ".join([head, *parts])


class SyncRunner:
    """Owns the engine; the app calls `start`, `poll` and `push` (tests call them directly)."""

    def __init__(self, app: App[Any], factory: DriverFactory | None, *, poll_seconds: float) -> None:
        self._app = app
        self._target: MessagePump = app
        self._poll_seconds = poll_seconds
        self._timer: Timer | None = None
        self._factory = factory
        self.engine: SyncDriver | None = None
        self.started = False  # True once the start is over: replies after this ring the bell

    @property
    def has_provider(self) -> bool:
        return self._factory is not None

    def set_target(self, target: MessagePump) -> None:
        """Where sync messages go (the inbox screen)."""
        self._target = target

    def _listen(self, event: SyncEvent) -> None:
        # Called from the engine (any thread): post_message is thread-safe.
        self._target.post_message(SyncUpdate(event, after_start=self.started))

    def _progress(self, progress: FirstSyncProgress) -> None:
        self._target.post_message(SyncProgress(describe_progress(progress)))

    def start(self) -> None:
        if self._factory is None:
            self.started = True
            self._target.post_message(SyncStarted(error=None))
            return
        self._app.run_worker(self._start(self._factory), name="sync-start", group="sync", exit_on_error=False)

    async def _start(self, factory: DriverFactory) -> None:
        error: str | None = None
        failure: BaseException | None = None
        try:
            # Built in a thread: building it imports the provider client and httpx (~130 ms of
            # the UI loop otherwise, just as the first rows are painted).
            self.engine = await asyncio.to_thread(factory, self._listen)
            await self.engine.start(self._progress)
        except Exception as exc:  # the provider is down or refuses us: keep the cache usable
            error, failure = str(exc) or type(exc).__name__, exc
        self.started = True
        self._target.post_message(SyncStarted(error=error, exception=failure))
        self._schedule(self._poll_seconds)

    def full_resync(self) -> None:
        """The rep asked (palette "Full resync"): forget the marks and run the first sync again."""
        if self.engine is None or self._busy("sync"):
            return
        self.started = False  # what this sync finds is not news: no bell
        self._app.run_worker(self._resync(self.engine), name="sync-full", group="sync", exit_on_error=False)

    async def _resync(self, engine: SyncDriver) -> None:
        error: str | None = None
        try:
            await engine.start(self._progress, full=True)
        except Exception as exc:
            error = str(exc) or type(exc).__name__
        self.started = True
        self._target.post_message(SyncStarted(error=error))

    def fetch_older(self, lead_id: str, before: datetime) -> bool:
        """Older messages of a lead from the provider (o at the top of a conversation); the
        conversation reloads from the engine's event. False when there is no provider."""
        if self.engine is None:
            return False
        self._app.run_worker(
            self._older(self.engine, lead_id, before), name="older", group="older", exit_on_error=False
        )
        return True

    async def _older(self, engine: SyncDriver, lead_id: str, before: datetime) -> None:
        try:
            changed = await engine.fetch_older(lead_id, before)
        except Exception as exc:  # offline, refused: say so, keep what is shown
            self._app.notify(f"Could not fetch older messages: {exc}", markup=False, severity="warning")
            return
        if not changed:
            self._app.notify("That is the whole conversation.", markup=False, timeout=2)

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
        return self._app.run_worker(self._poll(self.engine), name="poll", group="poll", exit_on_error=False)

    def push(self) -> Worker[None] | None:
        if self.engine is None:
            return None
        return self._app.run_worker(self._push(self.engine), name="send", group="send", exit_on_error=False)

    async def _poll(self, engine: SyncDriver) -> None:
        delay = self._poll_seconds
        try:
            delay = await engine.poll_step()
        finally:
            if self.started:
                self._schedule(delay)

    async def _push(self, engine: SyncDriver) -> None:
        await engine.push_outbox()
