"""The connection, the lock and the transaction helpers every part of the Store builds on.

One sqlite3 connection (check_same_thread=False, driver autocommit so we issue BEGIN ourselves)
wrapped by sqlite_utils.Database; one RLock serialises every use of it, because UI thread workers and
the sync engine share one Store. Writes run in `BEGIN IMMEDIATE` transactions: the write lock is taken
up front, so a second process on the same file (WAL) waits (busy_timeout) instead of failing half-way,
and a claim of outbox rows is atomic across processes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sms_tui.store import fts_ascii
from sms_tui.store.failures import CacheError, busy_seconds, cache_error, corrupt, not_writable, read_only
from sms_tui.store.schema import migrate
from sms_tui.store.types import StoreError

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000
log = logging.getLogger("sms_tui.store")
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
        #: Some contact phone may still lack its parsed facts (schema 9): `fill_phone_facts` walks
        #: the table only while this holds; writing a phone without facts sets it again.
        self._facts_missing = True

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
            prepare_file(Path(path))
        try:
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        except sqlite3.Error as exc:
            raise cache_error(exc, path, busy_timeout_ms=BUSY_TIMEOUT_MS) or exc from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            fts_ascii.register(conn)
            if path != ":memory:":
                check_readable(conn, Path(path))
                private_files(Path(path))  # SQLite made -wal/-shm with the file's mode; make sure
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.Error):
                raise cache_error(exc, path, busy_timeout_ms=BUSY_TIMEOUT_MS) or exc from None
            raise
        return conn

    @classmethod
    def _open_conn(cls, path: str | Path) -> sqlite3.Connection:
        conn = cls._connect(path)
        try:
            if path != ":memory:":
                _say_if_locked(conn, path)
            migrate(conn)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, StoreError) and "newer sms-tui" in str(exc):
                raise CacheError(
                    "newer",
                    path,
                    f"The cache {path} was written by a newer sms-tui ({exc}); upgrade sms-tui.",
                ) from None
            if isinstance(exc, sqlite3.Error | OSError):
                raise cache_error(exc, path, busy_timeout_ms=BUSY_TIMEOUT_MS) or exc from None
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
                fts_ascii.register(conn)
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


# -- the cache on disk: private, and refused in one sentence when unusable ------------------------

#: The cache holds phone numbers and message history: its folder is 0700 and its files 0600.
DIR_MODE = 0o700
FILE_MODE = 0o600
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def prepare_file(path: Path) -> None:
    """Create the folder (0700) and the file (0600) if missing; refuse what we cannot write."""
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=DIR_MODE, parents=True)
    except OSError as exc:
        raise not_writable(path, exc.strerror or str(exc)) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise not_writable(path, "permission denied")
    _private_folder(folder, path)
    if path.exists():
        if not os.access(path, os.R_OK):
            raise CacheError(
                "unreadable",
                path,
                f"Cannot read the cache {path} (permission denied); chmod u+rw {path} if it is yours.",
            )
        if not os.access(path, os.W_OK):
            raise read_only(path)
        if path.is_dir():
            raise not_writable(path, "it is a folder")
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return  # another process created it just now
    except OSError as exc:
        raise not_writable(path, exc.strerror or str(exc)) from None
    os.close(fd)


def _private_folder(folder: Path, path: Path) -> None:
    """An existing folder that holds nothing but this cache (an older sms-tui made it 0755) is
    made 0700; a shared folder (`--data /tmp`, a home directory) is left as it is."""
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
        if not mode & 0o077 or folder.stat().st_uid != os.getuid():
            return
        ours = (path.name, f"{path.stem}-rescue-")
        if all(entry.startswith(ours) for entry in os.listdir(folder)):
            folder.chmod(mode & ~0o077)
    except OSError:
        return


def _say_if_locked(conn: sqlite3.Connection, path: str | Path) -> None:
    """Opening waits for another process's write (up to BUSY_TIMEOUT_MS); say so before waiting
    rather than sit silent (a warning: on stderr for the commands, before the inbox starts)."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if cache_error(exc, path) is not None and "locked" in str(exc):
            log.warning(
                "The cache %s is locked by another program; waiting up to %s for it.",
                path,
                busy_seconds(BUSY_TIMEOUT_MS),
            )
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def private_files(path: Path) -> None:
    """The cache file and its -wal/-shm companions readable by the owner only (best effort: a
    file owned by someone else is left as it is)."""
    for suffix in _SIDE_FILES:
        side = Path(f"{path}{suffix}")
        try:
            mode = stat.S_IMODE(side.stat().st_mode)
            if mode & 0o077:
                side.chmod(mode & ~0o077)
        except OSError:
            continue


def check_readable(conn: sqlite3.Connection, path: Path) -> None:
    """Cheap signs of a damaged file at open (the header, the schema, the size it claims).

    A full `PRAGMA quick_check` reads every page (seconds on a big cache); damage deeper in the
    file shows when that page is read, and `cache_error` turns it into the same sentence.
    """
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    wal = Path(f"{path}-wal")
    if (not wal.exists() or wal.stat().st_size == 0) and path.stat().st_size < page_size * pages:
        raise corrupt(path, f"the file is shorter than the {pages} pages it says it holds: truncated")
