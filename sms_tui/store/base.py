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
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sms_tui.store.schema import migrate

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000
#: Page cache of the main connection, KiB. Measured on 100k leads / 1M messages with
#: benchmarks/bench_tty.py (2 busy cores, 2026-11-29): RSS after the session 104 MB with 16 MiB
#: against 140 MB with 64 MiB, with key and search times within that machine's noise. The
#: counting connection gets a quarter.
CACHE_KIB = 16_384


class StoreBase:
    """Connection owner. Use `Store.open(path)`; the mixins add the queries."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()
        #: A second, read-only connection for counts (opened on first use), with its own lock.
        self._counts: sqlite3.Connection | None = None
        self._counts_lock = threading.Lock()

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """The connection as a sqlite_utils.Database, for tests and tools (imported on first use:
        sqlite-utils and dateutil are not on the app's path to first paint)."""
        import sqlite_utils

        return sqlite_utils.Database(self._conn)

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
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
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
        with self._counts_lock:
            if self._counts is not None:
                self._counts.close()
                self._counts = None

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

    @contextmanager
    def _counting(self) -> Iterator[sqlite3.Connection]:
        """The counting connection: counts never wait on the lock pages use, nor hold it up.
        (An in-memory cache cannot be opened twice: there counts share the main connection.)"""
        if self.path == ":memory:" or self.path.startswith("file:"):
            with self._lock:
                yield self._conn
            return
        with self._counts_lock:
            if self._counts is None:
                uri = Path(self.path).resolve().as_uri() + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute(f"PRAGMA cache_size = -{CACHE_KIB // 4}")
                self._counts = conn
            yield self._counts

    def interrupt_counts(self) -> None:
        """Stop a count that is running (its caller gets sqlite3.OperationalError: interrupted)."""
        counts = self._counts
        if counts is not None:
            counts.interrupt()

    def _one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
        return None if row is None else row[0]
