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
first time it is opened. The tables, their columns and that move are `carrier/storage.py`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sms_tui.carrier.jsonsafe import loads_stored
from sms_tui.carrier.storage import (
    COLLECTIONS,
    COLUMNS,
    LARGE,
    SCHEMA,
    SMALL,
    STORAGE_VERSION,
    DataView,
    Record,
    column_values,
    connect,
    decode,
    migrate,
)

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class CarrierState:
    """The carrier's records and counters. The app holds `lock` around use."""

    def __init__(self, seed: int, db_path: str | Path | None = None) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self.path = Path(db_path) if db_path is not None else None
        self.conn = connect(self.path)
        self.small: dict[str, dict[str, Record]] = {c: {} for c in SMALL}
        self.meta: dict[str, Any] = {}
        #: records of the large collections read or written since the last flush (identity map)
        self._loaded: dict[tuple[str, str], Record] = {}
        self._dirty: dict[tuple[str, str], None] = {}
        #: bumped on every change of a collection, so readers can cache derived values
        self.versions: dict[str, int] = dict.fromkeys(COLLECTIONS, 0)
        self.data = DataView(self)
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
            migrate(self.conn, self._write)
            for coll, rid, raw in self.conn.execute("SELECT coll, id, data FROM objects ORDER BY rowid"):
                if coll in self.small and (record := decode(coll, rid, raw)) is not None:
                    self.small[coll][rid] = record
            self.meta = {k: loads_stored(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}

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
            [record["id"], *column_values(coll, record), raw],
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
                record = decode(coll, rid, row[0]) if row is not None else None
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
            record = self._loaded.get(key) or decode(coll, rid, raw)
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
        rows = ((r["id"], *column_values(coll, r), json.dumps(r)) for r in records)
        with self.lock:
            before = self.conn.total_changes
            if coll == "contact":
                records = list(records)
                self.conn.executemany(
                    "INSERT OR IGNORE INTO contact_phone (phone, contact_id) VALUES (?, ?)",
                    [(p["phone"], r["id"]) for r in records for p in r.get("phones", []) if p.get("phone")],
                )
                rows = ((r["id"], *column_values(coll, r), json.dumps(r)) for r in records)
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
            self.conn.executescript(SCHEMA)
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
