"""Full garbage collections while the rep is idle, not in the frame a key is waiting for.

A full pass walks every tracked object the session has built (strips, pages, bubbles): 20-105 ms
on the 100k-lead cache, every 1.5-2 s while the rep searches (gc.callbacks in the real process in
a pty, 2026-11-30), and a search's frame that met one painted 60-100 ms late. So while the app
runs, the collector's own full passes wait (threshold 2 = FORCE_AFTER young passes, not 10): a
check every CHECK seconds runs one once it is due (10 young passes, as before) and no key or click
came for IDLE seconds. Young passes (about one per frame, 1-2 ms) are left as they are.

Start-up runs with the collector off (`sms_tui/launch.py`): the ~150,000 objects it builds
(modules, classes, styles, the first screen) are all young when the first frame is painted, and
the first young passes after that walked them all, between the rows and the first conversation.
`first_frame()` freezes them instead (no pass over them; `gc.freeze`) and turns the collector on;
the first idle moment once start-up is over (FIRST_AFTER) collects once and freezes what start-up
built after the first frame (the first conversation, the sync engine and its client). Paired in
a pty at 100k leads, alternating with the code before (first idle collection 0.3 s after mount,
no freeze at the first frame), 2026-11-30 10:35 UTC, load ~2: first conversation painted 1013 ->
886 ms (medians of 12; earlier in 12 of 12), first rows 536 -> 505 ms.

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
#: Seconds after `install` (the app's mount) before the first collect-and-freeze: start-up is not
#: over at the first idle moment. Traced in the real process at 100k leads (2026-11-30): that pass
#: (40-56 ms of CPU) came 0.3 s after mount, on a slow start after the rows but before the first
#: conversation was shown, and delayed it by as much. By 2 s the first conversation, the sync
#: engine and its client are built (and frozen with the rest: later full passes skip them).
FIRST_AFTER = 2.0
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
        self._frozen = False  # something is frozen (to give back at `uninstall`)
        self._settled = False  # the first idle collect-and-freeze ran
        self._last_input = clock()
        self._installed_at = clock()
        self._saved: tuple[int, ...] | None = None

    def install(self) -> None:
        """Let full passes wait for idle moments (until `uninstall`)."""
        self._installed_at = self._clock()
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self._saved[0], self._saved[1], FORCE_AFTER)

    def first_frame(self) -> None:
        """The first frame is painted: freeze what start-up built (without a pass over it) and
        turn the collector on (the `sms-tui` command starts with it off)."""
        self._freeze()
        self._frozen = True
        gc.enable()

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

        The first idle moment once start-up is over (`FIRST_AFTER`) also collects once and then
        freezes what is alive (start-up's objects: modules, classes, styles, the first screen, the
        sync engine) out of every later full pass."""
        now = self._clock()
        if now - self._last_input < IDLE:
            return False
        if not self._settled:
            if now - self._installed_at < FIRST_AFTER:
                return False
            self._collect()
            self._freeze()
            self._frozen = self._settled = True
            return True
        if self._young_passes() < DUE_AFTER:
            return False
        self._collect()
        return True
