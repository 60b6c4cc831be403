"""The first sync: account, our numbers, templates, leads with contacts, SMS history.

Pages are written as they arrive (one transaction each), so a first sync that is interrupted keeps
what it fetched and simply starts over; every write is an upsert. The event-log high-water mark is
set to the time the sync *started*, so changes made while it ran are picked up by the first poll.
Opt-out state is derived from the history: for each phone, its latest STOP/START keyword wins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from sms_tui.core.compliance import classify_keyword
from sms_tui.provider import CloseClient
from sms_tui.provider import models as wire
from sms_tui.sync.cache import MergeResult, SyncCache
from sms_tui.sync.events import FirstSyncProgress

Progress = Callable[[FirstSyncProgress], None]
#: rows fetched ahead of the writer at most
MAX_PENDING = 5_000
#: a reply this recent that nobody answered yet shows as unread after the first sync
AWAITING_REPLY_WINDOW = timedelta(days=14)


async def run_first_sync(
    cache: SyncCache,
    client: CloseClient,
    *,
    progress: Progress | None,
    now: Callable[[], datetime],
    page_size: int = 100,
) -> tuple[FirstSyncProgress, datetime, set[str]]:
    """Returns the final counts, the start time (for the poll cursor) and the leads touched."""
    started = now()
    changed: set[str] = set()
    state = FirstSyncProgress(stage="account")

    def report(**changes: object) -> None:
        nonlocal state
        state = FirstSyncProgress(**{**_as_dict(state), **changes})  # type: ignore[arg-type]
        if progress is not None:
            progress(state)

    report(stage="account")
    me = await client.me()
    report(stage="numbers")
    numbers = await client.list_phone_numbers(page_size=page_size)
    report(stage="templates", numbers=len(numbers))
    templates = await client.list_templates(page_size=page_size)
    cache.save_account(me, numbers, templates)
    report(stage="leads", templates=len(templates))

    leads = contacts = 0
    async for page in client.iter_lead_pages(page_size=page_size):
        changed |= cache.save_leads(page.items)
        leads += len(page.items)
        contacts += sum(len(lead.contacts) for lead in page.items)
        report(leads=leads, contacts=contacts)

    report(stage="messages")
    keywords: dict[str, tuple[datetime, bool]] = {}
    written = 0
    # Pipelined: pages are fetched and validated here while a worker thread writes the previous
    # ones (SQLite releases the GIL while it works). Whatever arrived while the writer was busy is
    # written as one batch next, so a slow disk means bigger, cheaper transactions; at most
    # MAX_PENDING rows wait in memory. Writes stay in page order, one at a time.
    writing: asyncio.Task[MergeResult] | None = None
    in_flight = 0
    pending: list[wire.Sms] = []

    async def finish() -> None:
        nonlocal writing, written
        if writing is not None:
            changed.update((await writing).changed_lead_ids)
            writing = None
            written += in_flight
            report(messages=written)

    def start() -> None:
        nonlocal writing, pending, in_flight
        batch, pending, in_flight = tuple(pending), [], len(pending)
        writing = asyncio.create_task(asyncio.to_thread(cache.save_sms, batch, history=True))

    try:
        async for sms_page in client.iter_sms_history(page_size=page_size):
            pending.extend(sms_page.items)
            _note_keywords(sms_page.items, keywords)
            if writing is not None and (writing.done() or len(pending) >= MAX_PENDING):
                await finish()
            if writing is None:
                start()
    finally:  # also on failure: what was fetched and validated is written
        await finish()
        if pending:
            start()
            await finish()
    for phone, (when, opted_out) in keywords.items():
        changed |= cache.set_opted_out(phone, opted_out, when)
    changed |= await asyncio.to_thread(cache.mark_awaiting_reply, now() - AWAITING_REPLY_WINDOW)
    report(stage="done")
    return state, started, changed


def _note_keywords(items: tuple[wire.Sms, ...], keywords: dict[str, tuple[datetime, bool]]) -> None:
    for sms in items:
        if sms.direction != "inbound" or not sms.remote_phone:
            continue
        kind = classify_keyword(sms.text)
        if kind not in ("opt_out", "opt_in"):
            continue
        held = keywords.get(sms.remote_phone)
        if held is None or sms.date_created >= held[0]:
            keywords[sms.remote_phone] = (sms.date_created, kind == "opt_out")


def _as_dict(p: FirstSyncProgress) -> dict[str, object]:
    return {
        "stage": p.stage,
        "leads": p.leads,
        "contacts": p.contacts,
        "messages": p.messages,
        "templates": p.templates,
        "numbers": p.numbers,
    }
