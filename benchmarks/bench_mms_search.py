"""In-process supplement: MMS search over a big cache where 1% of messages carry an attachment.

    python -m benchmarks.gen_cache /tmp/cache.db        # 100k leads, ~1M messages
    python -m benchmarks.bench_mms_search /tmp/cache.db  # adds attachments to 1% once, then times

Median of 7 runs each, the first page (50 rows) and the full count, the MMS queries beside peers
(triage counters, an sms(...) filter, a free-text word) in the same run.
"""

from __future__ import annotations

import functools
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sms_tui.store import Store

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def med(fn: Callable[[], object], n: int = 7) -> float:
    out: list[float] = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)


def main() -> None:
    path = sys.argv[1]
    store = Store.open(path)
    conn = store._conn
    if conn.execute("SELECT count(*) FROM messages WHERE attachments > '[]'").fetchone()[0] == 0:
        rng = random.Random(3)
        total = conn.execute("SELECT max(local_id) FROM messages").fetchone()[0]
        ids = rng.sample(range(1, total + 1), total // 100)
        kinds = [
            ("image/jpeg", "photo.jpg"),
            ("image/png", "shot.png"),
            ("application/pdf", "quote.pdf"),
            ("video/mp4", "tour.mp4"),
        ]
        rows = []
        for i in ids:
            ct, fn = rng.choice(kinds)
            rows.append(
                (
                    json.dumps(
                        [
                            {
                                "content_type": ct,
                                "filename": fn,
                                "media_id": f"media_{i}",
                                "size": 1000,
                                "url": "u",
                            }
                        ],
                        separators=(",", ":"),
                        sort_keys=True,
                    ),
                    i,
                )
            )
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("UPDATE messages SET attachments = ? WHERE local_id = ?", rows)
        conn.execute("COMMIT")
    print(
        "messages",
        conn.execute("SELECT count(*) FROM messages").fetchone()[0],
        "with attachments",
        conn.execute("SELECT count(*) FROM messages WHERE attachments > '[]'").fetchone()[0],
    )
    for q in (
        "has:attachment",
        "attachment_type:image",
        "attachment_type:pdf",
        "sms(has:attachment direction:inbound)",
        "has:draft",
        "is:unread",
        "sms(direction:inbound status:inbox)",
        "pricing",
    ):
        page = med(functools.partial(store.lead_page, query=q, now=NOW, limit=50))
        count = med(functools.partial(store.count_leads, q, now=NOW))
        leads = store.count_leads(q, now=NOW)
        print(f"{q:45s} first page {page:8.1f} ms   count {count:8.1f} ms   ({leads} leads)")


if __name__ == "__main__":
    main()
