"""Everything the fake carrier knows, as Close-shaped JSON records, optionally persisted in SQLite.

Records are plain dicts in the shape the API returns; keys starting with `_x_` are private
(internal bookkeeping) and never leave the server. Ids are derived from the seed and a counter,
so the same seed yields the same ids. With a database path every change is written through at
the end of each request (`flush`), so a restarted carrier continues where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sms_tui.carrier.jsonsafe import loads_stored

Record = dict[str, Any]

COLLECTIONS = (
    "organization",
    "user",
    "phone_number",
    "lead",
    "contact",
    "sms_template",
    "sms",
    "event",
    "job",
)
PRIVATE_PREFIX = "_x_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def public(record: Record) -> Record:
    """The record without its private keys, ready to be sent."""
    return {k: v for k, v in record.items() if not k.startswith(PRIVATE_PREFIX)}


class _SqliteFile:
    """Two tables: `objects(coll, id, data)` and `meta(key, value)`; rowid keeps insertion order."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection used from whichever thread serves requests; the carrier serialises access.
        self.conn = sqlite3.connect(path, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS objects (coll TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,"
            " PRIMARY KEY (coll, id))"
        )
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.conn.commit()

    def load(self) -> tuple[dict[str, dict[str, Record]], dict[str, Any]]:
        data: dict[str, dict[str, Record]] = {c: {} for c in COLLECTIONS}
        for coll, rid, raw in self.conn.execute("SELECT coll, id, data FROM objects ORDER BY rowid"):
            data.setdefault(coll, {})[rid] = loads_stored(raw)
        meta = {k: loads_stored(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}
        return data, meta

    def save(
        self, upserts: list[tuple[str, str, Record]], deletes: list[tuple[str, str]], meta: dict[str, Any]
    ) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT INTO objects (coll, id, data) VALUES (?, ?, ?)"
                " ON CONFLICT (coll, id) DO UPDATE SET data = excluded.data",
                [(c, i, json.dumps(r)) for c, i, r in upserts],
            )
            self.conn.executemany("DELETE FROM objects WHERE coll = ? AND id = ?", deletes)
            self.conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(k, json.dumps(v)) for k, v in meta.items()],
            )

    def wipe(self) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM objects")
            self.conn.execute("DELETE FROM meta")

    def close(self) -> None:
        self.conn.close()


class CarrierState:
    """The carrier's records and counters. Not thread-safe by itself: the app holds `lock` around use."""

    def __init__(self, seed: int, db_path: str | Path | None = None) -> None:
        self.seed = seed
        self.lock = threading.RLock()
        self.data: dict[str, dict[str, Record]] = {c: {} for c in COLLECTIONS}
        self.meta: dict[str, Any] = {}
        self._dirty: dict[tuple[str, str], None] = {}
        self._deleted: set[tuple[str, str]] = set()
        #: bumped on every change of a collection, so readers can cache derived indexes
        self.versions: dict[str, int] = dict.fromkeys(COLLECTIONS, 0)
        self._file = _SqliteFile(Path(db_path)) if db_path is not None else None
        if self._file is not None:
            self.data, self.meta = self._file.load()
        if self.meta.get("seed", seed) != seed:
            raise ValueError(f"the database was created with seed {self.meta['seed']}, not {seed}")

    @property
    def is_empty(self) -> bool:
        return not self.data["organization"]

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

    def next_seq(self) -> int:
        seq = int(self.meta.get("seq", 0)) + 1
        self.meta["seq"] = seq
        return seq

    # -- records ------------------------------------------------------------------------------------
    def get(self, coll: str, rid: str) -> Record | None:
        return self.data[coll].get(rid)

    def put(self, coll: str, record: Record) -> Record:
        rid = str(record["id"])
        self.data[coll][rid] = record
        self.versions[coll] += 1
        self._dirty[(coll, rid)] = None
        self._deleted.discard((coll, rid))
        return record

    def touch(self, coll: str, rid: str) -> None:
        """Mark a record changed in place."""
        self.versions[coll] += 1
        self._dirty[(coll, rid)] = None

    def delete(self, coll: str, rid: str) -> Record | None:
        record = self.data[coll].pop(rid, None)
        if record is not None:
            self.versions[coll] += 1
            self._dirty.pop((coll, rid), None)
            self._deleted.add((coll, rid))
        return record

    def all(self, coll: str) -> Iterator[Record]:
        return iter(list(self.data[coll].values()))

    # -- opt-outs: (our number, their number) pairs -------------------------------------------------
    def is_opted_out(self, local: str, remote: str) -> bool:
        return f"{local}|{remote}" in self.meta.get("opt_outs", [])

    def set_opted_out(self, local: str, remote: str, opted_out: bool) -> bool:
        """Record the pair's opt-out state; return True when it changed."""
        pairs: list[str] = self.meta.setdefault("opt_outs", [])
        key = f"{local}|{remote}"
        if opted_out and key not in pairs:
            pairs.append(key)
            return True
        if not opted_out and key in pairs:
            pairs.remove(key)
            return True
        return False

    def opted_out_remotes(self) -> set[str]:
        return {pair.split("|", 1)[1] for pair in self.meta.get("opt_outs", [])}

    # -- persistence --------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write the changes since the last flush (no-op in memory)."""
        if self._file is None:
            self._dirty.clear()
            self._deleted.clear()
            return
        upserts = [(c, i, self.data[c][i]) for c, i in self._dirty if i in self.data[c]]
        self.meta["seed"] = self.seed
        self._file.save(upserts, sorted(self._deleted), self.meta)
        self._dirty.clear()
        self._deleted.clear()

    def wipe(self) -> None:
        """Forget everything (used by /_carrier/reset before regenerating the demo data)."""
        self.data = {c: {} for c in COLLECTIONS}
        self.meta = {}
        self.versions = {c: v + 1 for c, v in self.versions.items()}
        self._dirty.clear()
        self._deleted.clear()
        if self._file is not None:
            self._file.wipe()

    def snapshot(self) -> str:
        """All records and counters as one JSON string (see `restore`)."""
        return json.dumps({"data": self.data, "meta": self.meta})

    def restore(self, snapshot: str) -> None:
        """Replace everything with a `snapshot()`; every record counts as changed."""
        loaded = json.loads(snapshot)
        self.data, self.meta = loaded["data"], loaded["meta"]
        self.versions = {c: v + 1 for c, v in self.versions.items()}
        self._dirty = {(c, i): None for c, recs in self.data.items() for i in recs}
        self._deleted.clear()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
