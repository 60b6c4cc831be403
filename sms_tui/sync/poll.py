"""The incremental sync: the event log, read from stored marks (provider-api.md §a.10, §f).

One request per idle poll: the whole event log since this query's mark (Close accepts `/event/` with
no filter but `date_updated`), and the poll picks SMS (`created`, `updated`, `sent`, `deleted`), lead
and contact events from it. A poll with something to do costs more, and only what it needs:
- events are de-duplicated by (id, `date_updated`): Close consolidates recent events under the same
  id with a later `date_updated` and newer `data`, which is a change, not a repeat;
- each query re-scans `RESCAN` before its own high-water mark (events can show up late and out of
  order) and keeps its own mark (`marks.py`);
- events without `data` (non-admin keys after an hour) are fetched with `id__in`, 100 a request;
- the rep's own unsettled outbound SMS are re-read with `id__in` every poll, whatever the log says;
- a deleted SMS leaves the cache; a lead or contact event refreshes that lead (if the cache has it);
- nothing is written until every page and object is in hand and valid: a failed request leaves the
  cache and the marks as they were, and the next poll resumes from there.

When the event log cannot help — the mark is older than its 30-day retention, or the key is refused
(400/403) — the poll catches up with bounded list queries instead (`catchup.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sms_tui.core.models import Message
from sms_tui.provider import CloseClient, Forbidden, NotFound, ValidationError
from sms_tui.provider import models as wire
from sms_tui.sync.apply import Applied, apply_sms
from sms_tui.sync.cache import SyncCache
from sms_tui.sync.catchup import catch_up
from sms_tui.sync.first_sync import fetch_leads
from sms_tui.sync.marks import SyncMarks

RESCAN = timedelta(minutes=5)
UNSETTLED = timedelta(minutes=15)
#: Close keeps 30 days of events; a cache last polled before that catches up from the SMS list.
LOG_RETENTION = timedelta(days=29)
#: How long a refused event log is left alone before it is asked again.
REFUSED_RETRY = timedelta(hours=1)
#: Leads fetched per poll at most (the rest wait in the queue for the next polls).
LEADS_PER_POLL = 20
#: Stub leads (named by an SMS, not fetched yet) fetched per poll, 8 at a time.
STUBS_PER_POLL = 100
SMS_TYPE = "activity.sms"
LEAD_TYPES = frozenset({"lead", "contact"})


@dataclass(frozen=True, slots=True)
class EventQuery:
    """One event-log query; None means "any" (no such filter)."""

    object_type: str | None = None
    action: str | None = None

    @property
    def key(self) -> str:
        return f"events:{self.object_type or '*'}:{self.action or '*'}"


#: The whole log in one query (the idle poll's one request).
WHOLE_LOG = (EventQuery(),)
#: Per object type and action, for providers that want filters (each with its own mark).
PER_ACTION = (
    *(EventQuery(SMS_TYPE, a) for a in ("created", "updated", "sent", "deleted")),
    *(EventQuery(t, a) for t in ("lead", "contact") for a in ("created", "updated")),
)


@dataclass
class PollReport:
    changed_lead_ids: set[str] = field(default_factory=set)
    new_inbound: list[Message] = field(default_factory=list)
    requests: int = 0
    #: phones that just opted out
    opt_outs: list[str] = field(default_factory=list)
    events: int = 0
    caught_up: bool = False

    def add(self, applied: Applied) -> None:
        self.changed_lead_ids |= applied.changed_lead_ids
        self.new_inbound.extend(applied.new_inbound)
        self.opt_outs.extend(p for p in applied.opt_outs if p not in self.opt_outs)


@dataclass
class _Scan:
    """What the queries returned, before anything is written."""

    events: list[wire.Event] = field(default_factory=list)
    newest: dict[str, datetime] = field(default_factory=dict)


class EventPoller:
    def __init__(
        self,
        cache: SyncCache,
        client: CloseClient,
        *,
        now: Callable[[], datetime],
        queries: tuple[EventQuery, ...] = WHOLE_LOG,
    ) -> None:
        self.cache = cache
        self.client = client
        self.now = now
        self.queries = queries
        self.marks = SyncMarks(cache)
        self._seen: dict[str, datetime] = {}

    def start_from(self, when: datetime) -> None:
        """Every query starts at `when` (the first sync calls this with the time it started)."""
        self.marks.start_all_from(when, tuple(q.key for q in self.queries))

    def _since(self, query: EventQuery) -> datetime:
        return self.marks.mark(query.key) or (self.now() - RESCAN)

    def _log_usable(self, now: datetime) -> bool:
        refused = self.marks.events_refused()
        if refused is not None and now - refused < REFUSED_RETRY:
            return False
        return all(now - self._since(q) <= LOG_RETENTION for q in self.queries)

    async def poll(self) -> PollReport:
        """One poll. Everything is fetched and validated before anything is written."""
        report = PollReport()
        started = self.client.requests_sent
        now = self.now()
        try:
            if not self._log_usable(now):
                await self._catch_up(report, now)
                return report
            try:
                scan = await self._scan()
            except (ValidationError, Forbidden):
                # This key may not read the event log (Close: 400): list queries from now on.
                self.marks.set_events_refused(now)
                await self._catch_up(report, now)
                return report
            if self.marks.events_refused() is not None:
                self.marks.set_events_refused(None)
            await self._apply_scan(scan, report, now)
        finally:
            report.requests = self.client.requests_sent - started
        return report

    async def fresh_inbound(self) -> PollReport:
        """Right before a push: one small request for replies that arrived since the last poll (a
        STOP during the undo window must block the send). Only inbound SMS are applied; marks stay
        where they are, so the next poll still sees everything."""
        report = PollReport()
        started = self.client.requests_sent
        now = self.now()
        since = min((self._since(q) for q in self.queries), default=now) - RESCAN
        items: list[wire.Sms]
        if self._log_usable(now):
            page = await self.client.list_events(
                object_type=SMS_TYPE, action="created", date_updated__gt=since
            )
            items, _ = _from_events(e for e in page.events if e.data is not None)
        else:
            items = list((await self.client.list_sms(date_created__gt=since, limit=100)).items)
        report.add(apply_sms(self.cache, [s for s in items if s.direction == "inbound"]))
        report.requests = self.client.requests_sent - started
        return report

    async def _catch_up(self, report: PollReport, now: datetime) -> None:
        oldest = min((self._since(q) for q in self.queries), default=now - RESCAN)
        report.caught_up = True
        report.add(await catch_up(self.cache, self.client, self.marks, since=oldest, now=now))
        report.changed_lead_ids |= await self._fetch_stubs(report)
        if self.marks.events_refused() is None:
            self.start_from(now - RESCAN)  # the log reaches back to here again

    async def _scan(self) -> _Scan:
        scan = _Scan()
        for query in self.queries:
            since = self._since(query)
            newest = since
            async for event in self.client.iter_events(
                object_type=query.object_type, action=query.action, date_updated__gt=since - RESCAN
            ):
                scan.events.append(event)
                newest = max(newest, event.date_updated)
            scan.newest[query.key] = newest
        return scan

    async def _apply_scan(self, scan: _Scan, report: PollReport, now: datetime) -> None:
        fresh = [e for e in scan.events if self._is_new(e)]
        report.events = len(fresh)
        latest = _latest_per_sms(fresh)
        deleted = sorted(oid for oid, e in latest.items() if e.action == "deleted")
        kept = [e for e in latest.values() if e.action != "deleted"]
        items, missing = await asyncio.to_thread(_from_events, kept)  # 5,000 SMS to parse: not on the loop
        reread = set(missing) | set(self.cache.unsettled_outbound_ids(now - UNSETTLED, now, 100))
        fetched = await self.client.sms_by_ids(sorted(reread)) if reread else []
        merged = _newest_copies([*items, *fetched], exclude=set(deleted))
        touched = {e.lead_id for e in fresh if e.object_type in LEAD_TYPES and e.lead_id}
        leads = await self._fetch_leads(sorted(self.cache.known_lead_ids(sorted(touched))))
        # -- everything is in hand: write, in a thread. The app's sync runs on the UI's loop, and a
        # poll after a weekend writes thousands of messages (5,000: a 1.7-2.3 s freeze of the keys).
        report.add(await asyncio.to_thread(self._write, merged, deleted, leads))
        for event in fresh:
            self._seen[event.id] = event.date_updated
        self._advance(scan, now)
        report.changed_lead_ids |= await self._fetch_stubs(report)

    def _write(self, merged: list[wire.Sms], deleted: list[str], leads: Sequence[wire.Lead]) -> Applied:
        applied = apply_sms(self.cache, merged)
        applied.changed_lead_ids |= self.cache.delete_sms(deleted)
        if leads:
            applied.changed_lead_ids |= self.cache.save_leads(leads)
        return applied

    def _is_new(self, event: wire.Event) -> bool:
        held = self._seen.get(event.id)
        return held is None or event.date_updated > held

    def _advance(self, scan: _Scan, now: datetime) -> None:
        # A quiet log still moves its mark (to a little before now), so an idle week never looks
        # like a gap longer than the log's retention.
        marks = {key: max(newest, now - 2 * RESCAN) for key, newest in scan.newest.items()}
        self.marks.advance(marks)
        cutoff = min(scan.newest.values(), default=now) - 3 * RESCAN
        self._seen = {k: v for k, v in self._seen.items() if v >= cutoff}

    async def _fetch_leads(self, lead_ids: list[str]) -> list[wire.Lead]:
        """Fetch leads now, up to LEADS_PER_POLL; the others are queued for the next polls."""
        queue = list(dict.fromkeys([*self.marks.lead_queue(), *lead_ids]))
        leads = await self._get_leads(queue[:LEADS_PER_POLL])
        self.marks.set_lead_queue(queue[LEADS_PER_POLL:])
        return leads

    async def _get_leads(self, lead_ids: list[str]) -> list[wire.Lead]:
        leads: list[wire.Lead] = []
        for lead_id in lead_ids:
            try:
                leads.append(await self.client.get_lead(lead_id))
            except NotFound:
                continue
        return leads

    async def _fetch_stubs(self, report: PollReport) -> frozenset[str]:
        """A reply from a number no lead had makes the provider create a lead; the cache holds a
        stub for it until it is fetched here, in the same poll (the rep sees the name at once)."""
        stubs = self.cache.stubs_among(sorted(report.changed_lead_ids))[:STUBS_PER_POLL]
        if not stubs:
            return frozenset()
        return frozenset(await fetch_leads(self.cache, self.client, stubs))

    async def backfill(self) -> frozenset[str]:
        """Leads the first sync left as stubs (named by their phone), STUBS_PER_POLL at a time; the
        continuous sync calls this after each poll until none is left (then a poll is 1 request)."""
        stubs = self.cache.stub_lead_ids(STUBS_PER_POLL)
        if not stubs:
            return frozenset()
        return frozenset(await fetch_leads(self.cache, self.client, stubs))


_ACTION_ORDER = {"created": 0, "updated": 1, "sent": 2, "deleted": 3}


def _latest_per_sms(events: Iterable[wire.Event]) -> dict[str, wire.Event]:
    """The newest event of each SMS (on equal times the later action: deleted beats the rest)."""
    latest: dict[str, wire.Event] = {}
    for event in events:
        if event.object_type != SMS_TYPE:
            continue
        held = latest.get(event.object_id)
        rank = (event.date_updated, _ACTION_ORDER.get(event.action, 1))
        if held is None or rank >= (held.date_updated, _ACTION_ORDER.get(held.action, 1)):
            latest[event.object_id] = event
    return latest


def _from_events(events: Iterable[wire.Event]) -> tuple[list[wire.Sms], list[str]]:
    """SMS carried by the events, and the ids of those whose `data` the log did not show."""
    items: list[wire.Sms] = []
    missing: list[str] = []
    for event in events:
        if event.data is None:
            missing.append(event.object_id)
        else:
            items.append(wire.parse_sms({**event.data, "id": event.data.get("id", event.object_id)}))
    return items, missing


def _newest_copies(items: Iterable[wire.Sms], *, exclude: set[str]) -> list[wire.Sms]:
    best: dict[str, wire.Sms] = {}
    for sms in items:
        if sms.id in exclude:
            continue
        held = best.get(sms.id)
        if held is None or sms.date_updated >= held.date_updated:
            best[sms.id] = sms
    return sorted(best.values(), key=lambda s: (s.date_created, s.id))
