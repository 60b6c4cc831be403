"""The acceptance fault suite: 200 seeded trials against the fake carrier mixing 429s, 5xx, slow
answers (longer than the client's time-out, on the fake clock; before or after the carrier stored
the SMS), connections dropped after the carrier stored the SMS, polls, and engines abandoned
mid-flight (task cancelled between claim and answer) and restarted over a new Store object on the
same cache file.

At the end the carrier's records are compared with the cache: every message the rep sent is on the
carrier exactly once, or visibly failed/blocked with its reason; none lost, none duplicated.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from sms_tui.provider import ProviderError
from sms_tui.sync.outbox import DEFAULT_LEASE
from tests.sync.harness import World, textable_leads

TRIALS = 200


def _fault_mix(rng: random.Random) -> dict[str, float]:
    return {
        "rate_429": rng.choice([0, 0, 0.1, 0.3]),
        "rate_5xx": rng.choice([0, 0, 0.1, 0.3]),
        "status_5xx": rng.choice([500, 502, 503, 504]),
        "rate_slow": rng.choice([0, 0, 0.1, 0.25]),
        "slow_seconds": rng.choice([5, 30]),  # 30 s > the client's 20 s time-out
        "rate_drop_after_store": rng.choice([0, 0.2, 0.5]),
        "rate_slow_after_store": rng.choice([0, 0, 0.2]),  # stored, then held past the time-out
        "retry_after": rng.choice([1, 2]),
    }


async def _abandon(world: World, engine_push: Coroutine[Any, Any, object], rng: random.Random) -> None:
    """Run a push and cancel it after a random number of event-loop steps."""
    task = asyncio.ensure_future(engine_push)
    for _ in range(rng.randint(0, 40)):
        if task.done():
            break
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, ProviderError):
        await task


async def test_every_sent_message_ends_on_the_carrier_exactly_once_or_visibly_failed(world: World) -> None:
    rng = random.Random(20261123)
    store = world.store()
    leads = textable_leads(store)
    assert len(leads) > 20
    engine = world.engine(store)
    engines = [engine]
    sent: dict[int, str] = {}  # local id -> text (unique)
    undone: set[str] = set()
    abandoned = restarts = 0

    for trial in range(TRIALS):
        await world.faults(**_fault_mix(rng))
        for k in range(rng.randint(1, 3)):
            lead_id, contact_id, phone, ours = rng.choice(leads)
            text = f"Hi, Ann from Acme here (t{trial}m{k}). Reply STOP to opt out."
            now = world.clock.now()
            local_id = store.enqueue_send(
                lead_id=lead_id,
                contact_id=contact_id,
                text=text,
                remote_phone=phone,
                local_phone=ours,
                send_at=now + timedelta(seconds=rng.choice([0, 2, 5])),
                now=now,
            )
            if rng.random() < 0.05 and store.undo_send(local_id) is not None:
                undone.add(text)
                store.save_draft(lead_id, "")
            else:
                sent[local_id] = text
        for _ in range(rng.randint(1, 4)):
            world.clock.advance(rng.choice([0, 1, 3, 6]))
            roll = rng.random()
            if roll < 0.3:
                await _abandon(world, engine.push_outbox(), rng)
                abandoned += 1
                if rng.random() < 0.5:  # the process "crashed": a new engine over a new Store object
                    store = world.store()
                    engine = world.engine(store)
                    engines.append(engine)
                    restarts += 1
            elif roll < 0.45:
                with contextlib.suppress(ProviderError):
                    await engine.poll_once()
            else:
                await engine.push_outbox()

    # Settle: no more faults; let every claim expire so it is reconciled.
    await world.calm()
    for _ in range(8):
        world.clock.advance(DEFAULT_LEASE.total_seconds() + 1)
        await engine.push_outbox()
        if not store.outbox():
            break
    assert store.outbox() == [], "messages stuck in the outbox or in flight"

    on_carrier = Counter(s["text"] for s in await world.carrier_sms() if s["direction"] == "outbound")
    outcomes: Counter[str] = Counter()
    for local_id, text in sent.items():
        message = store.get_message(local_id)
        assert message is not None, f"message {local_id} lost from the cache"
        rows = store.db.execute("SELECT count(*) FROM messages WHERE text = ?", (text,)).fetchone()[0]
        assert rows == 1, f"{text!r} is in the cache {rows} times"
        outcomes[message.local_state] += 1
        if message.local_state == "blocked":
            assert message.block_reason, f"blocked without a reason: {message}"
            assert on_carrier[text] == 0, f"blocked {text!r} reached the carrier"
        elif message.remote_id is None:
            assert message.local_state == "error" and message.error_message, message
            assert on_carrier[text] == 0, f"{text!r} failed locally but is on the carrier"
        else:
            assert message.local_state in ("sent", "error"), message
            assert on_carrier[text] == 1, f"{text!r} is on the carrier {on_carrier[text]} times"
    for text in undone:
        assert on_carrier[text] == 0, f"undone {text!r} was sent"

    # The suite must really have exercised the hard paths.
    found = sum(e.totals.found for e in engines)
    absent = sum(e.totals.absent for e in engines)
    print(
        f"{len(sent)} sent, {abandoned} abandoned, {restarts} restarts, reconciled: {found} found, "
        f"{absent} proven absent; outcomes {dict(outcomes)}"
    )
    assert len(sent) >= 300 and abandoned >= 40 and restarts >= 15
    assert found >= 5 and absent >= 5 and found + absent >= 30
    assert outcomes["sent"] + outcomes["error"] >= 0.8 * len(sent), outcomes
