"""A screen's next frame is not held back a whole interval after a slow one.

Textual paints a screen from its update timer (every 1/60 s while something is dirty; paused
otherwise). That timer "skips" ticks it was late for: when a frame runs past the next tick's time,
the timer recounts its ticks from now and waits for the tick after the next one — 1 to 2 intervals
(17-33 ms). A key's frame here takes ~9-10 ms of CPU; a key that arrives a few ms into an interval
makes its frame end just past the next tick, and the following key's frame then waited up to
33 ms for its turn. Traced in the real process at 100k leads (2026-11-30, idle machine): the slow
`j` presses were those whose frame started 12-16 ms after the conversation was ready.

`install()` makes every screen's update timer not skip: a frame that is due paints as soon as the
screen asks for it, instead of at the grid point after next. The timer still never ticks more
often than the screen asks (it pauses itself after each frame, and runs again only when a widget
is dirty), and a run of late frames catches up rather than drops ticks, so a burst of changes
after a pause is painted frame by frame as fast as they come (this app has no animations).
Paired in a pty (bench_tty's `j` loop, the two settings alternating, 4 rounds of 100 keys, idle
machine, 2026-11-30 06:58 UTC): `j` p50 / p95 14.9 / 27.3 -> 13.1 / 18.3 ms.
Textual is pinned exactly; tests/ui/test_frame_timer.py checks a frame after a slow one waits for
no tick.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.timer import Timer

_textual_update_timer = Screen._update_timer


def _update_timer(self: Screen[object]) -> Timer:
    timer = _textual_update_timer.fget(self)  # type: ignore[attr-defined]
    timer._skip = False  # Textual's Timer(skip=...); set_interval cannot pass it
    return timer  # type: ignore[no-any-return]


def install() -> None:
    """Every screen's update timer catches up instead of skipping (once; idempotent)."""
    Screen._update_timer = property(_update_timer)  # type: ignore[assignment, method-assign]
