"""Generate a big, deterministic cache: 100k leads, ~1M messages (python -m benchmarks.gen_cache PATH).

Writes straight into the store's schema with executemany in large transactions; the store's own
triggers keep the triage rows and FTS indexes, exactly as in real use. Deterministic for a seed.

Known answers for the benchmark's seed queries are spread in: ~3% of outbound messages fail, a few
hundred failed today, ~2% of leads have unread replies, some done/snoozed leads, some opt-outs.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from sms_tui.core.phones import facts_json
from sms_tui.store import Store
from sms_tui.store.convert import ts
from sms_tui.store.schema import reversed_digits

#: The benchmark's `now` (fixed so "today" is deterministic).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

FIRST = (
    "Ann Bob Carla Dan Eve Frank Grace Hugo Ines Jon Kim Liam Mia Noah Olga Paul Quinn Rosa Sam Tia".split()
)
LAST = "Smith Jones Garcia Miller Davis Lopez Wilson Moore Taylor Lee Martin Clark Lewis Walker Young".split()
COMPANY = "Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Wonka Tyrell Cyberdyne Soylent".split()
#: Real words in rough frequency order; they take the top ranks of a Zipf vocabulary of VOCAB words
#: (the rest are made-up words), so free-text search sees realistic term frequencies: "thanks" is in
#: several % of messages, "pricing" in well under 1 %, most words in a handful.
COMMON = (
    "the to you i a and for is it we on can that your be this have will at with are me just do "
    "thanks hi what when so call know let get if tomorrow today good great time sounds ok next week "
    "meeting send follow up demo price question monday friday team morning afternoon available"
).split()
SALES = (
    "quote pricing contract discount trial renewal invoice proposal budget approval onboarding "
    "seats license upgrade signature timeline procurement legal security integration webinar"
).split()
VOCAB = 5000
_SYLLABLES = "ka lo mi ne su ta ri po de va xo lu fe bi zan tor mel pri cos den".split()


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = [*COMMON, SALES[0]]
    made: set[str] = set(words) | set(SALES)
    while len(words) < VOCAB:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        if w not in made:
            made.add(w)
            words.append(w)
    for i, w in enumerate(SALES[1:], start=1):  # spread the other sales words over ranks ~190..1900
        words.insert(100 + i * 90, w)
    words = words[:VOCAB]
    cum: list[float] = []
    total = 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cum.append(total)
    return words, cum


def generate(path: str, *, leads: int = 100_000, messages: int = 1_000_000, seed: int = 7) -> dict[str, int]:
    if os.path.exists(path):
        os.remove(path)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    rng = random.Random(seed)
    words, cum = _vocabulary(random.Random(seed + 1))

    def text() -> str:
        return " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(4, 18))).capitalize() + "."

    store = Store.open(path)
    conn = store._conn  # bulk load: below the public API on purpose
    conn.execute("PRAGMA synchronous = OFF")
    start = NOW - timedelta(days=720)
    lead_rows, contact_rows, phone_rows = [], [], []
    texting: list[tuple[str, str]] = []
    for i in range(leads):
        lead_id = f"lead_{i:07d}"
        created = start + timedelta(seconds=rng.randint(0, 700 * 86400))
        lead_rows.append((lead_id, f"{rng.choice(COMPANY)} {rng.choice(LAST)} {i}", ts(created)))
        for j in range(1 + (rng.random() < 0.3)):
            cid = f"cont_{i:07d}_{j}"
            first, last = rng.choice(FIRST), rng.choice(LAST)
            contact_rows.append((cid, lead_id, f"{first} {last}", first, last, j))
            phone = f"+1{rng.randint(201, 989)}{rng.randint(2000000, 9999999)}"
            # the parsed facts, as the sync's background fill leaves them (schema 9)
            phone_rows.append((cid, phone, "mobile", phone, 0, reversed_digits(phone), facts_json(phone)))
            if j == 0:
                texting.append((lead_id, phone))
    with store._write():
        conn.executemany("INSERT INTO leads (id, display_name, date_created) VALUES (?, ?, ?)", lead_rows)
        conn.executemany(
            "INSERT INTO contacts (id, lead_id, name, first_name, last_name, position) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            contact_rows,
        )
        conn.executemany(
            "INSERT INTO contact_phones (contact_id, phone, type, phone_formatted, position, rdigits, facts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            phone_rows,
        )
        conn.executemany(
            "UPDATE lead_state SET phone = ? WHERE lead_id = ?", [(p, lid) for lid, p in texting]
        )
    # messages: skewed per lead (a few chatty leads, many quiet ones), in time order per lead
    remaining = messages
    batch: list[tuple[object, ...]] = []
    n = 0
    our = "+14155550100"
    for i in range(leads):
        if remaining <= 0:
            break
        left = leads - i
        count = min(remaining, max(0, int(rng.expovariate(1 / (remaining / left)))))
        if i == leads - 1:
            count = remaining
        remaining -= count
        lead_id = f"lead_{i:07d}"
        phone = texting[i][1]
        t = NOW - timedelta(seconds=rng.randint(60, 600 * 86400))
        times = sorted(t + timedelta(seconds=rng.randint(0, 30 * 86400)) for _ in range(count))
        for k, when in enumerate(times):
            when = min(when, NOW - timedelta(seconds=30))
            inbound = rng.random() < 0.45
            if inbound:
                state, status, direction = "inbox", "inbox", "inbound"
            else:
                direction = "outbound"
                state = status = "error" if rng.random() < 0.03 else "sent"
            unread = inbound and k == count - 1 and rng.random() < 0.05
            n += 1
            batch.append(
                (
                    f"acti_{n:08d}",
                    lead_id,
                    direction,
                    status,
                    state,
                    text(),
                    ts(when),
                    ts(when),
                    our,
                    phone,
                    0 if unread else 1,
                    "Error 30007 carrier violation" if state == "error" else None,
                )
            )
        if len(batch) >= 50_000:
            _flush(store, batch)
    # a few hundred failures today, so sms(created:today ... status:error) has answers
    for _ in range(300):
        lead_id = f"lead_{rng.randrange(leads):07d}"
        when = NOW.replace(hour=0) + timedelta(seconds=rng.randint(0, 14 * 3600))
        n += 1
        batch.append(
            (
                f"acti_{n:08d}",
                lead_id,
                "outbound",
                "error",
                "error",
                text(),
                ts(when),
                ts(when),
                our,
                None,
                1,
                "Error 30003 unreachable",
            )
        )
    _flush(store, batch)
    with store._write():
        conn.execute(
            "UPDATE lead_state SET done = 1 WHERE lead_id IN (SELECT lead_id FROM lead_state "
            "WHERE unread = 0 ORDER BY lead_id LIMIT ?)",
            (leads * 3 // 10,),
        )
        snooze = ts(NOW + timedelta(days=2))
        conn.execute(
            "UPDATE lead_state SET snoozed_until = ? WHERE lead_id IN (SELECT lead_id FROM lead_state "
            "WHERE done = 0 ORDER BY lead_id DESC LIMIT ?)",
            (snooze, leads // 50),
        )
        optouts = [texting[rng.randrange(leads)][1] for _ in range(500)]
    for phone in optouts:
        store.set_phone_opt_out(phone, True, now=NOW)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("ANALYZE")
    stats = store.stats()
    store.close()
    return stats


def _flush(store: Store, batch: list[tuple[object, ...]]) -> None:
    with store._write() as conn:
        conn.executemany(
            "INSERT INTO messages (remote_id, lead_id, direction, status, local_state, text, date_created, "
            "sort_at, local_phone, remote_phone, is_read, error_message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
    batch.clear()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("path", help="cache file to (re)create, e.g. benchmarks/data/cache.db")
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    stats = generate(args.path, leads=args.leads, messages=args.messages, seed=args.seed)
    elapsed = time.perf_counter() - t0
    size = os.path.getsize(args.path) / 1e6
    print(
        f"{stats['leads']} leads, {stats['messages']} messages in {elapsed:.1f} s ({size:.0f} MB) "
        f"-> {args.path}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
