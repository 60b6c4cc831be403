"""The fake carrier at scale, measured as a client feels it: the real `sms-tui carrier` process on a
loopback socket (issue 8, item 5; issue 12, item 8).

1. Build: `sms-tui carrier --leads N --sms M --users K --db PATH` from exec until it serves.
2. Start: the same command on the built database, exec -> first answered request, beside the floor
   (the same command on the demo organization's database, 240 leads) in the same run.
3. Requests over HTTP, median and max of `--runs` each, beside `GET /me/` (the smallest answer) as the
   floor: one lead's SMS (a heavy lead and a typical one), the event log with filters, a deep `_skip`
   page of SMS and of leads.

    python -m benchmarks.bench_carrier                       # 100k leads / 1M SMS (builds once)
    python -m benchmarks.bench_carrier --leads 2000 --sms 20000
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

KEY = "bench-key"
RUNNING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # time real starts
    env["SMS_TUI_CARRIER_API_KEY"] = KEY
    return env


def _start(*args: str) -> tuple[subprocess.Popen[str], int, float]:
    """Start the carrier; return it, its port and the seconds from exec to its first answer."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sms_tui", "carrier", "--port", "0", "--fault", "key_limit=0", *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        match = RUNNING.search(line)
        if match:
            port = int(match.group(1))
            httpx.get(f"http://127.0.0.1:{port}/api/v1/me/", auth=(KEY, ""), timeout=60).raise_for_status()
            return proc, port, time.perf_counter() - began
    proc.kill()
    raise RuntimeError("the carrier never said it was running")


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.communicate(timeout=30)


def _time(client: httpx.Client, path: str, params: dict[str, Any], runs: int) -> tuple[float, float, int]:
    times = []
    size = 0
    for _ in range(runs):
        began = time.perf_counter()
        r = client.get(path, params={"_limit": 50 if path == "event/" else 100, **params})
        times.append((time.perf_counter() - began) * 1000)
        r.raise_for_status()
        size = len(r.json().get("data", [])) if isinstance(r.json(), dict) else 0
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--sms", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, default=None, help="reuse (or build into) this database")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-carrier-"))
    db = args.db or tmp / f"org-{args.leads}-{args.sms}.db"
    spec = ["--leads", str(args.leads), "--sms", str(args.sms), "--users", str(args.users)]
    fresh = not db.exists()
    proc, port, seconds = _start("--db", str(db), *spec)
    _stop(proc)
    what = "build" if fresh else "open (already built)"
    size = db.stat().st_size / 1e6
    print(f"{what}: {args.leads:,} leads / {args.sms:,} SMS / {args.users} users into {db} ({size:.0f} MB):")
    print(f"  {seconds:.1f} s from exec to serving")

    floor_db = tmp / "demo.db"
    _stop(_start("--db", str(floor_db), "--seed", "1")[0])  # built once, so only the start is timed
    starts, floors = [], []
    for _ in range(args.runs):
        proc, _, seconds = _start("--db", str(db))
        starts.append(seconds)
        _stop(proc)
        proc, _, seconds = _start("--db", str(floor_db), "--seed", "1")
        floors.append(seconds)
        _stop(proc)
    print(f"start on the built db, exec -> first answer: median {statistics.median(starts):.2f} s", end=" ")
    print(f"(max {max(starts):.2f}); floor, the same on the demo org's db: {statistics.median(floors):.2f} s")

    proc, port, _ = _start("--db", str(db))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1/", auth=(KEY, ""), timeout=120) as c:
            state = c.get(f"http://127.0.0.1:{port}/_carrier/state", params={"sms": "false"}).json()
            page = c.get("activity/sms/", params={"_limit": 100}).json()["data"]
            typical = page[len(page) // 2]["lead_id"]
            heavy_count, heavy = 0, typical
            for lead_id in {s["lead_id"] for s in page}:
                n = len(c.get("activity/sms/", params={"lead_id": lead_id, "_limit": 100}).json()["data"])
                if n > heavy_count:
                    heavy_count, heavy = n, lead_id
            newest = c.get("event/", params={"object_type": "activity.sms", "action": "created", "_limit": 1})
            latest = (
                newest.json()["data"][0]["date_updated"] if newest.json()["data"] else "2000-01-01T00:00:00"
            )
            deep_sms = min(200_000, max(0, state["counts"]["sms"] - 100))
            deep_leads = min(45_000, max(0, state["counts"]["lead"] - 100))
            sms_created: dict[str, Any] = {"object_type": "activity.sms", "action": "created"}
            since = latest[:11] + "00:00:00"
            cases: list[tuple[str, str, dict[str, Any]]] = [
                ("floor: GET me/", "me/", {}),
                ("GET activity/sms/?lead_id=<heavy lead>", "activity/sms/", {"lead_id": heavy}),
                ("GET activity/sms/?lead_id=<typical lead>", "activity/sms/", {"lead_id": typical}),
                ("GET event/?object_type=activity.sms&action=created", "event/", sms_created),
                (
                    "GET event/ …&date_updated__gt=<this hour>",
                    "event/",
                    {**sms_created, "date_updated__gt": since},
                ),
                ("GET event/?lead_id=<heavy lead>", "event/", {"lead_id": heavy}),
                (f"GET activity/sms/?_skip={deep_sms:,}&_limit=100", "activity/sms/", {"_skip": deep_sms}),
                (f"GET lead/?_skip={deep_leads:,}&_limit=100", "lead/", {"_skip": deep_leads}),
                ("GET lead/?_limit=100 (first page, contacts embedded)", "lead/", {}),
            ]
            print(f"requests over loopback, {args.runs} runs each (ms):")
            for label, path, params in cases:
                median, worst, rows = _time(c, path, params, args.runs)
                print(f"  {label:58} median {median:7.1f}  max {worst:7.1f}  rows {rows}")
    finally:
        _stop(proc)


if __name__ == "__main__":
    main()
