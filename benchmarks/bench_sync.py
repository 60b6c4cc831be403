"""First sync of 100k SMS from the fake carrier (python -m benchmarks.bench_sync [--sms N] [--source S]).

In-process: the carrier is a Starlette app reached through httpx.ASGITransport (no sockets), the
cache a fresh SQLite file in a temporary directory. Two sources:

- `carrier` — the real fake carrier (`sms_tui.carrier.create_app`) with N extra SMS added to its
  demo organisation: the end-to-end figure.
- `replay` — the same SMS records served by a minimal Close-compatible ASGI app that only slices a
  pre-sorted list: what the client + sync engine + store can take when the server is not the limit.

Prints SMS/s for the SMS phase of the first sync, by the wall clock and per CPU-second of this
process (the in-process server's work included; on a busy shared machine the CPU figure is the
steadier one). Target (issue 4): >= 5,000 SMS/s.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from sms_tui.carrier import FakeClock, create_app
from sms_tui.carrier.simulation import new_sms
from sms_tui.carrier.state import public
from sms_tui.config import Settings
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync import FirstSyncProgress, SyncEngine

KEY = "bench-key"


def build_carrier(n: int) -> Any:
    clock = FakeClock()
    app = create_app(api_key=KEY, seed=1, clock=clock)
    carrier = app.carrier
    contacts = [c for c in carrier.state.all("contact") if c["phones"]]
    start = clock.now() - timedelta(days=365)
    with carrier.lock:
        for i in range(n):
            contact = contacts[i % len(contacts)]
            outbound = i % 3 != 0
            sms = new_sms(
                carrier,
                at=start + timedelta(seconds=i * 97),
                status="sent" if outbound else "inbox",
                direction="outbound" if outbound else "inbound",
                text=f"Bench message {i}: following up on the quote, does Thursday work?",
                lead_id=contact["lead_id"],
                contact_id=contact["id"],
                local_phone="+16503334444",
                remote_phone=contact["phones"][0]["phone"],
            )
            carrier.state.put("sms", sms)
        carrier.state.flush()
    return app, clock


def _negate(iso_text: str) -> tuple[int, ...]:
    """Sort key that reverses ISO datetime text order (newest first becomes ascending)."""
    return tuple(-ord(ch) for ch in iso_text)


class ReplayApp:
    """Serves GET /api/v1/<path>/ pages from pre-rendered lists; everything else from `fallback`."""

    def __init__(self, fallback: Any, sms: list[dict[str, Any]]) -> None:
        self.fallback = fallback
        self.sms = sorted(sms, key=lambda s: (s["date_created"], s["id"]), reverse=True)
        self.negated = [_negate(s["date_created"]) for s in self.sms]  # ascending, for bisect

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/api/v1/activity/sms/" and scope["method"] == "GET":
            params = dict(parse_qsl(scope["query_string"].decode()))
            skip, limit = int(params.get("_skip", 0)), min(int(params.get("_limit", 100)), 200)
            start = 0
            if "date_created__lte" in params:  # the client's date windows (same text format)
                bound = datetime.fromisoformat(params["date_created__lte"]).isoformat(timespec="microseconds")
                start = bisect.bisect_left(self.negated, _negate(bound))
            rows = self.sms[start + skip : start + skip + limit]
            more = start + skip + len(rows) < len(self.sms)
            body = json.dumps({"data": rows, "has_more": more}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})
            return
        await self.fallback(scope, receive, send)


async def first_sync(app: Any, clock: FakeClock, folder: Path) -> tuple[float, float, float, int]:
    marks: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def progress(p: FirstSyncProgress) -> None:
        marks.setdefault(p.stage, time.perf_counter())
        cpu.setdefault(p.stage, time.process_time())

    store = Store.open(folder / "cache.sqlite3")
    client = CloseClient("http://bench/api/v1/", KEY, transport=httpx.ASGITransport(app=app))
    engine = SyncEngine(store, client, now=clock.now, settings=Settings(), page_size=200)
    began = time.perf_counter()
    result = await engine.first_sync(progress)
    ended = time.perf_counter()
    cpu_seconds = time.process_time() - cpu["messages"]
    await client.aclose()
    messages = store.stats()["messages"]
    store.close()
    assert result.messages >= messages
    return ended - marks["messages"], cpu_seconds, ended - began, result.messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sms", type=int, default=100_000)
    parser.add_argument("--source", choices=["carrier", "replay", "both"], default="both")
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus, "
          f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}")  # fmt: skip
    print(f"building a fake carrier with {args.sms:,} extra SMS ...", flush=True)
    app, clock = build_carrier(args.sms)
    sources = ["replay", "carrier"] if args.source == "both" else [args.source]
    for source in sources:
        served = app
        if source == "replay":
            served = ReplayApp(app, [public(s) for s in app.carrier.state.all("sms")])
        with tempfile.TemporaryDirectory() as tmp:
            sms_seconds, cpu_seconds, total, count = asyncio.run(first_sync(served, clock, Path(tmp)))
        print(
            f"{source:8} first sync: {count:,} SMS in {sms_seconds:.1f} s wall = "
            f"{count / sms_seconds:,.0f} SMS/s; {cpu_seconds:.1f} s CPU (all threads, server included) = "
            f"{count / cpu_seconds:,.0f} SMS per CPU-s "
            f"(whole first sync incl. leads {total:.1f} s); target >= 5,000 SMS/s",
            flush=True,
        )


if __name__ == "__main__":
    main()
