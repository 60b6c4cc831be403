"""`sms-tui` with a timeline of what each key costs, for finding where the time goes (by hand).

    SMS_TUI_TRACE=/tmp/trace.log python -m benchmarks.trace_frames [sms-tui arguments]

Runs the real app (same entry point as `sms-tui`) with a few of its and Textual's methods wrapped
to write one line per event to the file: each key the lead list takes (`KEY`), each conversation
load in its thread (`LOAD`, and whether it came from what was loaded ahead: `AHEAD`), each
`show` on the UI loop (`SHOW`), each lead-list page walk and count (`WALK`, `COUNT`), each
frame the screen paints (`FRAME`: its wall and CPU time, whether it needed a layout, and which widgets
were re-rendered for how long), and each garbage collection (`GC`).
Times are `time.perf_counter()`, the same clock as `benchmarks.tty.Term`'s, so a driver in
another process can log its key presses beside them.
Drive it with `benchmarks.tty.Term` as `bench_tty` does (pass SMS_TUI_TRACE in the environment).

Measurement only: nothing here is imported by the app or the tests.
"""

from __future__ import annotations

import collections
import gc
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.widget import Widget

_pc = time.perf_counter


def _wrap(owner: Any, name: str, describe: Callable[..., str] | None = None) -> None:
    """Wrap `owner.name` so each call writes `<start> <describe(args)> <ms>` to the trace."""
    original = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        started = _pc()
        try:
            return original(*args, **kwargs)
        finally:
            label = describe(*args, **kwargs) if describe else name
            _write(f"{started:.4f} {label} {(_pc() - started) * 1000:.1f}ms")

    setattr(owner, name, wrapped)


def _write(line: str) -> None:
    _out.write(line + "\n")


_out = open(os.environ.get("SMS_TUI_TRACE", os.devnull), "w", buffering=1)
_renders: collections.Counter[str] = collections.Counter()


def _name(widget: Widget) -> str:
    name = f"{type(widget).__name__}#{widget.id or ''}"
    if name == "ScrollBar#" and isinstance(widget.parent, Widget):  # whose bar
        return f"ScrollBar<{_name(widget.parent)}"
    return name


def _install() -> None:
    from sms_tui.ui.screens.inbox_loading import ConversationLoader
    from sms_tui.ui.widgets import lead_list, lead_pages

    render_lines = Widget.render_lines

    def timed_render(self: Widget, crop: Any) -> Any:
        started = _pc()
        try:
            return render_lines(self, crop)
        finally:
            _renders[_name(self)] += round((_pc() - started) * 1e6)

    Widget.render_lines = timed_render  # type: ignore[method-assign]

    on_timer_update = Screen._on_timer_update

    def frame(self: Screen[Any]) -> None:
        started, cpu, layout = _pc(), time.thread_time(), self._layout_required
        _renders.clear()
        on_timer_update(self)
        widgets = " ".join(f"{k}:{v / 1000:.1f}" for k, v in _renders.most_common(6))
        took, cpu_ms = (_pc() - started) * 1000, (time.thread_time() - cpu) * 1000
        _write(f"{started:.4f} FRAME {took:.1f}ms cpu={cpu_ms:.1f}ms layout={layout} [{widgets}]")

    Screen._on_timer_update = frame  # type: ignore[method-assign]

    def key(self: Any) -> str:
        return f"KEY cursor={self.cursor}"

    _wrap(lead_list.LeadList, "action_cursor_down", key)
    _wrap(lead_list.LeadList, "action_cursor_up", key)

    def load(self: Any, lead_id: str, row: Any = None) -> str:
        ready = self.ahead.get(lead_id)
        return f"LOAD{' AHEAD' if ready is not None and ready[0] == row else ''} {lead_id}"

    _wrap(ConversationLoader, "load", load)
    _wrap(ConversationLoader, "_read", lambda self, lead_id: f"READ {lead_id}")
    _wrap(ConversationLoader, "_show_loaded", lambda self, loaded: "SHOW")
    # The list calls lead_pages.walk / .count through the module: wrapping them there is enough.
    _wrap(lead_pages, "walk", lambda store, query, *_: f"WALK {query!r}")
    _wrap(lead_pages, "count", lambda store, query, *_: f"COUNT {query!r}")


_gc_started = [0.0, 0.0]


def _gc(phase: str, info: dict[str, int]) -> None:
    """Each garbage collection (`GC`: its generation, wall and CPU time, objects freed)."""
    if phase == "start":
        _gc_started[:] = [_pc(), time.thread_time()]
    else:
        started, cpu = _gc_started
        _write(
            f"{started:.4f} GC gen={info['generation']} {(_pc() - started) * 1000:.1f}ms "
            f"cpu={(time.thread_time() - cpu) * 1000:.1f}ms collected={info['collected']}"
        )


def main() -> None:
    _write(f"{_pc():.4f} START")
    _install()
    gc.callbacks.append(_gc)
    from sms_tui.cli import main as cli

    sys.argv[0] = "sms-tui"
    cli()


if __name__ == "__main__":
    main()
