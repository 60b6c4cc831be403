"""A cache that cannot be used, said in one sentence: what is wrong, with which file, what to do.

`CacheError` is what `Store.open` raises for a cache it cannot open, and `cache_error(exc, path)`
turns any sqlite3 or OS error met later (a write on a full disk, a page found damaged mid-sync)
into the same thing, so the CLI, the sync command and the inbox all say the same sentence.
Each kind has its own exit code for scripts (see `EXIT_CODES`).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Literal

from sms_tui.store.types import StoreError

CacheProblem = Literal["corrupt", "locked", "read_only", "not_writable", "full", "newer", "unreadable"]

#: Exit codes, one per kind of cache failure (1 and 2 are the CLI's general and usage errors).
EXIT_CODES: dict[CacheProblem, int] = {
    "corrupt": 20,
    "locked": 21,
    "read_only": 22,
    "not_writable": 23,
    "full": 24,
    "newer": 25,
    "unreadable": 26,
}

REBUILD_HINT = (
    "`sms-tui cache rebuild` moves it aside and starts a fresh one (unsent texts and drafts are saved first)."
)


class CacheError(StoreError):
    """The cache at `path` cannot be used; `str()` is the sentence to show the rep."""

    def __init__(self, problem: CacheProblem, path: str | Path, sentence: str) -> None:
        super().__init__(sentence)
        self.problem: CacheProblem = problem
        self.path = str(path)
        self.sentence = sentence

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.problem]


def busy_seconds(busy_timeout_ms: int) -> str:
    seconds = busy_timeout_ms / 1000
    return f"{seconds:g} s"


def cache_error(exc: BaseException, path: str | Path, *, busy_timeout_ms: int = 10_000) -> CacheError | None:
    """`exc` as a `CacheError` for the cache at `path`, or None when it is not a cache problem."""
    if isinstance(exc, CacheError):
        return exc
    path = Path(path)
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        message = str(exc)
        if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or name.startswith("SQLITE_CORRUPT_"):
            return corrupt(path, message)
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in message:
            return CacheError(
                "locked",
                path,
                f"The cache {path} is locked by another program (waited {busy_seconds(busy_timeout_ms)}); "
                "close the other sms-tui (or `sms-tui sync`) using it and try again.",
            )
        if name.startswith("SQLITE_READONLY") or "readonly database" in message:
            return read_only(path)
        if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"):
            return full(path, message)
        if name.startswith("SQLITE_CANTOPEN"):
            return not_writable(path, message)
        if name.startswith("SQLITE_PERM") or name.startswith("SQLITE_AUTH"):
            return read_only(path)
        return None
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return full(path, exc.strerror or str(exc))
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return not_writable(path, exc.strerror or str(exc))
        return CacheError("unreadable", path, f"Cannot use the cache {path}: {exc.strerror or exc}.")
    return None


def corrupt(path: Path, detail: str) -> CacheError:
    return CacheError("corrupt", path, f"The cache {path} is damaged ({detail}). {REBUILD_HINT}")


def read_only(path: Path) -> CacheError:
    return CacheError(
        "read_only",
        path,
        f"The cache {path} is read-only, so nothing can be saved; make it writable "
        f"(chmod u+w {path}) or point SMS_TUI_DATA_DIR at a writable folder.",
    )


def not_writable(path: Path, detail: str) -> CacheError:
    folder = path.parent
    return CacheError(
        "not_writable",
        path,
        f"Cannot create or open the cache in {folder} ({detail}); make the folder writable "
        f"(chmod u+rwx {folder}) or point SMS_TUI_DATA_DIR at a writable folder.",
    )


def full(path: Path, detail: str) -> CacheError:
    return CacheError(
        "full",
        path,
        f"Could not write to the cache {path}: the disk is full or the file may not grow ({detail}). "
        "Nothing was lost: the last change was rolled back; free some space and try again.",
    )


def check_folder(folder: Path) -> None:
    """Refuse early, in one sentence, a cache folder we cannot write into (as any user, root too)."""
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise not_writable(folder / "cache.sqlite3", "permission denied")
