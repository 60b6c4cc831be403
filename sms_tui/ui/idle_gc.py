"""Full garbage collections while the rep is idle, not in the frame a key is waiting for.

A full pass walks every tracked object the session has built (strips, pages, bubbles): 20-105 ms
on the 100k-lead cache, every 1.5-2 s while the rep searches (gc.callbacks in the real process in
a pty, 2026-11-30), and a search's frame that met one painted 60-100 ms late. So while the app
runs, the collector's own full passes wait (threshold 2 = FORCE_AFTER young passes, not 10): a
check every CHECK seconds runs one once it is due (10 young passes, as before) and no key or click
came for IDLE seconds. Young passes (about one per frame, 1-2 ms) are left as they are.

bench_tty at 100k, 4 runs each alternating with the code before (2026-11-30 00:50-00:58 UTC, load
~2.5; the first two with IDLE 0.6): j -> conversation p95 62 / 81 / 80 / 64 ms against 96 / 163 /
112 / 175, the 10,000-message lead p95 43 / 52 / 72 / 52 against 54 / 81 / 122 / 83; RSS after the
heavy session 110 / 113 / 112 / 106 MB against 104 / 99 / 105 / 104 (garbage waits a little
longer). With FORCE_AFTER 300 and IDLE 0.6 RSS was 132-136 MB: not kept.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Seconds without a key or click before a due full collection runs.
IDLE = 0.3
#: How often (s) the app asks whether one is due.
CHECK = 0.3
#: Young (generation 1) passes after which a full one is due: Python's default.
DUE_AFTER = 10
#: ... and after which Python runs it itself, idle or not (bounds the garbage a busy rep leaves).
FORCE_AFTER = 40


class IdleCollector:
    """Runs the due full collections at idle moments (`check`), told of input by `touched`."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], object] = gc.collect,
        young_passes: Callable[[], int] = lambda: gc.get_count()[2],
        freeze: Callable[[], None] = gc.freeze,
        unfreeze: Callable[[], None] = gc.unfreeze,
    ) -> None:
        self._clock = clock
        self._collect = collect
        self._young_passes = young_passes
        self._freeze = freeze
        self._unfreeze = unfreeze
        self._frozen = False
        self._last_input = clock()
        self._saved: tuple[int, ...] | None = None

    def install(self) -> None:
        """Let full passes wait for idle moments (until `uninstall`)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], self._saved[1], FORCE_AFTER)

    def uninstall(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        if self._frozen:
            self._unfreeze()  # what start-up built is the collector's again
            self._frozen = False

    def touched(self) -> None:
        """A key or click: the rep is not idle."""
        self._last_input = self._clock()

    def check(self) -> bool:
        """Run a full collection if one is due and the rep has been idle; True if it ran.

        The first idle moment also collects once and then freezes what is alive (start-up's
        objects: modules, classes, styles, the first screen) out of every later full pass."""
        if self._clock() - self._last_input < IDLE:
            return False
        if not self._frozen:
            self._collect()
            self._freeze()
            self._frozen = True
            return True
        if self._young_passes() < DUE_AFTER:
            return False
        self._collect()
        return True
