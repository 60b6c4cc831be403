"""Everything the fake carrier knows, as Close-shaped JSON records, in SQLite (a file with --db, else
memory), read on demand so a carrier on a 1M-SMS database starts at once.

Records are plain dicts in the shape the API returns; keys starting with `_x_` are private and never
leave the server. Ids are derived from the seed and a counter, so the same seed yields the same ids.

- Small collections (organization, user, phone_number, sms_template, job) live in memory and in the
  `objects(coll, id, data)` table, loaded at start.
- Large ones (lead, contact, sms, event) live in their own tables with the columns their queries
  filter and order by, indexed; `query()` reads them page by page. A record read or written during
  a request stays in an identity map until `flush()`, so code can change it in place and `touch()` it.
- Writes go to SQLite at once (so queries in the same request see them) inside one transaction that
  `flush()` commits at the end of each request.

A database written by an older carrier (everything in `objects`) is moved into the new tables the
first time it is opened.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sms_tui.carrier.jsonsafe import loads_stored

Record = dict[str, Any]
log = logging.getLogger("sms_tui.carrier")

SMALL = ("organization", "user", "phone_number", "sms_template", "job")
LARGE = ("lead", "contact", "sms", "event")
COLLECTIONS = (*SMALL[:3], "lead", "contact", SMALL[3], "sms", "event", SMALL[4])
PRIVATE_PREFIX = "_x_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
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
_SCHEMA = """
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


def _decode(coll: str, rid: str, raw: str) -> Record | None:
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


def _column_values(coll: str, record: Record) -> list[Any]:
    if coll == "event":
        return [
            record.get("_x_seq", 0),
            *(record.get(c) for c in COLUMNS[coll][1:-1]),
            record.get("_x_visible_at"),
        ]
    return [record.get(c) for c in COLUMNS[coll]]


def _connect(path: Path | None) -> sqlite3.Connection:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    # One connection, used from whichever thread serves requests; CarrierState serialises access.
    conn = sqlite3.connect(path or ":memory:", check_same_thread=False)
    if path is not None:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(_SCHEMA)
    return conn


class _View:
    """`state.data[coll]`: a read-only mapping over one collection (for tests and tools)."""

    def __init__(self, state: CarrierState, coll: str) -> None:
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


class _Data:
    def __init__(self, state: CarrierState) -> None:
        self.state = state

    def __getitem__(self, coll: str) -> _View:
        if coll not in COLLECTIONS:
            raise KeyError(coll)
        return _View(self.state, coll)

    def __iter__(self) -> Iterator[str]:
        return iter(COLLECTIONS)


