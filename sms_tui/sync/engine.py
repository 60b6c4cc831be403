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
from pathlib import Path

from sms_tui.config import Settings
from sms_tui.core.compliance import ComplianceRules
from sms_tui.core.drip import Pacing
from sms_tui.core.models import Attachment, Message
from sms_tui.provider import (
    AuthError,
    CloseClient,
    Offline,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from sms_tui.rules import bulk_pacing, compliance_rules, mms_countries, mms_limits
from sms_tui.store import Store
from sms_tui.sync.apply import apply_sms
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.campaigns import CampaignRunner
from sms_tui.sync.events import ConnectionState, FirstSyncProgress, PollPacer, SyncEvent
from sms_tui.sync.first_sync import Progress, Scope, refresh_account, run_first_sync
from sms_tui.sync.marks import SyncMarks
from sms_tui.sync.media import MediaCache, media_folder
from sms_tui.sync.outbox import DEFAULT_LEASE, OutboxPusher, PushReport, SendCounts
from sms_tui.sync.poll import WHOLE_LOG, EventPoller, EventQuery, PollReport
from sms_tui.sync.stops import ScheduledStops
from sms_tui.sync.store_cache import StoreCache, as_cache

log = logging.getLogger("sms_tui.sync")

Listener = Callable[[SyncEvent], None]
Wait = Callable[[asyncio.Event, float], Awaitable[None]]
#: How often run_forever looks at the outbox (sends are due at send_at; this is the lag at most).
PUSH_TICK = 0.5
#: A poll (all its pages and fetches) ends within this, or counts as failed and is retried later.
POLL_DEADLINE = 120.0
#: Before pushing due sends, new inbound is fetched unless a poll ended this recently (a STOP that
#: arrived during the undo window must block the send).
FRESH_ENOUGH = timedelta(seconds=1)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
    except TimeoutError:
        pass


#: The connection state each provider trouble puts the engine in (others keep the state, say why).
_STATES: dict[type[ProviderError], ConnectionState] = {
    RateLimited: "rate_limited",
    Offline: "offline",
    AuthError: "auth_failed",
    ProviderUnavailable: "unavailable",
}


@dataclass
class Totals(SendCounts):
    """What this engine did since it started (sends add up from each `PushReport`)."""

    new_replies: int = 0


class SyncEngine:
    def __init__(
        self,
        store: Store | SyncCache,
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
        scope: Scope | None = None,
        queries: tuple[EventQuery, ...] = WHOLE_LOG,
        pacing: Pacing | None = None,
    ) -> None:
        self.cache: SyncCache = as_cache(store)
        self.client = client
        self.now = now
        self.listener = listener
        self.settings = settings or Settings()
        self.owner = owner or f"engine-{uuid.uuid4().hex[:12]}"
        self.page_size = page_size
        self.scope = scope or Scope()
        self.state: ConnectionState = "online"
        self.detail: str | None = None
        self.last_poll: datetime | None = None
        self.totals = Totals()
        self.pacer = PollPacer(interval=self.settings.poll_interval, rng=rng or random.Random())
        self.poller = EventPoller(self.cache, client, now=now, queries=queries)
        self.marks = SyncMarks(self.cache)
        #: the send guard's rules: explicit ones, else those the settings configure ([quiet_hours])
        self.rules = rules if rules is not None else compliance_rules(self.settings)
        self.pusher = OutboxPusher(
            self.cache,
            client,
            now=now,
            owner=self.owner,
            lease=lease,
            rules=self.rules,
            mms_countries=mms_countries(self.settings),
            mms_limits=mms_limits(self.settings),
        )
        #: bulk campaigns: released into the outbox at each push (a test double cache has none)
        self.campaigns = (
            CampaignRunner(
                self.cache.store, now=now, rules=self.rules, pacing=pacing or bulk_pacing(self.settings)
            )
            if isinstance(self.cache, StoreCache)
            else None
        )
        self._wait = wait
        self._push_lock = asyncio.Lock()
        self._poll_lock = asyncio.Lock()
        self.stops = ScheduledStops(self.cache, self.pusher, self.campaigns)
        #: True once the cache is synced (first sync done, or a warm cache resumed)
        self.ready = False
        #: attachments fetched on the rep's request (sync.events.AttachmentFetcher)
        self.media = MediaCache(
            media_folder(getattr(store, "path", None), self.settings.resolved_data_dir()),
            max_bytes=int(self.settings.mms_cache_mb * 1024 * 1024),
        )

    def __repr__(self) -> str:
        return f"SyncEngine(owner={self.owner!r}, state={self.state!r})"

    # -- the operations ------------------------------------------------------------------------------

    @property
    def needs_first_sync(self) -> bool:
        return self.marks.first_sync_done() is None

    async def start(self, progress: Progress | None = None, *, full: bool = False) -> None:
        """The first sync if this cache never finished one (or `full`), else resume: one poll from
        the stored marks. Raises ProviderError after reporting the state."""
        if full:
            self.marks.forget_all()
        if self.needs_first_sync:
            await self.first_sync(progress)
        else:  # resume: one poll, then the account's three requests at once
            await self.poll_once()
            await self._refresh_account()
        self.ready = True

    async def _refresh_account(self) -> None:
        try:
            await refresh_account(self.cache, self.client, page_size=self.page_size)
        except ProviderError as exc:
            self._report_failure(exc)
            raise

    async def first_sync(self, progress: Progress | None = None) -> FirstSyncProgress:
        def relay(p: FirstSyncProgress) -> None:
            if progress is not None:
                progress(p)
            self._emit(frozenset(), progress=p)

        try:
            result = await run_first_sync(
                self.cache,
                self.client,
                progress=relay,
                now=self.now,
                page_size=self.page_size,
                scope=self.scope,
                written=lambda ids: self._emit(frozenset(ids)),
            )
        except ProviderError as exc:
            self._report_failure(exc)
            raise
        self.poller.start_from(result.started)
        self.marks.set_first_sync_done(result.started)
        changed = set(result.applied.changed_lead_ids)
        for phone in result.applied.opt_outs:  # a STOP in the history: nothing scheduled may go
            changed |= await self.stops.stop(phone)
        self._set_state(None)
        self.ready = True
        self._emit(frozenset(changed))
        return result.progress

    async def poll_once(self) -> PollReport:
        """Fetch new and changed SMS; raises ProviderError after reporting the state."""
        async with self._poll_lock:
            try:
                report = await self.poller.poll()
            except ProviderError as exc:
                self._report_failure(exc)
                raise
            self.last_poll = self.now()
        self._set_state(None)
        changed = await self._inbound(report)
        self._emit(frozenset(changed), new_inbound=tuple(report.new_inbound))
        return report

    async def _inbound(self, report: PollReport) -> set[str]:
        """After a poll: count the replies, tell the campaigns, and apply the STOPs."""
        self.totals.new_replies += len(report.new_inbound)
        changed = set(report.changed_lead_ids)
        if self.campaigns is not None and report.new_inbound:
            # in a thread: the app's sync runs on the UI's loop, and a poll may bring thousands
            await asyncio.to_thread(self.campaigns.inbound, report.new_inbound)
        for phone in report.opt_outs:
            changed |= await self.stops.stop(phone)
        return changed

    async def poll_step(self) -> float:
        """One poll, bounded by POLL_DEADLINE, never raising for provider trouble: returns how long
        to wait before the next (the pacer's call: the interval, longer when rate-limited or down).
        Until the engine has started (a first sync that failed, say), the step is another start."""
        if not self.ready:
            delay = await self._start_step(full=False)
            return self.pacer.ok() if self.ready else delay
        try:
            async with asyncio.timeout(POLL_DEADLINE):
                await self.poll_once()
                changed = await self.poller.backfill()
            if changed:
                self._emit(changed)
        except RateLimited as exc:
            return self.pacer.failed(exc.retry_after)
        except ProviderError:
            return self.pacer.failed()
        except TimeoutError:
            self.detail = f"A poll took longer than {POLL_DEADLINE:.0f} s; it will be retried."
            self._emit(frozenset())
            return self.pacer.failed()
        if isinstance(self.cache, StoreCache):  # in the background: phone facts for bulk previews
            await asyncio.to_thread(self.cache.store.fill_phone_facts, region=self.rules.default_region)
        info = self.client.rate_limit
        if info is None:
            return self.pacer.ok()
        return self.pacer.ok(info.remaining, info.reset)

    async def push_outbox(self) -> PushReport:
        """Send what is due; never raises for provider trouble (it is in the report and the state).
        New inbound is fetched first (one small request), so a STOP that came during the undo
        window blocks the send. Bulk campaigns release what is due into the outbox before that."""
        released = await self._run_campaigns()
        await self._fresh_inbound()
        async with self._push_lock:  # one push at a time per engine (the UI may ask while the loop runs)
            report = await self.pusher.push()
            await self.stops.push(report)
        report.changed_lead_ids |= released
        self.totals.add(report)
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

    async def _run_campaigns(self) -> set[str]:
        """One step of the campaign runner (sync/campaigns.py); returns the leads it changed."""
        if self.campaigns is None:
            return set()
        try:
            run = await self.campaigns.step()
        except Exception:  # a campaign's trouble must not hold up single sends
            log.exception("campaign step failed")
            return set()
        return run.changed_lead_ids

    async def _fresh_inbound(self) -> None:
        now = self.now()
        if self.needs_first_sync or not self.cache.has_due(now):
            return
        if self.last_poll is not None and now - self.last_poll < FRESH_ENOUGH:
            return
        try:
            report = await self.poller.fresh_inbound()
        except ProviderError as exc:  # the push reports the trouble if it meets it too
            log.info("no fresh inbound before pushing: %s", exc)
            return
        self.last_poll = now
        changed = await self._inbound(report)
        if changed or report.new_inbound:
            self._emit(frozenset(changed), new_inbound=tuple(report.new_inbound))

    def cached_attachment(self, attachment: Attachment, *, thumbnail: bool = False) -> Path | None:
        return self.media.cached(attachment, thumbnail=thumbnail)

    async def fetch_attachment(self, attachment: Attachment, *, thumbnail: bool = False) -> Path:
        return await self.media.fetch(self.client, attachment, thumbnail=thumbnail)

    async def fetch_older(self, lead_id: str, before: datetime, limit: int = 100) -> frozenset[str]:
        """Messages of a lead older than the cache holds (the first sync keeps a window): one page
        of `limit` more, on demand when the rep pages back."""
        page = await self.client.list_sms(lead_id=lead_id, date_created__lt=before, limit=limit)
        applied = apply_sms(self.cache, page.items, history=True)
        self._emit(frozenset(applied.changed_lead_ids))
        return frozenset(applied.changed_lead_ids)

    async def cancel_scheduled(self, local_id: int) -> frozenset[str]:
        """Cancel a message scheduled on the provider now (the UI may also just flag it in the store,
        and the next push does this)."""
        message = self.cache.get_message(local_id)
        if message is None or message.remote_id is None:
            return frozenset()
        changed = await self.pusher.cancel_scheduled(message)
        self._emit(changed)
        return changed

    # -- the loop ------------------------------------------------------------------------------------

    async def run_forever(self, stop: asyncio.Event, *, full: bool = False) -> None:
        """Push often and poll at the pacer's interval until `stop` is set. The first poll step
        starts the engine (first sync or resume) and is retried like any poll: a 429 or an outage
        is waited out, never an exit, and sends are not held up by a start that keeps failing."""
        if full:
            self.marks.forget_all()
        next_poll = self.now()
        next_push = self.now()
        push_failures = 0
        while not stop.is_set():
            try:
                if self.now() >= next_poll:
                    delay = await self.poll_step()
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

    async def _start_step(self, *, full: bool) -> float:
        try:
            await self.start(full=full)
        except RateLimited as exc:
            return self.pacer.failed(exc.retry_after)
        except ProviderError:
            return self.pacer.failed()
        return 0.0

    # -- state and listener --------------------------------------------------------------------------

    def _report_failure(self, problem: ProviderError) -> None:
        self._set_state(problem)
        self._emit(frozenset())

    def _set_state(self, problem: ProviderError | None) -> None:
        if problem is None:
            self.state, self.detail = "online", None
            return
        self.state = next((state for kind, state in _STATES.items() if isinstance(problem, kind)), self.state)
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
