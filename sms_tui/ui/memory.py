"""Freed memory handed back to the system once a list has loaded (glibc's `malloc_trim`).

CPython and SQLite free memory into the C allocator, which keeps it for reuse: after searches of
common words, far jumps and a hundred conversations, tens of MB stay mapped though nothing uses
them. Measured on 100k leads / 1M messages at the end of `benchmarks/bench_tty`'s heavy session
(2026-11-30): malloc's arenas held 64–69 MB of which 27–32 MB were free; `malloc_trim(0)` took
1.6 ms and brought RSS from 114–126 MB down to 100–112 MB (a second call, nothing left to give back:
0.02 ms).

The app calls `release_free_memory` in a thread worker each time a list's exact count is in (after
every search, filter and sync reload: the moments after the big allocations). ctypes is imported on
first use, after the first paint. Where there is no `malloc_trim` (macOS, musl) it does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process already runs on
    except (OSError, AttributeError):
        return None  # not glibc
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the allocator's free pages to the system; False where there is no way to."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)  # ctypes lets go of the GIL while it runs
    return True
