"""How long the bulk preview takes for 10,000 recipients (target: every verdict in <= 2 s).

    python -m benchmarks.bench_bulk        (or `make bench` for every benchmark)

`core.campaign.preview` renders the template for each lead, counts segments, chooses the phone and
our number, reads the lead's local time and runs the send guard. Every run starts COLD: the phone
parsing and `can_text` memo caches are emptied first, as in a fresh process. Beside it, in the same
run, the floor: `core.compliance.check_send` alone over the same leads (the guard every single send
already pays), also cold. Median of 7 runs each, wall clock.

The recipients: distinct US numbers across many area codes (so quiet hours differ), a tenth in
Canada and the UK, 3% opted out, 2% with no first name, some with a landline before their mobile.
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


def main() -> None:
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


if __name__ == "__main__":
    main()
