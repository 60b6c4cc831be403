"""Keys while the first sync runs (python -m benchmarks.bench_sync_keys [--runs N] [--keys K]).

Measured as the rep feels it: the real `sms-tui` inbox in a pseudo-terminal, against the computed
100k-lead / 1M-SMS Close-shaped org of bench_sync (`ScaleOrg`, on a real socket), from an empty
cache, so the first sync (about 20 s of requests and cache writes) runs while the rep types. The
rep opens the search line and types; each key is timed from its bytes to the typed text painted,
first while the status bar still says "first sync", then once it is done, in the same process (the
peer: the same keys with nothing else running), then from the moment 5,000 replies are logged until
the poll that brings them has shown them (a Monday morning). p50 / p95 / max over the keys of every run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_sync import ScaleOrg, _env, serve
from benchmarks.tty import Term

SIZE = (120, 36)
WORD = "zqjxkvw"  # typed over and over: nothing else on screen spells it


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _fmt(values: list[float]) -> str:
    if not values:
        return "no keys"
    p50, p95 = _pct(values, 50), _pct(values, 95)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(values):.0f} (n={len(values)})"


def _syncing(term: Term) -> bool:
    return "first sync" in term.screen.display[0]


def _type(
    term: Term,
    count: int,
    out: list[float],
    *,
    while_syncing: bool | None,
    until: Callable[[], bool] | None = None,
) -> None:
    """Type `count` keys into the open search line (cleared every 28), timing each one; stop early
    once the first sync is (not) running as `while_syncing` says, or once `until()` holds."""
    typed = ""
    for _ in range(count):
        if while_syncing is not None and _syncing(term) != while_syncing:
            return
        if until is not None and until():
            return
        if len(typed) >= 28:
            term.keys("\x15")  # ctrl+u: clear the line
            term.wait("search: name")
            typed = ""
        typed += WORD[len(typed) % len(WORD)]
        term.mark()
        sent = term.keys(typed[-1])
        out.append((term.wait(typed, timeout=30) - sent) * 1000)
        time.sleep(0.05)


def _unread(term: Term) -> str:
    found = re.search(r"([\d,]+) unread", term.screen.display[0])
    return found.group(1) if found else ""


def session(
    url: str, app: ScaleOrg, keys: int, argv: list[str] | None = None, env: dict[str, str] | None = None
) -> tuple[list[float], list[float], float, list[float]]:
    """(ms per key during the first sync, ms per key after it, seconds the first sync took, ms per
    key from 5,000 replies logged until the poll that brings them has shown them and 1 s more).
    `argv` / `env`: another program (an older tree, paired by hand) instead of this `sms-tui`."""
    during: list[float] = []
    after: list[float] = []
    poll: list[float] = []
    app.events.clear()
    app.extra.clear()
    app.now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="bench-sync-keys-") as tmp:
        program = argv or [str(Path(sys.executable).parent / "sms-tui")]
        with Term(program, {**_env(Path(tmp), url), **(env or {})}, SIZE) as term:
            term.wait("first sync")
            began = time.perf_counter()
            term.keys("/")
            term.wait("search: name")
            _type(term, 10_000, during, while_syncing=True)
            while _syncing(term):
                term._pump(0.2)
            took = time.perf_counter() - began
            time.sleep(2.0)  # the list reloads, the count settles
            term.keys("\x15")
            term.wait("search: name")
            _type(term, keys, after, while_syncing=None)
            # A poll after a weekend: 5,000 replies in the event log, typed through until the next
            # poll (every 15 s) has brought them in and a second more.
            before = _unread(term)
            app.log_replies(5000)
            seen: list[float] = []

            def settled() -> bool:
                if not seen and _unread(term) != before:
                    seen.append(time.perf_counter())
                return bool(seen) and time.perf_counter() - seen[0] > 1.0

            _type(term, 2_000, poll, while_syncing=None, until=settled)
    return during, after, took, poll


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keys", type=int, default=60, help="keys timed after the first sync, per run")
    args = ap.parse_args(argv)
    print(f"machine: {platform.machine()} {os.cpu_count()} cpus, Python {platform.python_version()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}; real sms-tui in a pty "
          f"{SIZE[0]}x{SIZE[1]}, first sync of a 100k-lead / 1M-SMS org from an empty cache")  # fmt: skip
    app = ScaleOrg(datetime.now(UTC))
    url = serve(app)
    during: list[float] = []
    after: list[float] = []
    took: list[float] = []
    poll: list[float] = []
    for run in range(args.runs):
        d, a, t, p = session(url, app, args.keys)
        during += d
        after += a
        took.append(t)
        poll += p
        print(f"  run {run + 1}: first sync {t:.1f} s; during {_fmt(d)}; after {_fmt(a)}; around a "
              f"5,000-event poll {_fmt(p)}", flush=True)  # fmt: skip
    print(f"search-line key -> typed text painted, during the first sync: {_fmt(during)}")
    print(f"the same keys after it (same processes):                    {_fmt(after)}")
    print(f"the same keys around a poll of 5,000 new events:            {_fmt(poll)}")
    print(f"first sync took {statistics.median(took):.1f} s (median of {args.runs})")


if __name__ == "__main__":
    main()
