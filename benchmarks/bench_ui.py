"""First paint of the inbox on the big cache, against a DataTable lead list over the same data.

    python -m benchmarks.bench_ui [PATH]    (PATH defaults to benchmarks/data/cache.db;
                                             make it with `python -m benchmarks.gen_cache PATH`)

Each variant runs headless in its own subprocess (so one's memory does not count for the other)
on the same cache file, in the same run:

- `inbox`: the real `SmsApp` (no provider): virtual `LeadList` + conversation + composer.
  Time from building the app to the list's first page on screen and to the first conversation
  shown; peak RSS of the process.
- `datatable`: the lead list as a `DataTable` holding every lead (the rows come from the same
  store by keyset pages; `add_rows`, then Textual measures every cell), timed to its first paint.

Targets (issue 5): inbox first paint ≤ 1 s, RSS ≤ 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).parent / "data" / "cache.db"
SIZE = (120, 36)


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB, from /proc."""
    values: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _since_exec() -> float:
    """Seconds since this process started (from /proc: the kernel's start time, 10 ms ticks)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    start = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19]) / ticks
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - start


async def _inbox(path: str) -> dict[str, Any]:
    from benchmarks.gen_cache import NOW
    from sms_tui.store import Store
    from sms_tui.ui.app import SmsApp

    t0 = time.perf_counter()
    store = Store.open(path)
    app = SmsApp(store, now=lambda: NOW, poll_seconds=999, rep_tz="UTC")
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        leads = app.inbox.leads
        while not (leads.total and leads.row_at(0) is not None):
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame with the rows
        out["list_paint_s"] = time.perf_counter() - t0
        out["since_exec_s"] = _since_exec()
        while app.inbox.conversation.lead_id is None:
            await asyncio.sleep(0.002)
        await pilot.pause()
        out["conversation_s"] = time.perf_counter() - t0
        out["leads"] = leads.total
        t1 = time.perf_counter()
        await pilot.press(*["j"] * 20)
        out["key_ms"] = (time.perf_counter() - t1) / 20 * 1000
        out["rss_mb"], out["peak_rss_mb"] = _rss_mb()
    store.close()
    return out


async def _datatable(path: str) -> dict[str, Any]:
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from benchmarks.gen_cache import NOW
    from sms_tui.store import Store

    t0 = time.perf_counter()
    store = Store.open(path)

    class TableApp(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Lead", "Last message", "When", "Unread")
            after = None
            while True:
                page = store.lead_page(after=after, limit=2000, now=NOW)
                table.add_rows(
                    (Text(r.display_name), Text(r.preview), str(r.last_activity_at or "")[:16], str(r.unread))
                    for r in page.rows
                )
                after = page.next_cursor
                if after is None:
                    break

    app = TableApp()
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        await pilot.pause()  # idle: DataTable measures every row before painting
        out["list_paint_s"] = time.perf_counter() - t0
        out["leads"] = table.row_count
        t1 = time.perf_counter()
        await pilot.press(*["down"] * 20)
        out["key_ms"] = (time.perf_counter() - t1) / 20 * 1000
        out["rss_mb"], out["peak_rss_mb"] = _rss_mb()
    store.close()
    return out


def _child(variant: str, path: str) -> None:
    run = _inbox if variant == "inbox" else _datatable
    print(json.dumps(asyncio.run(run(path))))


def _spawn(variant: str, path: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_ui", path, "--variant", variant]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=900)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="First paint of the inbox vs a DataTable lead list.")
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--variant", choices=["inbox", "datatable"], help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the inbox (the best and worst are shown)")
    args = ap.parse_args(argv)
    if not Path(args.path).exists():
        print(
            f"no cache at {args.path}: run `python -m benchmarks.gen_cache {args.path}` first",
            file=sys.stderr,
        )
        raise SystemExit(2)
    if args.variant:
        _child(args.variant, args.path)
        return
    inbox = [_spawn("inbox", args.path) for _ in range(max(1, args.repeat))]
    table = _spawn("datatable", args.path)
    best = min(inbox, key=lambda r: r["list_paint_s"])
    worst = max(inbox, key=lambda r: r["list_paint_s"])
    print(f"cache: {args.path} ({best['leads']:,} leads listed), terminal {SIZE[0]}x{SIZE[1]}, headless")
    peak = max(r["peak_rss_mb"] for r in inbox)
    print(
        f"inbox (virtual LeadList): list painted {best['list_paint_s']:.3f} s "
        f"(worst of {len(inbox)}: {worst['list_paint_s']:.3f} s; {best['since_exec_s']:.2f} s from process "
        f"start, imports included), conversation shown {best['conversation_s']:.3f} s, "
        f"{best['key_ms']:.1f} ms/key, RSS {best['rss_mb']:.0f} MB (peak {peak:.0f} MB)"
    )
    print(
        f"DataTable lead list:      painted {table['list_paint_s']:.3f} s, {table['key_ms']:.1f} ms/key, "
        f"RSS {table['rss_mb']:.0f} MB (peak {table['peak_rss_mb']:.0f} MB), {table['leads']:,} rows"
    )
    print(f"ratio DataTable / inbox first paint: {table['list_paint_s'] / best['list_paint_s']:.1f}x")
    ok = worst["list_paint_s"] <= 1.0 and peak <= 150
    print("targets (≤ 1 s, ≤ 150 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
