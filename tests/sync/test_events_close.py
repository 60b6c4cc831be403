"""The event log as Close serves it: consolidated and late events, `sent`/`deleted`, hidden `data`,
a refused log, a long gap, a big burst — and the marks that make every launch after the first cheap."""

from __future__ import annotations

from datetime import timedelta

from sms_tui.carrier.simulation import receive
from sms_tui.store import Store
from sms_tui.sync.catchup import LIST_KEY
from sms_tui.sync.engine import SyncEngine
from sms_tui.sync.marks import SyncMarks
from tests.sync.close_log import CloseLogTransport, consolidate, events_of, late_event
from tests.sync.harness import World, send_one, textable_leads


def _engine_with(world: World, transport: CloseLogTransport, store: Store | None = None) -> SyncEngine:
    engine = world.engine(store)
    engine.client = engine.poller.client = engine.pusher.client = world.client(transport=transport)
    return engine


async def _sent_message(world: World, index: int = 0) -> tuple[int, str]:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(
        store, textable_leads(store)[index], "hello there", world.clock.now(), world.clock.now()
    )
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.remote_id is not None
    return local_id, message.remote_id


async def test_a_consolidated_event_same_id_later_date_updated_is_applied(world: World) -> None:
    local_id, remote_id = await _sent_message(world)
    store = world.stores[0]
    engine = world.engine(store)
    await engine.poll_once()
    created = [e for e in events_of(world, remote_id) if e["action"] == "created"][0]
    world.clock.advance(60)
    reason = "30007: Message filtered by the carrier"
    consolidate(world, created["id"], world.clock.now(), status="error", error_message=reason)
    report = await engine.poll_once()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "error" and message.error_message == reason
    assert report.events >= 1


async def test_a_late_event_older_than_the_newest_seen_is_still_applied(world: World) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[2]
    engine = world.engine(store)
    await world.inbound(remote=phone, local=ours, text="first")
    await engine.poll_once()
    local_id, remote_id = await _sent_message(world, 3)
    world.clock.advance(600)
    await world.inbound(remote=phone, local=ours, text="second")  # the newest event the poll sees
    await engine.poll_once()
    # An update dated before "second" turns up only now (Close: not a stream, order not kept).
    late_event(world, remote_id, "updated", world.clock.now() - timedelta(minutes=3), status="error",
               error_message="30003: Unreachable destination handset")  # fmt: skip
    await engine.poll_once()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "error"


async def test_a_deleted_sms_leaves_the_cache(world: World) -> None:
    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[4]
    engine = world.engine(store)
    client = world.client()
    when = world.clock.now() + timedelta(days=2)
    sms = await client.create_sms(
        status="scheduled",
        text="see you Friday",
        lead_id=lead_id,
        contact_id=contact_id,
        local_phone=ours,
        remote_phone=phone,
        date_scheduled=when,
    )  # fmt: skip  (scheduled in another app)
    await engine.poll_once()
    assert store.get_message_by_remote_id(sms.id) is not None
    await client.delete_sms(sms.id)
    world.clock.advance(15)
    report = await engine.poll_once()
    assert store.get_message_by_remote_id(sms.id) is None and lead_id in report.changed_lead_ids
    assert all(m.text != "see you Friday" for m in store.conversation(lead_id))
    await client.aclose()


async def test_hidden_event_data_is_fetched_by_id_in_batches_of_100(world: World) -> None:
    store = world.store()
    leads = textable_leads(store)
    transport = CloseLogTransport(world.transport)
    transport.hide_data = True
    engine = _engine_with(world, transport, store)
    await engine.poll_once()
    carrier = world.app.carrier
    with carrier.lock:
        for i in range(130):
            _, _, phone, ours = leads[i % len(leads)]
            receive(carrier, remote=phone, local=ours, text=f"reply {i}", at=world.clock.now())
    transport.requests.clear()
    report = await engine.poll_once()
    sms_reads = [q for _, p, q in transport.requests if p.endswith("/activity/sms/")]
    assert len(sms_reads) == 2 and all("id__in" in q for q in sms_reads)
    world.clock.advance(30)  # the few events the log shows late (out of order) are there now
    late = await engine.poll_once()
    assert len(report.new_inbound) + len(late.new_inbound) == 130
    assert not any(p.endswith(tuple(f"/activity/sms/{m.remote_id}/" for m in report.new_inbound))
                   for p in transport.paths())  # fmt: skip


