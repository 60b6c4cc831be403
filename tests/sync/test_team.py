"""Several reps on one org (the carrier's demo team): each first-syncs their own conversations, sends
only from their own and their group numbers, and a key without event-log access still syncs."""

from __future__ import annotations

import random

from sms_tui.config import Settings
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync.engine import SyncEngine
from sms_tui.sync.marks import SyncMarks
from tests.sync.harness import API_KEY, BASE, World

PALO_ALTO, LONDON, SALES, JORDANS, ALEX_CELL = (
    "+16503334444", "+442071838750", "+16503335500", "+16503339911", "+14155238886",
)  # fmt: skip


def _engine(world: World, who: str) -> tuple[SyncEngine, Store]:
    key = API_KEY if who == "alex" else f"{API_KEY}.{who}"
    client = CloseClient(f"{BASE}/api/v1/", key, transport=world.transport, sleep=world.sleep)
    store = Store.open(world.tmp / f"{who}.sqlite3")
    world.stores.append(store)
    engine = SyncEngine(
        store, client, now=world.clock.now, settings=Settings(poll_interval=15), rng=random.Random(1)
    )
    return engine, store


async def test_each_rep_may_send_only_from_their_own_and_their_group_numbers(empty_world: World) -> None:
    world = empty_world
    numbers = {}
    for who in ("alex", "jordan", "riley"):
        engine, store = _engine(world, who)
        await engine.first_sync()
        numbers[who] = {n.number for n in store.our_numbers()}
    assert numbers["alex"] == {PALO_ALTO, LONDON, SALES}  # not Jordan's line, not the external cell
    assert numbers["jordan"] == {SALES, JORDANS}
    assert numbers["riley"] == set()


async def test_the_first_sync_holds_the_reps_own_conversations_only(empty_world: World) -> None:
    world = empty_world
    await world.inbound(remote="+14155550101", local=JORDANS, text="Jordan, got a minute?")
    await world.inbound(remote="+14155550102", local=SALES, text="Who handles renewals?")
    engine, store = _engine(world, "jordan")
    await engine.first_sync()
    texts = {m.text for lead in _leads(store) for m in store.conversation(lead)}
    assert texts == {"Jordan, got a minute?", "Who handles renewals?"}  # none of Alex's 618
    alex, alex_store = _engine(world, "alex")
    await alex.first_sync()
    alex_texts = {m.text for lead in _leads(alex_store) for m in alex_store.conversation(lead)}
    assert "Who handles renewals?" in alex_texts and "Jordan, got a minute?" not in alex_texts


async def test_a_key_without_event_log_access_syncs_by_list_queries(empty_world: World) -> None:
    world = empty_world
    engine, store = _engine(world, "sam")
    await engine.start()
    world.transport.requests.clear()
    report = await engine.poll_once()  # the carrier answers /event/ with a 400 for Sam's key
    assert report.caught_up and SyncMarks(engine.cache).events_refused() is not None
    world.transport.requests.clear()
    world.clock.advance(15)
    await engine.poll_once()
    assert len(world.transport.requests) == 1  # idle: one list request


def _leads(store: Store) -> list[str]:
    with store._read() as conn:
        return [r[0] for r in conn.execute("SELECT id FROM leads")]
