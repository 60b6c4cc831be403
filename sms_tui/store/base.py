"""The connection, the lock and the transaction helpers every part of the Store builds on.

One sqlite3 connection (check_same_thread=False, driver autocommit so we issue BEGIN ourselves)
wrapped by sqlite_utils.Database; one RLock serialises every use of it, because UI thread workers and
the sync engine share one Store. Writes run in `BEGIN IMMEDIATE` transactions: the write lock is taken
up front, so a second process on the same file (WAL) waits (busy_timeout) instead of failing half-way,
and a claim of outbox rows is atomic across processes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from sms_tui.store.schema import migrate

BUSY_TIMEOUT_MS = 10_000


class StoreBase:
    """Connection owner. Use `Store.open(path)`; the mixins add the queries."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.db = sqlite_utils.Database(conn)
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def _connect(cls, path: str | Path) -> sqlite3.Connection:
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
        return conn

    @classmethod
    def _open_conn(cls, path: str | Path) -> sqlite3.Connection:
        conn = cls._connect(path)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        with self._lock:
            # No `PRAGMA optimize` here, though SQLite advises it: when it decides to ANALYZE it
            # creates sqlite_stat1, a schema change, and another process preparing a statement at
            # that moment failed with "no such table: leads" (measured: 6 of 75 racing opens of a
            # new cache). `optimize()` below is there for a quiet moment (nothing calls it on its own).
            self._conn.close()

    def optimize(self) -> None:
        """Refresh the query planner's statistics (call after a first sync or a big import)."""
        with self._lock:
            self._conn.execute("PRAGMA analysis_limit = 1000")
            self._conn.execute("ANALYZE")

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE); nested uses join the outer one."""
        with self._lock:
            conn = self._conn
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several writes as one: every store write inside joins this transaction, all or none.

        For a user action that writes several rows (send = the message + its lead marked read).
        """
        with self._write():
            yield

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent read snapshot for several statements."""
        with self._lock:
            conn = self._conn
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]
