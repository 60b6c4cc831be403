"""Painted lines that build their caches only when used: Textual's `Strip` without seven empty
caches per line.

Textual's `Strip.__init__` creates seven `FIFOCache`s for every line (divide, crop, style,
filter, line length, crop-extend, offsets), and a frame makes a few hundred strips (each styled,
filtered, cut and joined line is a new one); most of them never use any cache. In the real
process at 100k leads that was 150,000 cache objects per ~120 frames (cProfile, 2026-11-30):
~2.3 us a strip, and seven more objects for the young-generation collector to count.

`install()` gives `Strip` an `__init__` that sets only its plain fields, and a class-level
`__getattr__`: an unset cache slot raises AttributeError, so the first use of a cache lands in
`__getattr__`, which creates it (Textual's size) and stores it in its slot; from then on it is an
ordinary attribute. Every strip method is Textual's own. Textual is pinned exactly;
tests/ui/test_lazy_strips.py checks the slots and sizes against Textual's `__init__` and that
the strips' answers and caching are Textual's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.cache import FIFOCache
from textual.strip import Strip

_textual_init = Strip.__init__

#: Each cache slot and its size, as Textual's `Strip.__init__` makes them.
CACHES = {
    "_divide_cache": 4,
    "_crop_cache": 16,
    "_style_cache": 16,
    "_filter_cache": 4,
    "_line_length_cache": 4,
    "_crop_extend_cache": 4,
    "_offsets_cache": 4,
}


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    self._segments = list(segments)
    self._cell_length = cell_length
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def _cache_on_first_use(self: Strip, name: str) -> Any:
    size = CACHES.get(name)
    if size is None:
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
    cache: FIFOCache[Any, Any] = FIFOCache(size)
    setattr(self, name, cache)
    return cache


def install() -> None:
    """Lazy caches for every Strip made from now on (once; idempotent)."""
    Strip.__init__ = _init  # type: ignore[method-assign]
    Strip.__getattr__ = _cache_on_first_use  # type: ignore[attr-defined]
