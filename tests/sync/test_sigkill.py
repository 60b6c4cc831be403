"""Real `sms-tui sync` processes, killed with SIGKILL at random moments while the carrier injects 5xx,
429s and connections dropped after the SMS was stored: nothing the rep sent is lost or duplicated —
an MMS too (its photo is uploaded through the Files API; the SMS goes once, with its attachment).

Bounded in time for `make test`: eight processes, each killed within a few seconds; then one engine in
this process settles (its clock set past the 90 s lease, so every claim a killed process left behind
is reconciled now instead of after a real minute and a half) and the carrier's records are compared
with the cache.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sms_tui.carrier import RunningCarrier, start_background
from sms_tui.carrier.files import SAMPLES_DIR
from sms_tui.core.models import Attachment
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync.engine import SyncEngine
from sms_tui.sync.outbox import DEFAULT_LEASE
from tests.sync.harness import textable_leads

KEY = "sigkill-test-key-0123456789"
ROUNDS = 8


@pytest.fixture
def carrier() -> Iterator[RunningCarrier]:
    running = start_background(api_key=KEY, seed=5)
    yield running
    running.stop()


def _env(tmp: Path, carrier: RunningCarrier) -> dict[str, str]:
    return {
        **os.environ,
        "SMS_TUI_CONFIG": str(tmp / "none.toml"),
        "SMS_TUI_BASE_URL": carrier.base_url,
        "SMS_TUI_API_KEY": KEY,
        "SMS_TUI_DATA_DIR": str(tmp / "data"),
    }


def _sync(tmp: Path, carrier: RunningCarrier, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sms_tui", "sync", *args],
        env=_env(tmp, carrier),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _faults(carrier: RunningCarrier, **values: float) -> None:
    httpx.post(
        f"http://{carrier.host}:{carrier.port}/_carrier/faults", json=values, auth=(KEY, ""), timeout=10
    ).raise_for_status()


def _carrier_sms(carrier: RunningCarrier) -> list[dict[str, Any]]:
    state = httpx.get(
        f"http://{carrier.host}:{carrier.port}/_carrier/state", auth=(KEY, ""), timeout=30
    ).json()
    return [s for s in state["sms"] if s["direction"] == "outbound"]


def _enqueue(
    store: Store, leads: list[tuple[str, str | None, str, str]], rng: random.Random, n: int, photo: Path
) -> list[str]:
    """n messages; about a third are MMS with a photo (uploaded by the engine, exactly once)."""
    texts = []
    for _ in range(n):
        lead_id, contact_id, phone, ours = rng.choice(leads)
        mms = rng.random() < 0.35
        text = f"{'Photo' if mms else 'Checking in'} ({rng.getrandbits(40):010x}). Reply STOP to opt out."
        files = (
            (Attachment(photo.name, "image/jpeg", photo.stat().st_size, local_path=str(photo)),)
            if mms
            else ()
        )
        now = datetime.now(UTC)
        store.enqueue_send(
            lead_id=lead_id, contact_id=contact_id, text=text, remote_phone=phone,
            local_phone=ours, send_at=now, now=now, attachments=files,
        )  # fmt: skip
        texts.append(text)
    return texts


def _until_sending_starts(store: Store, *, limit: float) -> None:
    """Wait (at most `limit` s) until the process claims or finishes a message."""

    def moved() -> int:
        sql = "SELECT count(*) FROM messages WHERE send_at IS NOT NULL AND local_state != 'outbox'"
        return int(store.db.execute(sql).fetchone()[0])

    before = moved()
    deadline = time.monotonic() + limit
    while moved() == before and time.monotonic() < deadline:
        time.sleep(0.02)


async def _settle(cache: Path, carrier: RunningCarrier) -> tuple[int, int]:
    """One engine whose clock runs past the lease: stale claims are reconciled, the rest is sent."""
    skew = DEFAULT_LEASE + timedelta(seconds=5)
    store = Store.open(cache)
    try:
        async with CloseClient(carrier.base_url, KEY) as client:
            engine = SyncEngine(store, client, now=lambda: datetime.now(UTC) + skew)
            for _ in range(10):
                await engine.push_outbox()
                if not store.outbox():
                    break
                skew += DEFAULT_LEASE
            return engine.totals.found, engine.totals.absent
    finally:
        store.close()


def test_sync_processes_killed_at_random_lose_nothing_and_duplicate_nothing(
    carrier: RunningCarrier, tmp_path: Path
) -> None:
    rng = random.Random(9)
    first = _sync(tmp_path, carrier, "--once")
    assert first.wait(timeout=120) == 0
    cache = tmp_path / "data" / "cache.sqlite3"
    store = Store.open(cache)
    leads = [lead for lead in textable_leads(store) if lead[3].startswith("+1")]
    assert len(leads) > 10
    photo = tmp_path / "roof.jpg"
    photo.write_bytes((SAMPLES_DIR / "roof.jpg").read_bytes())
    texts = _enqueue(store, leads, rng, 12, photo)
    _faults(carrier, rate_5xx=0.15, rate_429=0.1, rate_drop_after_store=0.3, retry_after=1, reply_rate=0)
    began = time.monotonic()
    in_flight = 0  # messages a killed process left claimed (`sending`)
    for _ in range(ROUNDS):
        process = _sync(tmp_path, carrier)
        _until_sending_starts(store, limit=15.0)
        time.sleep(rng.uniform(0.0, 0.6))  # a random point of its pushing
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        in_flight += store.db.execute(
            "SELECT count(*) FROM messages WHERE local_state = 'sending'"
        ).fetchone()[0]
        texts += _enqueue(store, leads, rng, rng.randint(1, 4), photo)
    assert time.monotonic() - began < 180
    _faults(carrier, rate_5xx=0, rate_429=0, rate_drop_after_store=0)
    found, absent = asyncio.run(_settle(cache, carrier))
    print(f"{len(texts)} sent, {in_flight} left in flight by a kill, settled: {found} found, {absent} absent")

    assert store.outbox() == [], "messages stuck in the outbox or in flight"
    carrier_sms = _carrier_sms(carrier)
    on_carrier = Counter(s["text"] for s in carrier_sms)
    files = {s["text"]: [a["filename"] for a in s["attachments"]] for s in carrier_sms}
    outcomes: Counter[str] = Counter()
    for text in texts:
        rows = store.db.execute(
            "SELECT local_state, remote_id FROM messages WHERE text = ?", (text,)
        ).fetchall()
        assert len(rows) == 1, f"{text!r} is in the cache {len(rows)} times"
        state, remote_id = rows[0]
        outcomes[state] += 1
        if remote_id is None:
            assert state in ("error", "blocked") and on_carrier[text] == 0, (text, state)
        else:
            assert on_carrier[text] == 1, f"{text!r} is on the carrier {on_carrier[text]} times"
            assert files[text] == (["roof.jpg"] if text.startswith("Photo") else []), (text, files[text])
    assert outcomes["sent"] + outcomes["error"] >= 0.8 * len(texts), outcomes
    assert sum(1 for t in texts if t.startswith("Photo") and on_carrier[t] == 1) >= 3, "too few MMS went out"
    assert in_flight + found + absent > 0, "no kill ever landed while a message was in flight"
    store.close()
