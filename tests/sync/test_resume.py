"""First sync once per cache; then a launch resumes from the marks for a handful of requests;
`--full` starts over; the continuous sync waits out a 429 at start instead of exiting."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sms_tui.sync.first_sync import Scope
from tests.sync.harness import World, textable_leads


async def test_a_warm_cache_resumes_for_a_handful_of_requests(world: World) -> None:
    store = world.store()
    before = store.stats()
    engine = world.engine(store)
    assert not engine.needs_first_sync
    world.transport.requests.clear()
    await engine.start()
    assert engine.ready and store.stats() == before
    # me, numbers, templates (refreshed at every launch) and one event-log page; no lead, no SMS list
    assert len(world.transport.requests) <= 5
    assert not any("/lead/" in p or p.endswith("/activity/sms/") for _, p in world.transport.requests)


async def test_full_runs_the_first_sync_again(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    world.transport.requests.clear()
    await engine.start(full=True)
    paths = [p for _, p in world.transport.requests]
    assert any(p.endswith("/me/") for p in paths) and any("/lead/" in p for p in paths)
    assert not engine.needs_first_sync


async def test_a_cold_cache_runs_the_first_sync_once(empty_world: World) -> None:
    world = empty_world
    store = world.store()
    engine = world.engine(store)
    assert engine.needs_first_sync
    await engine.start()
    again = world.engine(store)
    world.transport.requests.clear()
    await again.start()
    assert not any("/lead/" in p or "/activity/sms/" in p for _, p in world.transport.requests)


async def test_the_first_sync_window_is_configurable(empty_world: World) -> None:
    world = empty_world
    store = world.store()
    engine = world.engine(store, scope=Scope(history_days=7))
    result = await engine.first_sync()
    window = (world.clock.now() - timedelta(days=7)).isoformat()
    state = (await world.ctl.get("/_carrier/state")).json()
    recent = [s for s in state["sms"] if s["date_created"] >= window]
    assert 0 < result.messages == len(recent) < len(state["sms"])


async def test_older_messages_of_a_lead_load_on_demand(empty_world: World) -> None:
    world = empty_world
    store = world.store()
    engine = world.engine(store, scope=Scope(history_days=7))
    await engine.first_sync()
    state = (await world.ctl.get("/_carrier/state")).json()
    window = (world.clock.now() - timedelta(days=7)).isoformat()
    cached_leads = {s["lead_id"] for s in state["sms"] if s["date_created"] >= window}
    lead_id = next(
        lead
        for lead in sorted(cached_leads)
        if any(s["lead_id"] == lead and s["date_created"] < window for s in state["sms"])
    )
    before = len(store.conversation(lead_id))
    oldest = min(m.date_created for m in store.conversation(lead_id) if m.date_created)
    await engine.fetch_older(lead_id, oldest)
    assert len(store.conversation(lead_id)) > before


async def test_a_429_at_start_is_waited_out_by_the_continuous_sync(world: World) -> None:
    waits: list[float] = []
    stop = asyncio.Event()

    async def wait(event: asyncio.Event, seconds: float) -> None:
        waits.append(seconds)
        world.clock.advance(max(seconds, 0.01))
        if world.clock.now() >= deadline or engine.ready:
            event.set()

    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[3]
    engine = world.engine(store, wait=wait)
    deadline = world.clock.now() + timedelta(minutes=10)
    await world.faults(next_429=12)
    await world.inbound(remote=phone, local=ours, text="are you open today?")
    await engine.run_forever(stop)
    assert engine.ready
    assert any(m.text == "are you open today?" for m in store.conversation(lead_id))
    assert "rate_limited" in [e.state for e in world.events]


async def test_a_failed_first_sync_is_retried_by_the_next_poll_step(empty_world: World) -> None:
    from sms_tui.provider import ProviderError

    world = empty_world
    store = world.store()
    engine = world.engine(store)
    await world.faults(next_5xx=50, status_5xx=503)
    try:
        await engine.start()
    except ProviderError:
        pass
    assert not engine.ready and store.stats()["messages"] == 0
    await world.calm()
    delay = await engine.poll_step()
    assert engine.ready and store.stats()["messages"] > 0 and delay == 15
