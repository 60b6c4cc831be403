"""Where the sync stands, kept in the cache so that a restart resumes instead of starting over.

- `first_sync_done`: when the first sync of this cache finished (None: it never did). A warm cache
  never runs the first sync again unless the rep asks (`sms-tui sync --full`).
- one high-water mark per query (event-log query or list query): the newest `date_updated` (or
  `date_created`) it has seen. A query resumes a few minutes before its own mark, so two queries
  asked at different rates never lose each other's changes.
- `events_refused`: when the event log last refused this key (400/403): until an hour has passed the
  poll catches up with list queries instead.
- the leads to refresh (lead/contact events seen but not fetched yet), so none is forgotten.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sms_tui.sync.cache import SyncCache

FIRST_SYNC_KEY = "sync.first_sync_done"
MARKS_KEY = "sync.marks"
REFUSED_KEY = "sync.events_refused"
LEAD_QUEUE_KEY = "sync.leads_to_refresh"
#: written by sms-tui before marks existed: its first sync had finished, and events were read up to it
LEGACY_CURSOR_KEY = "sync.events_since"


def _parse(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _text(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


class SyncMarks:
    def __init__(self, cache: SyncCache) -> None:
        self.cache = cache

    # -- first sync ----------------------------------------------------------------------------------

    def first_sync_done(self) -> datetime | None:
        done = _parse(self.cache.get_value(FIRST_SYNC_KEY))
        return done or _parse(self.cache.get_value(LEGACY_CURSOR_KEY))

    def set_first_sync_done(self, when: datetime) -> None:
        self.cache.set_value(FIRST_SYNC_KEY, _text(when))

    def forget_all(self) -> None:
        """A full resync: the first sync runs again and every query starts over from its end."""
        for key in (FIRST_SYNC_KEY, LEGACY_CURSOR_KEY, MARKS_KEY, REFUSED_KEY):
            self.cache.set_value(key, "")

    # -- per-query marks -----------------------------------------------------------------------------

    def marks(self) -> dict[str, datetime]:
        try:
            raw = json.loads(self.cache.get_value(MARKS_KEY) or "{}")
        except ValueError:
            raw = {}
        found = {str(k): _parse(str(v)) for k, v in raw.items()} if isinstance(raw, dict) else {}
        return {k: v for k, v in found.items() if v is not None}

    def mark(self, key: str) -> datetime | None:
        found = self.marks().get(key)
        return found or _parse(self.cache.get_value(LEGACY_CURSOR_KEY)) or self.first_sync_done()

    def advance(self, updates: dict[str, datetime]) -> None:
        """Move marks forward (never back), all in one write."""
        marks = self.marks()
        for key, when in updates.items():
            held = marks.get(key)
            if held is None or when > held:
                marks[key] = when
        self.cache.set_value(MARKS_KEY, json.dumps({k: _text(v) for k, v in sorted(marks.items())}))

    def start_all_from(self, when: datetime, keys: tuple[str, ...]) -> None:
        self.cache.set_value(MARKS_KEY, json.dumps({k: _text(when) for k in keys}))

    # -- refused event log ---------------------------------------------------------------------------

    def events_refused(self) -> datetime | None:
        return _parse(self.cache.get_value(REFUSED_KEY))

    def set_events_refused(self, when: datetime | None) -> None:
        self.cache.set_value(REFUSED_KEY, "" if when is None else _text(when))

    # -- leads waiting for a refresh -----------------------------------------------------------------

    def lead_queue(self) -> list[str]:
        try:
            raw = json.loads(self.cache.get_value(LEAD_QUEUE_KEY) or "[]")
        except ValueError:
            return []
        return [str(x) for x in raw] if isinstance(raw, list) else []

    def set_lead_queue(self, lead_ids: list[str]) -> None:
        self.cache.set_value(LEAD_QUEUE_KEY, json.dumps(lead_ids))
