"""What running a 10,000-recipient campaign costs the sync engine (in-process supplement).

    python -m benchmarks.bench_campaign

1. **Planning** (`core.drip.plan`, once per campaign, again after a resume or a restart): 10,000
   distinct US numbers over many area codes, one sending number, a drip of 50 every 10 minutes with a
   daily cap of 2,000, COLD (phone and zone memo caches emptied first). Floor in the same run: parsing
   the same 10,000 numbers cold (`core.phones.parse_phone`), which any per-recipient look-up pays.
2. **A runner step** (`sync.campaigns.CampaignRunner.step`, every push, twice a second) on a
   10,000-recipient cache with nothing due (the common case while a drip waits). Floor in the same run:
   `Store.header_counts()`, a small read the inbox makes as often.

Median of 7 runs each, wall clock, this machine.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sms_tui.core import drip, phones
from sms_tui.core.bulk_spec import CampaignSpec
from sms_tui.core.models import Contact, ContactPhone, Lead
from sms_tui.store import Store
from sms_tui.store.campaign_rows import NewRecipient
from sms_tui.sync.campaigns import CampaignRunner

N = 10_000
RUNS = 7
NOW = datetime(2026, 1, 14, 16, 0, tzinfo=UTC)
AREAS = ("212", "213", "305", "312", "415", "512", "617", "702", "713", "808", "907", "206", "303", "404")
FROM = "+16503334444"
SPEC = CampaignSpec("bench", "Hi", mode="drip", drip_count=50, drip_minutes=10, daily_cap=2000)


def _phone(i: int) -> str:
    return f"+1{AREAS[i % len(AREAS)]}{200 + (i // 10_000) % 700}{i % 10_000:04d}"


def _cold() -> None:
    for module in (phones, drip):
        for value in vars(module).values():
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


def _median(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        _cold()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _steps(runner: CampaignRunner) -> float:
    """The median of RUNS steps in one event loop, after the first (which plans and releases)."""
    await runner.step()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await runner.step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    pending = [drip.Pending(i, _phone(i), FROM) for i in range(N)]
    planned = _median(lambda: drip.plan(pending, SPEC, now=NOW))
    parsed = _median(lambda: [phones.parse_phone(p.phone) for p in pending])
    print(f"plan {N:,} recipients (drip 50/10 min, cap 2,000): {planned * 1000:,.0f} ms median")
    print(f"  floor: parse the same {N:,} numbers cold:        {parsed * 1000:,.0f} ms median")

    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.sqlite3")
        leads = [
            Lead(
                f"lead_{i}",
                f"Lead {i}",
                (Contact(f"c_{i}", f"lead_{i}", "Pat", phones=(ContactPhone(_phone(i)),)),),
            )
            for i in range(N)
        ]
        store.upsert_leads(leads)
        rows = [NewRecipient(f"lead_{i}", _phone(i), FROM, "Hi", display_name=f"Lead {i}") for i in range(N)]
        store.create_campaign(SPEC, rows, now=NOW)
        clock = [NOW]
        runner = CampaignRunner(store, now=lambda: clock[0])
        step = asyncio.run(_steps(runner))
        header = _median(lambda: store.header_counts(NOW))
        store.close()
    print(f"runner step, {N:,}-recipient campaign, nothing due: {step * 1000:.2f} ms median")
    print(f"  floor: Store.header_counts():                  {header * 1000:.2f} ms median")


if __name__ == "__main__":
    main()
