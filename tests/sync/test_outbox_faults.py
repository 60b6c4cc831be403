"""Unclear outcomes, refusals and outages on the push path; two engines on one cache."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import timedelta

import httpx
import pytest

from sms_tui.provider import ProviderDataError
from sms_tui.sync.outbox import DEFAULT_LEASE
from tests.sync.harness import API_KEY, MangleTransport, World, outbound_texts, send_one, textable_leads

LEASE = DEFAULT_LEASE.total_seconds()


async def test_connection_dropped_after_the_carrier_stored_it_is_found_not_resent(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(store, textable_leads(store)[0], "dropped once", world.clock.now(), world.clock.now())
    await world.faults(next_drop_after_store=1)
    report = await engine.push_outbox()
    assert report.sent == 0 and store.get_message(local_id).local_state == "sending"  # type: ignore[union-attr]
    await engine.push_outbox()  # the claim is fresh: nobody looks yet
    assert outbound_texts(await world.carrier_sms()).count("dropped once") == 1
    world.clock.advance(LEASE + 1)
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "sent" and message.remote_id
    assert engine.totals.found == 1 and engine.totals.absent == 0
    assert outbound_texts(await world.carrier_sms()).count("dropped once") == 1


async def test_5xx_before_storing_is_proven_absent_and_sent_once(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(store, textable_leads(store)[1], "5xx once", world.clock.now(), world.clock.now())
    await engine.poll_once()  # inbound is fresh: the push asks for none first, the fault hits the POST
    await world.faults(next_5xx=1, status_5xx=503)
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "sending"  # type: ignore[union-attr]
    world.clock.advance(LEASE + 1)
    await engine.push_outbox()
    assert engine.totals.absent == 1
    assert outbound_texts(await world.carrier_sms()).count("5xx once") == 1
    assert store.get_message(local_id).local_state == "sent"  # type: ignore[union-attr]


async def test_an_engine_dropped_between_claim_and_answer_is_reconciled_by_the_next(world: World) -> None:
    store = world.store()
    lead = textable_leads(store)[2]
    first = world.engine(store)
    local_id = send_one(store, lead, "crash in flight", world.clock.now(), world.clock.now())
    claimed = asyncio.Event()
    original = first.pusher.client.create_sms

    async def post_then_die(**kwargs: object) -> object:
        await original(**kwargs)  # type: ignore[arg-type]
        claimed.set()
        raise asyncio.CancelledError  # the process dies before storing the answer

    first.pusher.client.create_sms = post_then_die  # type: ignore[method-assign,assignment]
    with pytest.raises(asyncio.CancelledError):
        await first.push_outbox()
    del first
    second = world.engine(world.store())
    await second.push_outbox()
    assert store.get_message(local_id).local_state == "sending"  # type: ignore[union-attr]
    world.clock.advance(LEASE + 1)
    await second.push_outbox()
    assert second.totals.found == 1
    assert outbound_texts(await world.carrier_sms()).count("crash in flight") == 1


async def test_offline_gives_the_message_back_to_the_outbox_and_reports_offline(world: World) -> None:
    store = world.store()
    local_id = send_one(store, textable_leads(store)[3], "offline", world.clock.now(), world.clock.now())

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    offline = world.engine(store)
    offline.client = offline.pusher.client = world.client(transport=httpx.MockTransport(refuse))
    await offline.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "outbox" and message.attempts == 1
    assert world.events[-1].state == "offline" and "Cannot reach" in (world.events[-1].detail or "")
    await world.engine(store).push_outbox()
    assert outbound_texts(await world.carrier_sms()).count("offline") == 1


async def test_429_on_post_is_not_retried_blindly_but_released_and_sent_later(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(store, textable_leads(store)[4], "rate limited", world.clock.now(), world.clock.now())
    await engine.poll_once()  # inbound is fresh: the push asks for none first, the fault hits the POST
    await world.faults(next_429=1)
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "outbox"  # type: ignore[union-attr]
    assert str(engine.state) == "rate_limited"
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "sent"  # type: ignore[union-attr]
    assert engine.state == "online"
    assert outbound_texts(await world.carrier_sms()).count("rate limited") == 1


async def test_two_engines_on_two_store_objects_never_double_send(world: World) -> None:
    store = world.store()
    leads = textable_leads(store)
    texts = [f"race {i}" for i in range(40)]
    for i, text in enumerate(texts):
        send_one(store, leads[i % len(leads)], text, world.clock.now(), world.clock.now())
    a, b = world.engine(world.store()), world.engine(world.store())
    await world.faults(rate_drop_after_store=0.3)
    for _ in range(5):
        await asyncio.gather(a.push_outbox(), b.push_outbox(), a.push_outbox(), b.push_outbox())
    await world.calm()
    for _ in range(3):
        world.clock.advance(LEASE + 1)
        await asyncio.gather(a.push_outbox(), b.push_outbox())
    assert store.outbox() == []
    _assert_once_or_visibly_failed(store, texts, outbound_texts(await world.carrier_sms()))
    assert a.totals.sent > 0 and b.totals.sent > 0


def _assert_once_or_visibly_failed(store, texts: list[str], on_carrier: list[str]) -> None:
    for text in texts:
        (local_id,) = store.db.execute("SELECT local_id FROM messages WHERE text = ?", (text,)).fetchone()
        message = store.get_message(local_id)
        if message.local_state == "blocked":
            assert message.block_reason and on_carrier.count(text) == 0
        else:
            assert message.local_state == "sent", message
            assert on_carrier.count(text) == 1, text


def test_two_engines_in_two_threads_racing_for_claims_never_double_send(tmp_path, synced_cache) -> None:
    """Real concurrency: each thread has its own event loop, Store connection and HTTP transport,
    as two processes on one cache file would."""
    world = World(tmp_path)
    world.copy_cache(synced_cache)
    store = world.store()
    leads = textable_leads(store)
    texts = [f"thread race {i}" for i in range(60)]
    for i, text in enumerate(texts):
        send_one(store, leads[i % len(leads)], text, world.clock.now(), world.clock.now())
    errors: list[BaseException] = []

    def run() -> None:
        async def go() -> None:
            engine = world.engine(world.store())
            engine.client = engine.pusher.client = world.client(transport=httpx.ASGITransport(app=world.app))
            for _ in range(10):
                await engine.push_outbox()

        try:
            asyncio.run(go())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.outbox() == []
    _assert_once_or_visibly_failed(store, texts, asyncio.run(_carrier_texts(world)))


async def _carrier_texts(world: World) -> list[str]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app), base_url="http://c", auth=(API_KEY, "")
    ) as ctl:
        return outbound_texts((await ctl.get("/_carrier/state")).json()["sms"])


async def test_malformed_poll_answer_raises_a_clear_error_and_leaves_the_cache_as_it_was(
    world: World,
) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[5]
    mangler = MangleTransport(world.transport)
    engine = world.engine(store)
    engine.client = engine.poller.client = world.client(transport=mangler)
    await world.inbound(remote=phone, local=ours, text="Sounds good, call me")

    def bad_date(body: bytes) -> bytes:
        page = json.loads(body)
        for event in page["data"]:
            if event["data"]:
                event["data"]["date_created"] = 5
        return json.dumps(page).encode()

    mangler.mangle("GET", "/api/v1/event/", bad_date)
    before = (store.stats(), store.lead_row(lead_id), store.kv_get("sync.marks"))
    with pytest.raises(ProviderDataError, match="'date_created' = a number"):
        await engine.poll_once()
    assert (store.stats(), store.lead_row(lead_id), store.kv_get("sync.marks")) == before
    mangler.rules.clear()
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["Sounds good, call me"]


@pytest.mark.parametrize(
    "edit",
    [lambda b: b"{not json", lambda b: json.dumps({**json.loads(b), "date_created": 5}).encode()],
    ids=["bad-json", "wrong-type"],
)
async def test_malformed_answer_to_a_send_is_treated_as_unclear_and_reconciled(world: World, edit) -> None:
    store = world.store()
    mangler = MangleTransport(world.transport)
    mangler.mangle("POST", "/api/v1/activity/sms/", edit)
    engine = world.engine(store)
    engine.client = engine.pusher.client = world.client(transport=mangler)
    local_id = send_one(
        store, textable_leads(store)[6], "mangled answer", world.clock.now(), world.clock.now()
    )
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "sending"  # type: ignore[union-attr]
    assert world.events[-1].detail and "provider" in world.events[-1].detail
    mangler.rules.clear()
    world.clock.advance(LEASE + 1)
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "sent"  # type: ignore[union-attr]
    assert outbound_texts(await world.carrier_sms()).count("mangled answer") == 1


async def test_malformed_first_sync_page_writes_nothing_of_that_page(empty_world: World) -> None:
    world = empty_world
    mangler = MangleTransport(world.transport)

    def drop_id(body: bytes) -> bytes:
        page = json.loads(body)
        del page["data"][3]["id"]
        return json.dumps(page).encode()

    mangler.mangle("GET", "/api/v1/activity/sms/", drop_id)
    store = world.store()
    engine = world.engine(store)
    engine.client = world.client(transport=mangler)
    with pytest.raises(ProviderDataError, match="lacks the field 'id'"):
        await engine.first_sync()
    assert store.stats()["messages"] == 0
    assert engine.needs_first_sync  # an unfinished first sync runs again at the next start
    assert world.events[-1].detail and "lacks the field 'id'" in world.events[-1].detail


async def test_the_api_key_never_appears_in_logs_events_or_errors(world: World, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    store = world.store()
    engine = world.engine(store)
    for i in range(5):
        send_one(store, textable_leads(store)[i], f"secret check {i}", world.clock.now(), world.clock.now())
    await world.faults(rate_429=0.3, rate_5xx=0.3, rate_drop_after_store=0.3)
    for _ in range(4):
        await engine.push_outbox()
        try:
            await engine.poll_once()
        except Exception as exc:
            assert API_KEY not in str(exc) and API_KEY not in repr(exc)
        world.clock.advance(LEASE + 1)
    assert caplog.records, "expected the run to log something"
    assert API_KEY not in caplog.text
    assert all(API_KEY not in repr(e) for e in world.events)
    assert API_KEY not in repr(engine) and API_KEY not in repr(engine.client)


async def test_sends_due_later_are_not_claimed_early(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(
        store, textable_leads(store)[7], "later", world.clock.now() + timedelta(seconds=5), world.clock.now()
    )
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "outbox"  # type: ignore[union-attr]
    assert store.undo_send(local_id) == "later"
    world.clock.advance(10)
    await engine.push_outbox()
    assert "later" not in outbound_texts(await world.carrier_sms())


async def test_an_answer_held_past_the_time_out_after_storing_is_found_not_resent(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(
        store, textable_leads(store)[8], "slow after store", world.clock.now(), world.clock.now()
    )
    await world.faults(next_slow_after_store=1, slow_seconds=30)
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "sending"  # type: ignore[union-attr]
    world.clock.advance(LEASE + 1)
    await engine.push_outbox()
    assert engine.totals.found == 1 and store.get_message(local_id).local_state == "sent"  # type: ignore[union-attr]
    assert outbound_texts(await world.carrier_sms()).count("slow after store") == 1
