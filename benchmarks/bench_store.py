"""Time the store on a big cache (python -m benchmarks.bench_store PATH [--repeat N]).

PATH is a cache made by `python -m benchmarks.gen_cache PATH`. Prints p50/p95 in milliseconds for:
the lead list's first page and a deep page, the count, each seed query and a free-text query
(first page and count), opening a conversation, the header counts; then the message-upsert rate
into a fresh temporary cache. Targets (issue 4): page <= 10 ms, search <= 50 ms p95,
conversation <= 20 ms, upserts >= 5,000 SMS/s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from benchmarks.gen_cache import NOW
from sms_tui.store import LeadCursor, Store

SEARCHES = [
    "failed_sms > 1",
    "has:error_sms_messages",
    "sms(created:today direction:outgoing status:error)",
    "sms(status:error direction:outbound) -is:unread",
    "latest_sms_status:error",
    "sms_messages > 0",
    "is:unread",
    "is:done",
    "opted_out:true",
    "name:grace",
    "phone:{phone}",
    "created:2026-01-01..2026-01-31",
    "pricing",
    "contract -is:unread",
    '"follow up"',
    "thanks",
]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(first, p50, p95) in ms; the first call is reported apart (cold page cache)."""
    t0 = time.perf_counter()
    fn()
    first = (time.perf_counter() - t0) * 1000
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, int(round(0.95 * (len(runs) - 1))))]
    return first, statistics.median(runs), p95


def row(label: str, figures: tuple[float, float, float], target: float | None = None) -> None:
    first, p50, p95 = figures
    flag = "" if target is None else ("  ok" if p95 <= target else f"  OVER {target:g} ms")
    print(f"  {label:<58} first {first:7.2f}  p50 {p50:7.2f}  p95 {p95:7.2f}{flag}")


def bench_upserts(n: int = 50_000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(os.path.join(tmp, "u.db"))
        from sms_tui.core.models import Lead

        store.upsert_leads(Lead(id=f"lead_{i}", display_name=f"Lead {i}") for i in range(2000))
        msgs: list[dict[str, object]] = [
            {
                "id": f"acti_{i}",
                "lead_id": f"lead_{i % 2000}",
                "status": "inbox" if i % 2 else "sent",
                "direction": "inbound" if i % 2 else "outbound",
                "text": f"message number {i} about the pricing of seats",
                "date_created": (NOW - timedelta(seconds=n - i)).isoformat(),
                "local_phone": "+14155550100",
                "remote_phone": f"+1650555{i % 2000:04d}",
                "organization_id": "orga_1",
                "users": [],
            }
            for i in range(n)
        ]
        t0 = time.perf_counter()
        for i in range(0, n, 1000):  # pages as the sync engine gets them
            store.apply_remote_messages(msgs[i : i + 1000], unread_inbound=False)
        rate = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for i in range(0, n, 1000):  # a re-scan: nothing changed
            store.apply_remote_messages(msgs[i : i + 1000], unread_inbound=False)
        rescan = n / (time.perf_counter() - t0)
        store.close()
    print(
        f"  apply_remote_messages: {rate:,.0f} new SMS/s; "
        f"unchanged re-scan {rescan:,.0f} SMS/s (target 5,000)"
    )
    return rate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Time the store on a big cache.")
    ap.add_argument("path")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv)
    r = args.repeat
    store = Store.open(args.path)
    stats = store.stats()
    print(f"cache {args.path}: {stats['leads']:,} leads, {stats['messages']:,} messages")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print("times in ms")

    row("lead_page first page (50)", timed(lambda: store.lead_page(now=NOW), r), 10)
    depth = store.count_leads(now=NOW) * 3 // 4
    deep = store._conn.execute(
        "SELECT last_activity_at, lead_id FROM lead_state WHERE done = 0 "
        "ORDER BY last_activity_at DESC, lead_id DESC LIMIT 1 OFFSET ?",
        (depth,),
    ).fetchone()
    cursor = LeadCursor(deep[0], deep[1])
    row(
        f"lead_page deep page (after row {depth:,})",
        timed(lambda: store.lead_page(now=NOW, after=cursor), r),
        10,
    )
    row("count_leads (inbox)", timed(lambda: store.count_leads(now=NOW), r), 50)
    row("header_counts", timed(lambda: store.header_counts(NOW), r), 10)
    phone = store._conn.execute(
        "SELECT phone FROM lead_state WHERE done = 0 AND phone IS NOT NULL "
        "ORDER BY lead_id LIMIT 1 OFFSET 5000"
    ).fetchone()[0]
    for q in (s.replace("{phone}", phone[2:]) for s in SEARCHES):
        n = store.count_leads(q, now=NOW)
        row(f"search page  {q}  [{n:,}]", timed(partial(store.lead_page, query=q, now=NOW), r), 50)
        row(f"search count {q}", timed(partial(store.count_leads, q, now=NOW), r), 50)
    chatty = store._conn.execute(
        "SELECT lead_id, msg_count FROM lead_state ORDER BY msg_count DESC LIMIT 1"
    ).fetchone()
    typical = store._conn.execute("SELECT lead_id FROM lead_state WHERE msg_count = 10 LIMIT 1").fetchone()[0]
    row(
        f"conversation, {chatty[1]} messages (latest 200)",
        timed(lambda: store.conversation(chatty[0]), r),
        20,
    )
    row("conversation, 10 messages", timed(lambda: store.conversation(typical), r), 20)
    row("lead_detail", timed(lambda: store.lead_detail(typical), r), 20)
    page = store.lead_page(now=NOW).rows
    row("lead_rows (refresh 50 rows)", timed(lambda: store.lead_rows(x.lead_id for x in page), r), 10)
    print("query plan of the first page:")
    from sms_tui.store.search_sql import compile_lead_filter

    where, params = compile_lead_filter(None, now=NOW)
    for line in store._conn.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM lead_state ls WHERE {where} "
        "ORDER BY ls.last_activity_at DESC, ls.lead_id DESC LIMIT 51",
        params,
    ):
        print("   ", line[-1])
    store.close()
    bench_upserts()


if __name__ == "__main__":
    main()
