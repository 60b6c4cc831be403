"""The fake carrier's SQLite layout: which collections exist, their tables, indexes and columns.

`carrier.state.CarrierState` keeps the records and answers the queries; this module says how they
are stored: the small collections as JSON in `objects`, the large ones (lead, contact, sms, event)
in tables of their own with the columns their queries filter and order by (`COLUMNS`, `SCHEMA`),
how a stored row is read back safely (`decode`), how a connection is opened (`connect`), and the
read-only mapping views tests and tools use (`state.data[coll][id]`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from sms_tui.carrier.jsonsafe import loads_stored

Record = dict[str, Any]
log = logging.getLogger("sms_tui.carrier")

SMALL = ("organization", "user", "phone_number", "sms_template", "job")
LARGE = ("lead", "contact", "sms", "event")
COLLECTIONS = (*SMALL[:3], "lead", "contact", SMALL[3], "sms", "event", SMALL[4])
PRIVATE_PREFIX = "_x_"
STORAGE_VERSION = 2

#: the indexed columns of each large collection, filled from the record's fields
COLUMNS: dict[str, tuple[str, ...]] = {
    "lead": ("date_created", "date_updated", "display_name"),
    "contact": ("lead_id",),
    "sms": ("lead_id", "contact_id", "user_id", "date_created", "activity_at", "date_updated", "status"),
    "event": (
        "seq", "date_updated", "object_type", "object_id", "action", "lead_id", "user_id", "request_id",
        "visible_at",
    ),
}  # fmt: skip
SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (coll TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
                                    PRIMARY KEY (coll, id));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lead (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, date_created TEXT,
                                 date_updated TEXT, display_name TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS lead_created ON lead (date_created, id);
CREATE INDEX IF NOT EXISTS lead_updated ON lead (date_updated, id);
CREATE TABLE IF NOT EXISTS contact (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, lead_id TEXT,
                                    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS contact_lead ON contact (lead_id, rid);
CREATE TABLE IF NOT EXISTS contact_phone (phone TEXT NOT NULL, contact_id TEXT NOT NULL,
                                          PRIMARY KEY (phone, contact_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS contact_phone_contact ON contact_phone (contact_id);
CREATE TABLE IF NOT EXISTS sms (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, lead_id TEXT,
                                contact_id TEXT, user_id TEXT, date_created TEXT, activity_at TEXT,
                                date_updated TEXT, status TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sms_created ON sms (date_created, rid);
CREATE INDEX IF NOT EXISTS sms_lead ON sms (lead_id, date_created, rid);
CREATE INDEX IF NOT EXISTS sms_contact ON sms (contact_id, date_created);
CREATE INDEX IF NOT EXISTS sms_user ON sms (user_id, date_created);
CREATE INDEX IF NOT EXISTS sms_activity ON sms (activity_at, rid);
CREATE INDEX IF NOT EXISTS sms_updated ON sms (date_updated, rid);
CREATE TABLE IF NOT EXISTS event (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, seq INTEGER NOT NULL,
                                  date_updated TEXT, object_type TEXT, object_id TEXT, action TEXT,
                                  lead_id TEXT, user_id TEXT, request_id TEXT, visible_at TEXT,
                                  data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_seq ON event (seq);
CREATE INDEX IF NOT EXISTS event_type ON event (object_type, action, seq);
CREATE INDEX IF NOT EXISTS event_object ON event (object_id, seq);
CREATE INDEX IF NOT EXISTS event_lead ON event (lead_id, seq);
CREATE INDEX IF NOT EXISTS event_user ON event (user_id, seq);
CREATE INDEX IF NOT EXISTS event_request ON event (request_id, seq);
"""


def public(record: Record) -> Record:
    """The record without its private keys, ready to be sent."""
    return {k: v for k, v in record.items() if not k.startswith(PRIVATE_PREFIX)}


def decode(coll: str, rid: str, raw: str) -> Record | None:
    """A stored row as a record; None (and a warning) for one that is not a JSON object with its id,
    e.g. a file edited by hand or cut short: skipped, so it cannot take the API down."""
    try:
        record = loads_stored(raw)
    except (ValueError, RecursionError):
        record = None
    if not isinstance(record, dict) or record.get("id") != rid:
        log.warning("skipping an unreadable %s row (id %r) in the carrier's database", coll, rid)
        return None
    return record


def column_values(coll: str, record: Record) -> list[Any]:
    if coll == "event":
        return [
            record.get("_x_seq", 0),
            *(record.get(c) for c in COLUMNS[coll][1:-1]),
            record.get("_x_visible_at"),
        ]
    return [record.get(c) for c in COLUMNS[coll]]


def connect(path: Path | None) -> sqlite3.Connection:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # One connection, used from whichever thread serves requests; CarrierState serialises access.
    conn = sqlite3.connect(path or ":memory:", check_same_thread=False)
    if path is not None:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


def migrate(conn: sqlite3.Connection, write: Callable[[str, Record], None]) -> None:
    """Move an older carrier's large collections out of `objects` into their tables (once)."""
    rows = conn.execute(
        "SELECT 1 FROM objects WHERE coll IN ('lead', 'contact', 'sms', 'event') LIMIT 1"
    ).fetchone()
    if rows is None:
        return
    with conn:
        for coll in LARGE:
            cur = conn.execute("SELECT id, data FROM objects WHERE coll = ? ORDER BY rowid", (coll,))
            for rid, raw in cur.fetchall():
                record = decode(coll, rid, raw)
                if record is not None:
                    write(coll, record)
        conn.execute("DELETE FROM objects WHERE coll IN ('lead', 'contact', 'sms', 'event')")


class RecordSource(Protocol):
    """What the views read: `CarrierState`'s record access."""

    def count(self, coll: str) -> int: ...
    def all(self, coll: str) -> Iterator[Record]: ...
    def get(self, coll: str, rid: str) -> Record | None: ...


class CollectionView:
    """`state.data[coll]`: a read-only mapping over one collection (for tests and tools)."""

    def __init__(self, state: RecordSource, coll: str) -> None:
        self.state, self.coll = state, coll

    def __len__(self) -> int:
        return self.state.count(self.coll)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[str]:
        return (r["id"] for r in self.state.all(self.coll))

    def __contains__(self, rid: object) -> bool:
        return isinstance(rid, str) and self.state.get(self.coll, rid) is not None

    def __getitem__(self, rid: str) -> Record:
        record = self.state.get(self.coll, rid)
        if record is None:
            raise KeyError(rid)
        return record

    def get(self, rid: str, default: Record | None = None) -> Record | None:
        return self.state.get(self.coll, rid) or default

    def values(self) -> Iterator[Record]:
        return self.state.all(self.coll)

    def items(self) -> Iterator[tuple[str, Record]]:
        return ((r["id"], r) for r in self.state.all(self.coll))


class DataView:
    def __init__(self, state: RecordSource) -> None:
        self.state = state

    def __getitem__(self, coll: str) -> CollectionView:
        if coll not in COLLECTIONS:
            raise KeyError(coll)
        return CollectionView(self.state, coll)

    def __iter__(self) -> Iterator[str]:
        return iter(COLLECTIONS)