class CarrierState:
    """The carrier's records and counters. The app holds `lock` around use."""

    def __init__(self, seed: int, db_path: str | Path | None = None) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self.path = Path(db_path) if db_path is not None else None
        self.conn = _connect(self.path)
        self.small: dict[str, dict[str, Record]] = {c: {} for c in SMALL}
        self.meta: dict[str, Any] = {}
        #: records of the large collections read or written since the last flush (identity map)
        self._loaded: dict[tuple[str, str], Record] = {}
        self._dirty: dict[tuple[str, str], None] = {}
        #: bumped on every change of a collection, so readers can cache derived values
        self.versions: dict[str, int] = dict.fromkeys(COLLECTIONS, 0)
        self.data = _Data(self)
        self._stems: dict[str, str] = {}
        self._opt_version = 0
        self._opt_cache: tuple[tuple[int, int, int], tuple[set[str], set[str]]] = (
            (0, -1, -1),
            (set(), set()),
        )
        self._load()
        if self.meta.get("seed", seed) != seed:
            raise ValueError(f"the database was created with seed {self.meta['seed']}, not {seed}")

    def _load(self) -> None:
        with self.lock:
            self._migrate()
            for coll, rid, raw in self.conn.execute("SELECT coll, id, data FROM objects ORDER BY rowid"):
                if coll in self.small and (record := _decode(coll, rid, raw)) is not None:
                    self.small[coll][rid] = record
            self.meta = {k: loads_stored(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}

    def _migrate(self) -> None:
        """Move an older carrier's large collections out of `objects` into their tables (once)."""
        rows = self.conn.execute(
            "SELECT 1 FROM objects WHERE coll IN ('lead', 'contact', 'sms', 'event') LIMIT 1"
        ).fetchone()
        if rows is None:
            return
        with self.conn:
            for coll in LARGE:
                cur = self.conn.execute("SELECT id, data FROM objects WHERE coll = ? ORDER BY rowid", (coll,))
                for rid, raw in cur.fetchall():
                    record = _decode(coll, rid, raw)
                    if record is not None:
                        self._write(coll, record)
            self.conn.execute("DELETE FROM objects WHERE coll IN ('lead', 'contact', 'sms', 'event')")

    @property
    def is_empty(self) -> bool:
        return not self.small["organization"]

    # -- ids and sequence numbers -------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """A Close-looking id (`acti_…`), unique and reproducible for this seed."""
        counters: dict[str, int] = self.meta.setdefault("counters", {})
        n = counters.get(prefix, 0) + 1
        counters[prefix] = n
        digest = int.from_bytes(hashlib.sha256(f"{self.seed}:{prefix}:{n}".encode()).digest()[:20], "big")
        chars = []
        for _ in range(27):
            digest, r = divmod(digest, 62)
            chars.append(_ALPHABET[r])
        return f"{prefix}_{''.join(chars)}"

    def bulk_id(self, prefix: str) -> str:
        """A Close-looking id for bulk generation: a seed-derived stem and a base62 counter (much
        cheaper than `new_id`, and never equal to one of its ids: the stem starts with "Z")."""
        counters: dict[str, int] = self.meta.setdefault("bulk_counters", {})
        n = counters.get(prefix, 0) + 1
        counters[prefix] = n
        stem = self._stems.get(prefix)
        if stem is None:
            stem = self._stems[prefix] = "Z" + self.new_id(prefix)[len(prefix) + 1 :][:16]
        return f"{prefix}_{stem}{n:010d}"

    def next_seq(self) -> int:
        seq = int(self.meta.get("seq", 0)) + 1
        self.meta["seq"] = seq
        return seq

    # -- records ------------------------------------------------------------------------------------
    def _write(self, coll: str, record: Record) -> None:
        """Upsert one large record (its row keeps its rid, so insertion order survives updates)."""
        cols = COLUMNS[coll]
        raw = json.dumps(record)
        names = ", ".join(cols)
        marks = ", ".join("?" * (len(cols) + 2))
        sets = ", ".join(f"{c} = excluded.{c}" for c in (*cols, "data"))
        self.conn.execute(
            f"INSERT INTO {coll} (id, {names}, data) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {sets}",
            [record["id"], *_column_values(coll, record), raw],
        )
        if coll == "contact":
            self.conn.execute("DELETE FROM contact_phone WHERE contact_id = ?", (record["id"],))
            self.conn.executemany(
                "INSERT OR IGNORE INTO contact_phone (phone, contact_id) VALUES (?, ?)",
                [(p["phone"], record["id"]) for p in record.get("phones", []) if p.get("phone")],
            )

    def get(self, coll: str, rid: str) -> Record | None:
        with self.lock:
            if coll in self.small:
                return self.small[coll].get(rid)
            key = (coll, rid)
            record = self._loaded.get(key)
            if record is None:
                row = self.conn.execute(f"SELECT data FROM {coll} WHERE id = ?", (rid,)).fetchone()
                record = _decode(coll, rid, row[0]) if row is not None else None
                if record is None:
                    return None
                self._loaded[key] = record
            return record

    def put(self, coll: str, record: Record) -> Record:
        rid = str(record["id"])
        with self.lock:
            self.versions[coll] += 1
            if coll in self.small:
                self.small[coll][rid] = record
            else:
                self._loaded[(coll, rid)] = record
                self._write(coll, record)
            self._dirty[(coll, rid)] = None
            return record

    def touch(self, coll: str, rid: str) -> None:
        """Mark a record changed in place (written again at the next flush)."""
        with self.lock:
            self.versions[coll] += 1
            self._dirty[(coll, rid)] = None

    def delete(self, coll: str, rid: str) -> Record | None:
        with self.lock:
            record = self.get(coll, rid)
            if record is None:
                return None
            self.versions[coll] += 1
            self._dirty.pop((coll, rid), None)
            if coll in self.small:
                del self.small[coll][rid]
                self.conn.execute("DELETE FROM objects WHERE coll = ? AND id = ?", (coll, rid))
            else:
                self._loaded.pop((coll, rid), None)
                self.conn.execute(f"DELETE FROM {coll} WHERE id = ?", (rid,))
                if coll == "contact":
                    self.conn.execute("DELETE FROM contact_phone WHERE contact_id = ?", (rid,))
            return record

    def _records(self, coll: str, rows: Iterable[tuple[str, str]]) -> list[Record]:
        """Rows of (id, data) as records, through the identity map (a record changed in this request
        is the changed one)."""
        out = []
        for rid, raw in rows:
            key = (coll, rid)
            record = self._loaded.get(key) or _decode(coll, rid, raw)
            if record is not None:
                out.append(self._loaded.setdefault(key, record))
        return out

    def query(
        self,
        coll: str,
        where: str = "",
        params: Sequence[Any] = (),
        tail: str = "",
        tail_params: Sequence[Any] = (),
    ) -> list[Record]:
        """Records of a large collection: `SELECT … FROM coll [WHERE where] tail` (tail = ORDER/LIMIT)."""
        sql = (
            f"SELECT id, data FROM {coll}"
            + (f" WHERE {where}" if where else "")
            + (f" {tail}" if tail else "")
        )
        with self.lock:
            rows = self.conn.execute(sql, [*params, *tail_params]).fetchall()
            return self._records(coll, rows)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.lock:
            row = self.conn.execute(sql, list(params)).fetchone()
            return row[0] if row else None

    def count(self, coll: str) -> int:
        if coll in self.small:
            return len(self.small[coll])
        return int(self.scalar(f"SELECT COUNT(*) FROM {coll}"))

    def all(self, coll: str) -> Iterator[Record]:
        """Every record of a collection in insertion order (small ones: a copy of the list)."""
        if coll in self.small:
            return iter(list(self.small[coll].values()))
        return self._iter_large(coll)

    def _iter_large(self, coll: str, batch: int = 2000) -> Iterator[Record]:
        last = 0
        while True:
            with self.lock:
                rows = self.conn.execute(
                    f"SELECT rid, id, data FROM {coll} WHERE rid > ? ORDER BY rid LIMIT ?", (last, batch)
                ).fetchall()
                if not rows:
                    return
                records = self._records(coll, [(r[1], r[2]) for r in rows])
            yield from records
            last = rows[-1][0]

    def contacts_of(self, lead_id: str) -> list[Record]:
        return self.query("contact", "lead_id = ?", (lead_id,), "ORDER BY rid")

    def contacts_of_leads(self, lead_ids: Sequence[str]) -> list[Record]:
        if not lead_ids:
            return []
        marks = ", ".join("?" * len(lead_ids))
        return self.query("contact", f"lead_id IN ({marks})", lead_ids, "ORDER BY rid")

    def contact_by_phone(self, e164: str) -> Record | None:
        found = self.query(
            "contact",
            "id IN (SELECT contact_id FROM contact_phone WHERE phone = ?)",
            (e164,),
            "ORDER BY rid LIMIT 1",
        )
        return found[0] if found else None

    # -- opt-outs: (our number, their number) pairs, kept in meta; sets derived once per change ------
    def _opt_sets(self) -> tuple[set[str], set[str]]:
        pairs: list[str] = self.meta.get("opt_outs", [])
        key = (id(pairs), len(pairs), self._opt_version)
        if self._opt_cache[0] != key:
            self._opt_cache = (key, (set(pairs), {p.split("|", 1)[1] for p in pairs}))
        return self._opt_cache[1]

    def is_opted_out(self, local: str, remote: str) -> bool:
        return f"{local}|{remote}" in self._opt_sets()[0]

    def set_opted_out(self, local: str, remote: str, opted_out: bool) -> bool:
        """Record the pair's opt-out state; return True when it changed."""
        pairs: list[str] = self.meta.setdefault("opt_outs", [])
        key = f"{local}|{remote}"
        if opted_out == (key in self._opt_sets()[0]):
            return False
        if opted_out:
            pairs.append(key)
        else:
            pairs.remove(key)
        self._opt_version += 1
        return True

    def opted_out_remotes(self) -> set[str]:
        return self._opt_sets()[1]

    # -- persistence --------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write what changed in place since the last flush, commit, and forget the records read."""
        with self.lock:
            small = []
            for coll, rid in self._dirty:
                if coll in self.small:
                    if rid in self.small[coll]:
                        small.append((coll, rid, json.dumps(self.small[coll][rid])))
                else:
                    record = self._loaded.get((coll, rid))
                    if record is not None:
                        self._write(coll, record)
            self.conn.executemany(
                "INSERT INTO objects (coll, id, data) VALUES (?, ?, ?)"
                " ON CONFLICT (coll, id) DO UPDATE SET data = excluded.data",
                small,
            )
            self.meta["seed"] = self.seed
            self.meta["storage_version"] = STORAGE_VERSION
            self.conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(k, json.dumps(v)) for k, v in self.meta.items()],
            )
            self.conn.commit()
            self._dirty.clear()
            self._loaded.clear()

    def bulk_insert(self, coll: str, records: Iterable[Record]) -> int:
        """Append many new large records at once (the scale generator); no identity map, no events."""
        cols = COLUMNS[coll]
        sql = f"INSERT INTO {coll} (id, {', '.join(cols)}, data) VALUES ({', '.join('?' * (len(cols) + 2))})"
        rows = ((r["id"], *_column_values(coll, r), json.dumps(r)) for r in records)
        with self.lock:
            before = self.conn.total_changes
            if coll == "contact":
                records = list(records)
                self.conn.executemany(
                    "INSERT OR IGNORE INTO contact_phone (phone, contact_id) VALUES (?, ?)",
                    [(p["phone"], r["id"]) for r in records for p in r.get("phones", []) if p.get("phone")],
                )
                rows = ((r["id"], *_column_values(coll, r), json.dumps(r)) for r in records)
            self.conn.executemany(sql, rows)
            self.versions[coll] += 1
            return self.conn.total_changes - before

    def bulk_rows(self, coll: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Append prebuilt rows: (id, *COLUMNS[coll], data as JSON text)."""
        cols = COLUMNS[coll]
        sql = f"INSERT INTO {coll} (id, {', '.join(cols)}, data) VALUES ({', '.join('?' * (len(cols) + 2))})"
        with self.lock:
            self.conn.executemany(sql, rows)
            self.versions[coll] += 1

    def drop_indexes(self) -> None:
        """Before a bulk build: inserting without the indexes (and without a journal: a half-built
        org is rebuilt anyway) and building them once is faster."""
        with self.lock:
            self.conn.commit()
            self.conn.execute("PRAGMA journal_mode=OFF")
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-262144")
            names = [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                                                     " AND sql IS NOT NULL")]  # fmt: skip
            for name in names:
                self.conn.execute(f"DROP INDEX {name}")

    def create_indexes(self) -> None:
        with self.lock:
            self.conn.commit()
            self.conn.executescript(_SCHEMA)
            self.conn.execute("PRAGMA analysis_limit=1000")  # planner statistics from a sample
            self.conn.execute("ANALYZE")
            self.conn.commit()
            self.conn.execute("PRAGMA cache_size=-2000")
            if self.path is not None:
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")

    def wipe(self) -> None:
        """Forget everything (used by /_carrier/reset before regenerating the demo data)."""
        with self.lock:
            self.conn.rollback()
            for table in ("objects", "meta", *LARGE, "contact_phone"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.commit()
            self.small = {c: {} for c in SMALL}
            self.meta = {}
            self.versions = {c: v + 1 for c, v in self.versions.items()}
            self._dirty.clear()
            self._loaded.clear()

    def snapshot(self) -> bytes:
        """The whole database as bytes (see `restore`); flushes first."""
        with self.lock:
            self.flush()
            return self.conn.serialize()

    def restore(self, snapshot: bytes) -> None:
        """Replace everything with a `snapshot()` (into a file database too)."""
        with self.lock:
            source = sqlite3.connect(":memory:")
            source.deserialize(snapshot)
            self.conn.rollback()
            source.backup(self.conn)
            source.close()
            self.small = {c: {} for c in SMALL}
            self._dirty.clear()
            self._loaded.clear()
            self._load()
            self.versions = {c: v + 1 for c, v in self.versions.items()}

    def close(self) -> None:
        """Close a database file. An in-memory one stays readable (tests look at what a stopped
        carrier held) and goes away with this object."""
        with self.lock:
            if self.path is not None:
                self.conn.close()
