"""Search Enter -> rows painted, for two (or more) versions of the code in one run, alternating.

    python -m benchmarks.bench_search_pair [CACHE [TREE ...]] [--sessions 2] [--rounds 5]

Each TREE is a directory holding an `sms_tui` package (e.g. `git archive <rev> | tar -x -C DIR`,
or the worktree itself); the real app is started from it in a pseudo-terminal (PYTHONPATH, with
`python -P` so the current directory cannot shadow it) and driven exactly like bench_tty's search
section: from the Unread filter, `/`, the word, Enter, until the first lead of the result that is
not on the Unread list is painted. Sessions alternate between the trees (A B, B A, ...), so both
meet the same load; the medians and p95s over every search of a kind are printed per tree.
CACHE defaults to benchmarks/data/cache.db, TREE to this checkout (`make bench`: one tree).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.bench_tty import DEFAULT, SEARCHES, SIZE, _env, _pct
from benchmarks.tty import Term

_RUN_APP = "import sys; sys.argv[0] = 'sms-tui'; from sms_tui.cli import main; main()"


def _targets(path: str) -> tuple[str, str, dict[str, str]]:
    """(first lead of All, first lead of Unread, the first new lead of each search's result)."""
    from sms_tui.store import Store

    now = datetime.now(UTC)
    with Store.open(path) as store:
        first = store.lead_page(limit=1, now=now).rows[0].display_name
        unread = store.lead_page(query="is:unread", limit=16, now=now).rows
        visible = {r.display_name for r in unread}
        targets: dict[str, str] = {}
        for kind, word in SEARCHES.items():
            found = store.lead_page(query=word, limit=15, now=now).rows
            targets[kind] = next((r.display_name for r in found if r.display_name not in visible), "")
    return first, unread[0].display_name, targets


def session(path: str, tree: str, rounds: int) -> dict[str, list[float]]:
    """One app started from `tree`: `rounds` times each search; ms from Enter to its rows."""
    first, unread, targets = _targets(path)
    out: dict[str, list[float]] = {kind: [] for kind in SEARCHES}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        os.link(path, Path(tmp) / "cache.sqlite3")
        env = {**_env(tmp), "PYTHONPATH": str(Path(tree).resolve())}
        with Term([sys.executable, "-P", "-c", _RUN_APP], env, SIZE) as term:
            term.wait(first)
            time.sleep(1.5)  # the count and the failed first sync settle
            term.keys("2")
            term.wait(unread)
            time.sleep(0.5)
            for _ in range(rounds):
                for kind, word in SEARCHES.items():
                    if not targets[kind]:
                        continue
                    term.keys("/")
                    term.wait("search: name")
                    term.keys(word)
                    term.wait_gone("search: name")
                    time.sleep(0.1)
                    term.mark()
                    sent = term.keys("\r")
                    out[kind].append((term.wait(targets[kind], timeout=30) - sent) * 1000)
                    term.keys("2")
                    term.wait(unread)
                    time.sleep(0.5)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Search timings of several code trees, alternating.")
    ap.add_argument("path", nargs="?", default=str(DEFAULT), help="the cache (hard-linked per session)")
    ap.add_argument("trees", nargs="*", help="directories that hold an sms_tui package (default: this one)")
    ap.add_argument("--sessions", type=int, default=2, help="app starts per tree")
    ap.add_argument("--rounds", type=int, default=5, help="times each search is made per session")
    args = ap.parse_args(argv)
    args.trees = args.trees or [str(Path(__file__).resolve().parent.parent)]
    if not Path(args.path).exists():
        print(f"no cache at {args.path}: `python -m benchmarks.gen_cache {args.path}`", file=sys.stderr)
        raise SystemExit(2)
    results: dict[str, dict[str, list[float]]] = {t: {k: [] for k in SEARCHES} for t in args.trees}
    started = os.getloadavg()[0]
    for n in range(args.sessions):
        for tree in args.trees if n % 2 == 0 else args.trees[::-1]:
            for kind, values in session(args.path, tree, args.rounds).items():
                results[tree][kind] += values
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · load {started:.2f} -> {os.getloadavg()[0]:.2f} · "
        f"{args.sessions} sessions x {args.rounds} rounds per tree"
    )
    for tree, kinds in results.items():
        cells = [
            f"{SEARCHES[k]!r} p50 {statistics.median(v):.0f} p95 {_pct(v, 95):.0f} ms"
            for k, v in kinds.items()
            if v
        ]
        print(f"{tree}: " + " · ".join(cells))


if __name__ == "__main__":
    main()
