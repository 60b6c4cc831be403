"""The first sync of a cache: account, the rep's numbers, templates, recent conversations, their leads.

Bounded and scoped to the rep (issue 9 item 2): the SMS of the last `history_days` (default 90) on
the numbers the rep may send from (their own and the group numbers they are in; `org_wide` takes
every number), then the leads those SMS name. Older messages of a lead come on demand
(`SyncEngine.fetch_older`). The SMS list is walked newest first in date windows below Close's
`_skip` cap, so the inbox fills from the most recent conversations while the sync runs: each page is
written as it arrives (its lead shows at once, named by its phone until the lead is fetched).

Interrupted, it keeps what it wrote and simply starts over (every write is an upsert); only a
finished first sync is recorded (`marks.first_sync_done`), and the event-log marks start at the time
it *started*, so changes made while it ran are picked up by the first poll. Opt-out state comes from
the history: per phone, its latest STOP/START (or carrier refusal 21610) wins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sms_tui.provider import CloseClient, NotFound
from sms_tui.provider import models as wire
from sms_tui.sync.apply import Applied, Word, apply_sms, apply_words
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.events import FirstSyncProgress
from sms_tui.sync.numbers import usable_numbers

Progress = Callable[[FirstSyncProgress], None]
#: rows fetched ahead of the writer at most
MAX_PENDING = 5_000
#: a reply this recent that nobody answered yet shows as unread after the first sync
AWAITING_REPLY_WINDOW = timedelta(days=14)
#: leads fetched at once (each is one GET; the client waits out 429s)
LEAD_CONCURRENCY = 8
#: the first sync fetches the leads of this many most recent conversations; the others stay stubs
#: (named by their phone) that the polls fetch a few at a time, so a window that touches tens of
#: thousands of leads does not hold the first sync for tens of thousands of requests
FIRST_SYNC_LEADS = 500


@dataclass(frozen=True, slots=True)
class Scope:
    history_days: int = 90
    org_wide: bool = False


@dataclass
class FirstSyncResult:
    progress: FirstSyncProgress
    started: datetime
    applied: Applied


async def run_first_sync(
    cache: SyncCache,
    client: CloseClient,
    *,
    progress: Progress | None,
    now: Callable[[], datetime],
    page_size: int = 100,
    scope: Scope = Scope(),
    written: Callable[[set[str]], None] | None = None,
) -> FirstSyncResult:
    """`progress` gets the counts as they grow; `written` the leads each batch wrote, so the inbox
    shows conversations while the first sync runs."""
    started = now()
    state = FirstSyncProgress(stage="account")

    def report(**changes: int | str) -> None:
        nonlocal state
        state = replace(state, **changes)  # type: ignore[arg-type]
        if progress is not None:
            progress(state)

    report(stage="account")
    me, numbers, templates = await refresh_account(cache, client, page_size=page_size)
    report(stage="templates", numbers=len(numbers), templates=len(templates))
    mine = None if scope.org_wide else {n.number for n in usable_numbers(numbers, me.id)}
    report(stage="messages")
    named: dict[str, None] = {}  # lead ids, most recent conversation first
    since = started - timedelta(days=scope.history_days)
    applied = await _messages(cache, client, since, mine, named, report, written)
    report(stage="leads")
    recent = list(named)[:FIRST_SYNC_LEADS]
    applied.changed_lead_ids |= await fetch_leads(cache, client, recent, report, written)
    applied.changed_lead_ids |= await asyncio.to_thread(
        cache.mark_awaiting_reply, now() - AWAITING_REPLY_WINDOW
    )
    report(stage="done")
    return FirstSyncResult(progress=state, started=started, applied=applied)


async def refresh_account(
    cache: SyncCache, client: CloseClient, *, page_size: int = 100
) -> tuple[wire.Me, list[wire.PhoneNumber], list[wire.SmsTemplate]]:
    """The rep, the org's numbers and the templates (three requests, at once; every start does
    this, so a number reassigned or a template edited in Close shows at the next launch)."""
    me, numbers, templates = await asyncio.gather(
        client.me(),
        client.list_phone_numbers(page_size=page_size),
        client.list_templates(page_size=page_size),
    )
    cache.save_account(me, numbers, templates)
    return me, numbers, templates


async def _messages(
    cache: SyncCache,
    client: CloseClient,
    since: datetime,
    mine: set[str] | None,
    named: dict[str, None],
    report: Callable[..., None],
    written: Callable[[set[str]], None] | None,
) -> Applied:
    """The SMS history: fetched and validated here while a worker thread writes the pages before
    (SQLite releases the GIL). What arrived while the writer was busy is written as one batch next,
    so a slow disk means fewer, bigger transactions; at most MAX_PENDING rows wait in memory."""
    applied = Applied()
    words: dict[str, Word] = {}
    writing: asyncio.Task[Applied] | None = None
    pending: list[wire.Sms] = []
    count = 0

    async def finish() -> None:
        nonlocal writing
        if writing is not None:
            batch = await writing
            applied.merge(batch)
            writing = None
            report(messages=count)
            if written is not None and batch.changed_lead_ids:
                written(batch.changed_lead_ids)

    def start() -> None:
        nonlocal writing, pending, count
        batch, pending = tuple(pending), []
        count += len(batch)
        writing = asyncio.create_task(asyncio.to_thread(apply_sms, cache, batch, history=True, words=words))

    try:
        async for page in client.iter_sms_history(date_created__gte=since):
            kept = [s for s in page.items if mine is None or s.local_phone in mine]
            named.update((s.lead_id, None) for s in kept if s.lead_id)
            pending.extend(kept)
            if writing is not None and (writing.done() or len(pending) >= MAX_PENDING):
                await finish()
            if writing is None and pending:
                start()
    finally:  # also on failure: what was fetched and validated is written
        await finish()
        if pending:
            start()
            await finish()
    applied.merge(await asyncio.to_thread(apply_words, cache, words))
    return applied


async def fetch_leads(
    cache: SyncCache,
    client: CloseClient,
    lead_ids: list[str],
    report: Callable[..., None] | None = None,
    written: Callable[[set[str]], None] | None = None,
) -> set[str]:
    """Fetch these leads, LEAD_CONCURRENCY at a time, writing each hundred as it comes (a lead
    that is gone is skipped). Returns the leads written."""
    changed: set[str] = set()
    gate = asyncio.Semaphore(LEAD_CONCURRENCY)
    fetched = contacts = 0

    async def one(lead_id: str) -> wire.Lead | None:
        async with gate:
            try:
                return await client.get_lead(lead_id)
            except NotFound:
                return None

    for i in range(0, len(lead_ids), 100):
        chunk = lead_ids[i : i + 100]
        found = await asyncio.gather(*(one(x) for x in chunk))
        leads = [lead for lead in found if lead is not None]
        gone = [lead_id for lead_id, lead in zip(chunk, found, strict=True) if lead is None]
        if gone:
            cache.settle_stubs(gone)
        if leads:
            saved = cache.save_leads(leads)
            changed |= saved
            if written is not None:
                written(set(saved))
        fetched += len(leads)
        contacts += sum(len(lead.contacts) for lead in leads)
        if report is not None:
            report(leads=fetched, contacts=contacts)
    return changed
