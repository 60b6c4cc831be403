"""Pause Python's cyclic garbage collector while a bulk preview builds its objects.

A 10,000-lead preview makes a few hundred thousand small objects (recipients, contacts, previews,
their tuples) that all live on: the collector runs hundreds of young collections and a few full
ones over the whole app's heap meanwhile, for nothing (no cycle among them becomes garbage). While
any `paused()` block runs the collector waits; it runs again as before when the last one ends.
Reference counting still frees everything else at once: only cyclic garbage waits.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