async def test_a_refused_event_log_falls_back_to_list_queries_one_request_when_idle(world: World) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[7]
    transport = CloseLogTransport(world.transport)
    transport.refuse = True
    engine = _engine_with(world, transport, store)
    await world.inbound(remote=phone, local=ours, text="Are you there?")
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["Are you there?"] and report.caught_up
    assert SyncMarks(engine.cache).events_refused() is not None
    transport.requests.clear()
    for _ in range(3):
        world.clock.advance(15)
        idle = await engine.poll_once()
        assert idle.new_inbound == []
    assert len(transport.requests) == 3 and not any(p.endswith("/event/") for p in transport.paths())
    await world.inbound(remote=phone, local=ours, text="STOP")
    world.clock.advance(15)
    stop = await engine.poll_once()
    assert stop.opt_outs == [phone] and store.phone_flags(phone)[0] is True
    # An hour on, the event log is asked again (and used again once it answers).
    transport.refuse = False
    world.clock.advance(3600)
    await engine.poll_once()
    assert SyncMarks(engine.cache).events_refused() is None


async def test_a_30_day_gap_catches_up_with_a_bounded_list_query(world: World) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[8]
    engine = world.engine(store)
    engine.poller.start_from(world.clock.now() - timedelta(days=31))
    world.clock.advance(3600)
    await world.inbound(remote=phone, local=ours, text="Back from vacation")
    world.transport.requests.clear()
    report = await engine.poll_once()
    assert report.caught_up and [m.text for m in report.new_inbound] == ["Back from vacation"]
    paths = [p for _, p in world.transport.requests]
    assert paths and all(p.endswith("/activity/sms/") for p in paths)
    assert SyncMarks(engine.cache).mark(LIST_KEY) is not None


async def test_a_failed_page_leaves_the_marks_and_the_next_poll_resumes(world: World) -> None:
    store = world.store()
    leads = textable_leads(store)
    engine = world.engine(store)
    await engine.poll_once()
    marks_before = store.kv_get("sync.marks")
    carrier = world.app.carrier
    with carrier.lock:
        for i in range(120):  # three pages of events
            _, _, phone, ours = leads[i % len(leads)]
            receive(carrier, remote=phone, local=ours, text=f"burst {i}", at=world.clock.now())
    await world.faults(next_5xx=99, status_5xx=503)
    world.clock.advance(15)
    try:
        await engine.poll_once()
    except Exception:
        pass
    assert store.kv_get("sync.marks") == marks_before
    assert not any(m.text.startswith("burst") for lead in leads[:5] for m in store.conversation(lead[0]))
    await world.calm()
    report = await engine.poll_once()
    assert len(report.new_inbound) == 120


async def test_a_5000_event_poll_applies_everything_once(world: World) -> None:
    store = world.store()
    leads = textable_leads(store)
    engine = world.engine(store)
    await engine.poll_once()
    carrier = world.app.carrier
    with carrier.lock:
        for i in range(5000):
            _, _, phone, ours = leads[i % len(leads)]
            receive(carrier, remote=phone, local=ours, text=f"msg {i}", at=world.clock.now())
    report = await engine.poll_once()
    assert report.requests <= 5000 // 50 + 3  # pages of 50 events, nothing per event
    world.clock.advance(30)  # the few events the log shows late (out of order) are there now
    late = await engine.poll_once()
    assert len(report.new_inbound) + len(late.new_inbound) == 5000
    world.clock.advance(30)
    again = await engine.poll_once()
    assert again.new_inbound == []
