"""Painted lines that refcounting frees: Textual's `Strip.divide` without its self-reference.

Each frame, Textual's compositor cuts every line a widget renders at the edges of the widgets
over it (`Strip.divide`). A line that nothing overlaps is "cut" once, at its own end: the answer
is `[self]`, and `divide` keeps that answer in the strip's own cache, so the strip refers to
itself. Every such line (with its segments and seven caches) is then freed only by the cyclic
garbage collector, never by refcounting: in the real process at 100k leads, 100 `j` presses left
~100,000 objects per full collection to free (`gc.DEBUG_SAVEALL`: FIFOCache 51,723, Segment
11,847, Strip 7,389), young collections ran several times per key, and a forced full one landed
in a key's frame every ~25 keys, 100-400 ms (benchmarks/trace_frames.py, 2026-11-30).

`install()` wraps `Strip.divide` so that one case answers `[self]` without storing it (a new
one-item list each time, the same strip in it); every other cut is Textual's own, cache and all.
Textual is pinned exactly; tests/ui/test_strip_cycles.py checks the answers are Textual's and
that a divided strip is freed by refcounting. (`Strip.crop_extend` has the same self-reference,
but only Textual's Log widgets call it, and this app has none.)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.strip import Strip

_textual_divide = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    kept = [cut for cut in cuts if cut <= cell_length]
    if kept == [cell_length]:
        return [self]  # what Textual answers, not kept in the strip's own cache (a cycle)
    return _textual_divide(self, kept)


def install() -> None:
    """Use `_divide` for every Strip (once; idempotent)."""
    Strip.divide = _divide  # type: ignore[method-assign]
