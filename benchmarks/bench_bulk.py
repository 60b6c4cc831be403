"""How long the bulk preview takes for 10,000 recipients (targets: first screen <= 0.3 s, every
verdict in <= 2 s, memory flat while scrolling).

    python -m benchmarks.bench_bulk [--tty CACHE] [--runs 5]       (or `make bench`)

In-process (always):

`core.campaign.preview` renders the template for each lead, counts segments, chooses the phone and
our number, reads the lead's local time and runs the send guard. Every run starts COLD: the phone
parsing and `can_text` memo caches are emptied first, as in a fresh process. Beside it, in the same
run, the floor: `core.compliance.check_send` alone over the same leads (the guard every single send
already pays), also cold. Median of 7 runs each, wall clock.

The recipients: distinct US numbers across many area codes (so quiet hours differ), a tenth in
Canada and the UK, 3% opted out, 2% with no first name, some with a landline before their mobile.

In the real process (`--tty CACHE`: `python -m benchmarks.gen_cache CACHE --leads 14300
--messages 143000` lists about 10,000 leads, with each phone's parsed facts as the sync's background
fill leaves them; `--no-facts` empties those first, as right after a first sync; our sending numbers
are added to a copy): `sms-tui` in a pseudo-terminal (benchmarks/tty.py), `*` marks every lead, `b`,
a template text, then ctrl+j (0.3 s after the text, and 5 s after: the leads are read ahead while
the rep writes) -> the first preview rows painted (first screen) and -> "judging" gone from the
totals (every verdict), then RSS before and after 300 and 600 PageDown presses through the list.
Beside it, in the same session, the lead list's own `j` (next lead's header painted) as the floor
of a key in that process.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sms_tui.core import compliance, phones
from sms_tui.core.campaign import BulkMessage, Recipient, preview, totals
from sms_tui.core.models import Contact, ContactPhone, OurNumber

N = 10_000
RUNS = 7
TARGET_S = 2.0
NOW = datetime(2026, 1, 14, 16, 0, tzinfo=UTC)  # 11:00 in New York, 08:00 in California
NUMBERS = (
    OurNumber("pn_us", "+14155552671", "US"),
    OurNumber("pn_gb", "+447400123999", "GB"),
)
MESSAGE = BulkMessage(
    'Hi {{ contact.first_name|default:"there" }}, this is {{ user.first_name }} from '
    "{{ organization.name }}: our spring offer on {{ lead.display_name }}'s plan ends Friday. "
    "Reply STOP to opt out.",
    user_first_name="Dana",
    user_last_name="Rep",
    org_name="Acme",
)
AREA_CODES = ("212", "305", "312", "415", "512", "617", "702", "808", "907", "206", "404", "214")
FIRST = ("Ada", "Bob", "Chloé", "Dmitri", "Eve", "Fatima", "Grace", "Hiro", "Ines", "José")


def recipients(n: int = N, seed: int = 14) -> list[Recipient]:
    rng = random.Random(seed)
    out: list[Recipient] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.05:
            number = f"+1416555{i % 10000:04d}"  # Toronto
        elif roll < 0.10:
            number = f"+447400{i % 1000000:06d}"
        else:
            number = f"+1{AREA_CODES[i % len(AREA_CODES)]}55{(i // 12) % 100000:05d}"[:12]
        entries = [ContactPhone(number, type="mobile")]
        if rng.random() < 0.05:
            entries.insert(0, ContactPhone("+442079460000", type="office"))
        first = "" if rng.random() < 0.02 else FIRST[i % len(FIRST)]
        contact = Contact(f"cont_{i}", f"lead_{i}", f"{first} Doe", first_name=first, phones=tuple(entries))
        opted = frozenset({number}) if rng.random() < 0.03 else frozenset()
        out.append(Recipient(f"lead_{i}", f"Company {i}", (contact,), opted_out=opted))
    return out


def _cold() -> None:
    phones._parse_cached.cache_clear()
    phones.can_text.cache_clear()
    phones.forget_facts()


def _median(fn: Callable[[], object]) -> tuple[float, list[float]]:
    times: list[float] = []
    for _ in range(RUNS):
        _cold()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _floor(rs: list[Recipient]) -> None:
    for r in rs:
        number = r.contacts[0].phones[-1].phone
        compliance.check_send(
            text="Hi Ada, this is Dana from Acme. Reply STOP to opt out.",
            to_number=number,
            from_number=NUMBERS[0].number,
            opted_out=False,
            do_not_text=False,
            now=NOW,
            first_message=True,
        )


def tty_session(cache: str, typing: float = 0.3, *, facts: bool = True) -> dict[str, float]:
    import sys
    import tempfile
    from pathlib import Path

    from benchmarks.bench_tty import _env
    from benchmarks.tty import Term
    from sms_tui.store import Store

    out: dict[str, float] = {}
    n = 0
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as tmp:
        path = Path(tmp) / "cache.sqlite3"
        with Store.open(cache) as src:
            src.db.conn.execute("VACUUM INTO ?", (str(path),))
        with Store.open(path) as store:
            store.upsert_our_numbers(list(NUMBERS))
            if not facts:  # as right after a first sync, before the background fill got to them
                with store._write() as conn:
                    conn.execute("UPDATE contact_phones SET facts = NULL")
            first = store.lead_page(limit=2, now=datetime.now(UTC)).rows
            n = store.count_leads(now=datetime.now(UTC))
        with Term([str(Path(sys.executable).parent / "sms-tui")], _env(tmp), (120, 36)) as term:
            term.wait(first[0].display_name)
            time.sleep(1.0)
            term.mark()
            sent = term.keys("j")  # the floor: the next lead's conversation header painted
            out["j_ms"] = (term.wait(first[1].display_name + "  ·") - sent) * 1000
            term.keys("*")
            term.wait(f"{n:,} marked", timeout=30)
            term.keys("b")
            term.wait(f"Bulk text to {n:,}")
            term.keys("Hi {{ contact.first_name }}, Dana from Acme: our spring offer. Reply STOP to opt out.")
            time.sleep(typing)  # the rep writing (the leads are read ahead meanwhile)
            term.mark()
            sent = term.keys("\n")  # ctrl+j
            out["recipients"] = n
            # the first preview rows (our number as they show it), then every verdict in
            out["first_screen_s"] = term.wait("← +1 415-555-2671", timeout=30) - sent
            term.wait(f"Recipients {n:,} ", timeout=120)
            done = term.wait_gone("judging", timeout=120)
            out["all_verdicts_s"] = done - sent
            time.sleep(0.5)
            out["rss_before_mb"] = term.rss_mb()
            for key in ("rss_300_pagedown_mb", "rss_600_pagedown_mb"):
                for _ in range(300):
                    term.keys("\x1b[6~")  # PageDown
                    term._pump(0.005)
                time.sleep(1.0)
                term.mark()
                out[key] = term.rss_mb()
    return out


def tty(cache: str, runs: int, typings: tuple[float, ...] = (0.3, 5.0), *, facts: bool = True) -> None:
    for typing in typings:
        sessions = [tty_session(cache, typing, facts=facts) for _ in range(runs)]
        n = sessions[0]["recipients"]
        known = "known" if facts else "NOT known yet"
        print(f"real process, {n:,.0f} recipients, phones' facts {known}, ctrl+j {typing} s after the text,")
        print(f"median of {runs}:")
        _report(sessions)


def _report(sessions: list[dict[str, float]]) -> None:
    keys = (
        "j_ms",
        "first_screen_s",
        "all_verdicts_s",
        "rss_before_mb",
        "rss_300_pagedown_mb",
        "rss_600_pagedown_mb",
    )
    for key in keys:
        values = [s[key] for s in sessions]
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"real process {key}: median {statistics.median(values):.3f}  ({shown})")


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--tty", metavar="CACHE", help="also time the real process on this 10,000-lead cache")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--typing", type=float, nargs="*", default=[0.3, 5.0], help="seconds before ctrl+j")
    ap.add_argument(
        "--no-facts",
        action="store_true",
        help="empty the phones' parsed facts first (a cache right after its first sync)",
    )
    args = ap.parse_args()
    rs = recipients()
    result = preview(rs, MESSAGE, NUMBERS, now=NOW)
    t = totals(result)
    print(
        f"{N:,} recipients: ok {t.ok:,}, warned {t.warned:,}, blocked {t.blocked:,}, "
        f"{t.segments:,} segments, {t.cost_text()}"
    )
    full, runs = _median(lambda: preview(rs, MESSAGE, NUMBERS, now=NOW))
    floor, floor_runs = _median(lambda: _floor(rs))
    verdict = "OK" if full <= TARGET_S else "OVER"
    print(f"preview, cold, median of {RUNS}: {full:.3f} s  (runs {', '.join(f'{x:.2f}' for x in runs)})")
    shown = ", ".join(f"{x:.2f}" for x in floor_runs)
    print(f"floor: check_send alone, cold:  {floor:.3f} s  (runs {shown})")
    print(f"target <= {TARGET_S:.1f} s: {verdict}")
    if args.tty:
        tty(args.tty, args.runs, tuple(args.typing), facts=not args.no_facts)


if __name__ == "__main__":
    main()
