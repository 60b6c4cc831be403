"""Polling the event log for replies and status changes (provider-api.md §a.10).

Close only accepts `object_type` together with an `action`, so "every SMS change" is two queries:
`action=created` (replies, and SMS made elsewhere) and `action=updated` (status changes). An idle
inbox needs only the first: `updated` is asked when an outbound message may still change status
(in flight, scheduled, or sent in the last `UNSETTLED` minutes, when late delivery errors come)
and otherwise every `FULL_EVERY`-th poll, to catch changes made in other apps. So an idle poll is
one small request.

Each query re-scans the last `RESCAN` before the newest event seen (the log consolidates and
reorders recent updates) and skips events already applied (ids kept for the re-scan window).
Applying an event is idempotent anyway (upsert by remote id), so forgetting the seen ids on a
restart costs a few rows of work, never a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sms_tui.core.compliance import classify_keyword
from sms_tui.core.models import Message
from sms_tui.provider import CloseClient, NotFound
from sms_tui.provider import models as wire
from sms_tui.sync.cache import SyncCache

RESCAN = timedelta(minutes=5)
UNSETTLED = timedelta(minutes=15)
FULL_EVERY = 4
CURSOR_KEY = "sync.events_since"
#: Close keeps 30 days of events; a cache last polled before that catches up from the SMS list.
LOG_RETENTION = timedelta(days=29)


@dataclass
class PollReport:
    changed_lead_ids: set[str] = field(default_factory=set)
    new_inbound: list[Message] = field(default_factory=list)
    requests: int = 0
    opt_outs: list[str] = field(default_factory=list)  # phones that just opted out


class EventPoller:
    def __init__(self, cache: SyncCache, client: CloseClient, *, now: Callable[[], datetime]) -> None:
        self.cache = cache
        self.client = client
        self.now = now
        self.polls = 0
        self._seen: dict[str, datetime] = {}

    def since(self) -> datetime:
        raw = self.cache.get_value(CURSOR_KEY)
        if raw:
            return datetime.fromisoformat(raw)
        return self.now() - RESCAN

    def start_from(self, when: datetime) -> None:
        """Set the high-water mark (the first sync calls this with the time it started)."""
        self.cache.set_value(CURSOR_KEY, when.astimezone(UTC).isoformat())

    async def poll(self) -> PollReport:
        """One poll. Everything is fetched and validated before anything is written."""
        report = PollReport()
        since = self.since()
        if self.now() - since > LOG_RETENTION:
            return await self._catch_up(since, report)
        actions = ["created"]
        now = self.now()
        if self.polls % FULL_EVERY == 0 or self.cache.has_unsettled_outbound(now - UNSETTLED, now):
            actions.append("updated")
        self.polls += 1
        latest: dict[str, wire.Event] = {}
        fetched: list[wire.Event] = []  # every new event, also those a newer one of the same SMS hides
        newest = since
        for action in actions:
            cursor: str | None = None
            while True:
                page = await self.client.list_events(
                    object_type="activity.sms",
                    action=action,
                    date_updated__gt=since - RESCAN,
                    cursor=cursor,
                )
                report.requests += 1
                for event in page.events:
                    newest = max(newest, event.date_updated)
                    if event.id in self._seen:
                        continue
                    fetched.append(event)
                    held = latest.get(event.object_id)
                    if held is None or event.date_updated >= held.date_updated:
                        latest[event.object_id] = event
                if not page.cursor_next or not page.events:
                    break
                cursor = page.cursor_next
        items = await self._objects(latest.values(), report)
        if items:
            merged = self.cache.save_sms(items)
            report.changed_lead_ids |= merged.changed_lead_ids
            report.new_inbound.extend(merged.new_inbound)
            for msg in sorted(merged.new_inbound, key=lambda m: m.date_created or since):
                report.changed_lead_ids |= self._keyword(msg, report)
        # All of them are handled now: an older event of an SMS must not be replayed by a later
        # poll that asks for fewer actions (it would carry a stale status).
        for event in fetched:
            self._seen[event.id] = event.date_updated
        report.changed_lead_ids |= await self._fetch_stub_leads(report)
        self._forget_before(newest - 2 * RESCAN)
        if newest > since:
            self.start_from(newest)
        return report

    async def _catch_up(self, since: datetime, report: PollReport) -> PollReport:
        """The event log no longer reaches back to `since`: list the SMS created since then
        instead (status changes of older messages are not recoverable this way)."""
        started = self.now()
        items = [
            sms
            async for page in self.client.iter_sms_history(page_size=100, date_created__gte=since - RESCAN)
            for sms in page.items
        ]
        report.requests += 1
        merged = self.cache.save_sms(items)
        report.changed_lead_ids |= merged.changed_lead_ids
        report.new_inbound.extend(merged.new_inbound)
        for msg in sorted(merged.new_inbound, key=lambda m: m.date_created or since):
            report.changed_lead_ids |= self._keyword(msg, report)
        self.start_from(started)
        return report

    async def _objects(self, events: Iterable[wire.Event], report: PollReport) -> list[wire.Sms]:
        items: list[wire.Sms] = []
        for event in sorted(events, key=lambda e: e.date_updated):
            if event.action == "deleted":
                continue
            if event.data is not None:
                items.append(wire.parse_sms({**event.data, "id": event.data.get("id", event.object_id)}))
                continue
            try:  # the log may omit `data` (non-admins after 1 h): fetch the object itself
                items.append(await self.client.get_sms(event.object_id))
                report.requests += 1
            except NotFound:
                continue
        return items

    async def _fetch_stub_leads(self, report: PollReport, limit: int = 20) -> frozenset[str]:
        """A reply from a number no lead had makes the provider create a lead; the cache holds a
        stub for it until it is fetched here."""
        leads = []
        for lead_id in self.cache.stub_lead_ids(limit):
            try:
                leads.append(await self.client.get_lead(lead_id))
            except NotFound:
                continue
            report.requests += 1
        return self.cache.save_leads(leads) if leads else frozenset()

    def _keyword(self, msg: Message, report: PollReport) -> frozenset[str]:
        """Inbound STOP/START update the phone's opt-out state (HELP is answered by the carrier)."""
        if msg.direction != "inbound" or not msg.remote_phone:
            return frozenset()
        kind = classify_keyword(msg.text)
        when = msg.date_created or self.now()
        if kind == "opt_out":
            report.opt_outs.append(msg.remote_phone)
            return self.cache.set_opted_out(msg.remote_phone, True, when)
        if kind == "opt_in":
            return self.cache.set_opted_out(msg.remote_phone, False, when)
        return frozenset()

    def _forget_before(self, cutoff: datetime) -> None:
        for event_id in [k for k, v in self._seen.items() if v < cutoff]:
            del self._seen[event_id]
