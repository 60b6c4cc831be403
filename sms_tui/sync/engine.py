"""`SyncEngine`: the only code that talks to the provider (DESIGN.md, "The one rule of the data flow").

It owns no state that matters beyond the cache: drop it at any moment (crash, cancellation) and a
new engine over the same cache carries on — claims expire after a lease and are reconciled.
The connection state (online / offline / rate_limited / unavailable / auth_failed) and what changed
are reported to the listener after every batch.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sms_tui.config import Settings
from sms_tui.core.compliance import ComplianceRules
from sms_tui.core.models import Message
from sms_tui.provider import (
    AuthError,
    CloseClient,
    Offline,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from sms_tui.rules import compliance_rules
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.events import ConnectionState, FirstSyncProgress, PollPacer, SyncEvent
from sms_tui.sync.first_sync import Progress, run_first_sync
from sms_tui.sync.outbox import DEFAULT_LEASE, OutboxPusher, PushReport
from sms_tui.sync.poll import EventPoller, PollReport

log = logging.getLogger("sms_tui.sync")

Listener = Callable[[SyncEvent], None]
Wait = Callable[[asyncio.Event, float], Awaitable[None]]
#: How often run_forever looks at the outbox (sends are due at send_at; this is the lag at most).
PUSH_TICK = 0.5


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        pass


@dataclass
class Totals:
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    new_replies: int = 0
    found: int = 0
    absent: int = 0


class SyncEngine:
    def __init__(
        self,
        store: object,
        client: CloseClient,
        *,
        now: Callable[[], datetime],
        listener: Listener | None = None,
        settings: Settings | None = None,
        rules: ComplianceRules | None = None,
        lease: timedelta = DEFAULT_LEASE,
        owner: str | None = None,
        rng: random.Random | None = None,
        wait: Wait = _wait,
        page_size: int = 100,
    ) -> None:
        from sms_tui.sync.store_cache import as_cache

        self.cache: SyncCache = as_cache(store)
        self.client = client
        self.now = now
        self.listener = listener
        self.settings = settings or Settings()
        self.owner = owner or f"engine-{uuid.uuid4().hex[:12]}"
        self.page_size = page_size
        self.state: ConnectionState = "online"
        self.detail: str | None = None
        self.last_poll: datetime | None = None
        self.totals = Totals()
        self.pacer = PollPacer(interval=self.settings.poll_interval, rng=rng or random.Random())
        self.poller = EventPoller(self.cache, client, now=now)
        #: the send guard's rules: explicit ones, else those the settings configure ([quiet_hours])
        self.rules = rules if rules is not None else compliance_rules(self.settings)
        self.pusher = OutboxPusher(
            self.cache, client, now=now, owner=self.owner, lease=lease, rules=self.rules
        )
        self._wait = wait
        self._push_lock = asyncio.Lock()
        #: phones that sent STOP whose provider-scheduled messages could not be removed yet
        self._stops_to_apply: set[str] = set()

    def __repr__(self) -> str:
        return f"SyncEngine(owner={self.owner!r}, state={self.state!r})"

    # -- the three operations ------------------------------------------------------------------------

    async def first_sync(self, progress: Progress | None = None) -> FirstSyncProgress:
        def relay(p: FirstSyncProgress) -> None:
            if progress is not None:
                progress(p)
            self._emit(frozenset(), progress=p)

        try:
            result, started, changed = await run_first_sync(
                self.cache, self.client, progress=relay, now=self.now, page_size=self.page_size
            )
        except ProviderError as exc:
            self._set_state(exc)
            self._emit(frozenset())
            raise
        self.poller.start_from(started)
        self._set_state(None)
        self._emit(frozenset(changed))
        return result

    async def poll_once(self) -> PollReport:
        """Fetch new and changed SMS; raises ProviderError after reporting the state."""
        try:
            report = await self.poller.poll()
        except ProviderError as exc:
            self._set_state(exc)
            self._emit(frozenset())
            raise
        self.last_poll = self.now()
        self._set_state(None)
        self.totals.new_replies += len(report.new_inbound)
        changed = set(report.changed_lead_ids)
        for phone in report.opt_outs:
            changed |= await self._cancel_scheduled_to(phone)
        self._emit(frozenset(changed), new_inbound=tuple(report.new_inbound))
        return report

    async def push_outbox(self) -> PushReport:
        """Send what is due; never raises for provider trouble (it is in the report and the state)."""
        async with self._push_lock:  # one push at a time per engine (the UI may ask while the loop runs)
            report = await self.pusher.push()
            await self._push_cancels(report)
        self.totals.sent += report.sent
        self.totals.failed += report.failed
        self.totals.blocked += report.blocked
        self.totals.found += report.found
        self.totals.absent += report.absent
        if report.problem is not None:
            self._set_state(report.problem)
        elif report.sent or report.failed or report.blocked:
            self._set_state(None)
        if report.changed_lead_ids or report.problem is not None:
            self._emit(
                frozenset(report.changed_lead_ids),
                sent=report.sent,
                failed=report.failed,
                blocked=report.blocked,
            )
        return report

    async def cancel_scheduled(self, local_id: int) -> frozenset[str]:
        """Cancel a message scheduled on the provider now (the UI may also just flag it in the store,
        and the next push does this)."""
        message = self.cache.get_message(local_id)
        if message is None or message.remote_id is None:
            return frozenset()
        changed = await self.pusher.cancel_scheduled(message)
        self._emit(changed)
        return changed

    async def _push_cancels(self, report: PushReport) -> None:
        for phone in sorted(self._stops_to_apply):
            self._stops_to_apply.discard(phone)
            report.changed_lead_ids |= await self._cancel_scheduled_to(phone)
        for message in self.cache.pending_cancels():
            try:
                report.changed_lead_ids |= await self.pusher.cancel_scheduled(message)
            except ProviderError as exc:
                report.problem = report.problem or exc
                return

    async def _cancel_scheduled_to(self, phone: str) -> set[str]:
        """A STOP arrived: scheduled messages to that phone must not go out."""
        changed: set[str] = set()
        reason = "The contact opted out (replied STOP) before this scheduled text was sent."
        for message in self.cache.scheduled_to(phone):
            try:
                changed |= await self.pusher.block_scheduled(message, reason)
            except ProviderError as exc:
                log.warning("could not cancel scheduled message %s yet: %s", message.local_id, exc)
                self._stops_to_apply.add(phone)  # retried by every push until it works
        return changed

    # -- the loop ------------------------------------------------------------------------------------

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Push often, poll at the (backed-off) interval, until `stop` is set."""
        next_poll = self.now()
        next_push = self.now()
        push_failures = 0
        while not stop.is_set():
            try:
                if self.now() >= next_poll:
                    delay = await self._poll_for_loop()
                    next_poll = self.now() + timedelta(seconds=delay)
                    self._emit(frozenset(), next_poll_in=delay)
                if self.now() >= next_push:
                    report = await self.push_outbox()
                    # Provider trouble: push less often (1, 2, 4 … 30 s) instead of every tick.
                    push_failures = push_failures + 1 if report.problem is not None else 0
                    pause = min(30.0, 2.0 ** (push_failures - 1)) if push_failures else 0.0
                    next_push = self.now() + timedelta(seconds=pause)
            except Exception as exc:  # the loop must outlive a locked cache or a bug in one batch
                log.exception("sync loop step failed")
                self.detail = f"Sync hit a problem and will retry: {type(exc).__name__}"
                self._emit(frozenset())
                await self._wait(stop, self.pacer.failed())
                continue
            if stop.is_set():
                break
            until_poll = (next_poll - self.now()).total_seconds()
            await self._wait(stop, min(PUSH_TICK, max(0.0, until_poll)) if until_poll > 0 else 0.0)

    async def _poll_for_loop(self) -> float:
        try:
            await self.poll_once()
        except RateLimited as exc:
            return self.pacer.failed(exc.retry_after)
        except ProviderError:
            return self.pacer.failed()
        info = self.client.rate_limit
        if info is None:
            return self.pacer.ok()
        return self.pacer.ok(info.remaining, info.reset)

    # -- state and listener --------------------------------------------------------------------------

    def _set_state(self, problem: ProviderError | None) -> None:
        if problem is None:
            self.state, self.detail = "online", None
        elif isinstance(problem, RateLimited):
            self.state, self.detail = "rate_limited", problem.message
        elif isinstance(problem, Offline):
            self.state, self.detail = "offline", problem.message
        elif isinstance(problem, AuthError):
            self.state, self.detail = "auth_failed", problem.message
        elif isinstance(problem, ProviderUnavailable):
            self.state, self.detail = "unavailable", problem.message
        else:
            self.detail = problem.message

    def _emit(
        self,
        changed: frozenset[str],
        *,
        new_inbound: tuple[Message, ...] = (),
        sent: int = 0,
        failed: int = 0,
        blocked: int = 0,
        progress: FirstSyncProgress | None = None,
        next_poll_in: float | None = None,
    ) -> None:
        if self.listener is None:
            return
        event = SyncEvent(
            changed_lead_ids=changed,
            state=self.state,
            last_poll=self.last_poll,
            new_inbound=new_inbound,
            sent=sent,
            failed=failed,
            blocked=blocked,
            detail=self.detail,
            next_poll_in=next_poll_in,
            progress=progress,
        )
        try:
            self.listener(event)
        except Exception:  # a broken listener must not stop sending
            log.exception("sync listener failed")
