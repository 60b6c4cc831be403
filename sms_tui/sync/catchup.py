"""Catching up without the event log: bounded list queries from a mark.

Used when the event log cannot help: the cache was last polled longer ago than the log's retention
(30 days), or the key may not read the log (Close answers 400). What it recovers:
- every SMS created since the mark (`date_created__gt`, newest first, in date windows below the
  `_skip` cap: `CloseClient.iter_sms_history`);
- the current state of the rep's unsettled outbound SMS (`id__in`, 100 a request).
What it cannot see: deletions, and status changes of older messages that are no longer unsettled.
Costs one request when nothing happened. The list query keeps its own mark (`LIST_KEY`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sms_tui.provider import CloseClient
from sms_tui.provider import models as wire
from sms_tui.sync.apply import Applied, apply_sms
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.marks import SyncMarks

LIST_KEY = "list:activity.sms:date_created"
#: the list is re-read this far before its mark (SMS stored late, clock skew)
OVERLAP = timedelta(minutes=5)
UNSETTLED = timedelta(minutes=15)


async def catch_up(
    cache: SyncCache, client: CloseClient, marks: SyncMarks, *, since: datetime, now: datetime
) -> Applied:
    """Fetch everything first, then write it in one go and move the list mark."""
    start = max(since, marks.mark(LIST_KEY) or since) - OVERLAP
    items: list[wire.Sms] = [
        sms async for page in client.iter_sms_history(date_created__gt=start) for sms in page.items
    ]
    seen = {s.id for s in items}
    unsettled = [i for i in cache.unsettled_outbound_ids(now - UNSETTLED, now, 100) if i not in seen]
    if unsettled:
        items.extend(await client.sms_by_ids(unsettled))
    applied = await asyncio.to_thread(apply_sms, cache, items)  # off the UI's loop: a month of SMS
    newest = max((s.date_created for s in items), default=start + OVERLAP)
    marks.advance({LIST_KEY: max(newest, now - 2 * OVERLAP)})
    return applied
