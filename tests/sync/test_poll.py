"""Polling the event log: replies, status changes, keywords, de-duplication, cost of an idle poll."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from sms_tui.sync import PollPacer
from tests.sync.harness import World, send_one, textable_leads


def _event_requests(world: World) -> list[str]:
    return [path for method, path in world.transport.requests if path.endswith("/event/")]


async def test_an_idle_inbox_costs_one_small_request_per_poll(world: World) -> None:
    engine = world.engine()
    await engine.poll_once()  # the first poll also asks for updates
    world.transport.requests.clear()
    for _ in range(3):
        world.clock.advance(15)
        await engine.poll_once()
    assert len(world.transport.requests) == 3
    assert len(_event_requests(world)) == 3


async def test_updates_are_polled_while_a_sent_message_may_still_change(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_one(
        store, textable_leads(store)[0], "status please", world.clock.now(), world.clock.now()
    )
    await engine.push_outbox()
    await engine.poll_once()
    world.transport.requests.clear()
    world.clock.advance(30)  # the carrier has sent it by now
    await engine.poll_once()
    # the event log once, and the rep's unsettled outbound re-read by id (whatever the log says)
    assert len(_event_requests(world)) == 1
    rereads = [p for _, p in world.transport.requests if p.endswith("/activity/sms/")]
    assert len(rereads) == 1
    message = store.get_message(local_id)
    assert message is not None and message.status == "sent" and message.date_sent is not None


async def test_a_reply_is_reported_once_as_new_and_marks_its_lead_changed(world: World) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[1]
    engine = world.engine(store)
    await world.inbound(remote=phone, local=ours, text="Can we talk tomorrow? [/b] <i>")
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["Can we talk tomorrow? [/b] <i>"]
    event = world.events[-1]
    assert event.changed_lead_ids == {lead_id} and event.state == "online" and event.last_poll is not None
    assert [m.text for m in event.new_inbound] == ["Can we talk tomorrow? [/b] <i>"]
    row = store.lead_row(lead_id)
    assert row is not None and row.unread >= 1
    world.clock.advance(15)
    again = await engine.poll_once()  # the re-scan window sees the same event again
    assert again.new_inbound == [] and world.events[-1].changed_lead_ids == frozenset()


async def test_a_restarted_engine_does_not_report_old_replies_as_new(world: World) -> None:
    store = world.store()
    _, _, phone, ours = textable_leads(store)[2]
    await world.inbound(remote=phone, local=ours, text="hello again")
    await world.engine(store).poll_once()
    fresh = world.engine(world.store())
    report = await fresh.poll_once()
    assert report.new_inbound == []


async def test_stop_then_start_update_the_phone_opt_out_state(world: World) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[3]
    engine = world.engine(store)
    await world.inbound(remote=phone, local=ours, text="STOP")
    await engine.poll_once()
    assert store.phone_flags(phone) == (True, False)
    assert store.lead_row(lead_id).opted_out  # type: ignore[union-attr]
    world.clock.advance(60)
    await world.inbound(remote=phone, local=ours, text="start")
    await engine.poll_once()
    assert store.phone_flags(phone) == (False, False)


async def test_stop_inside_a_sentence_is_not_an_opt_out(world: World) -> None:
    store = world.store()
    _, _, phone, ours = textable_leads(store)[4]
    await world.inbound(remote=phone, local=ours, text="please don't stop texting me")
    await world.engine(store).poll_once()
    assert store.phone_flags(phone) == (False, False)


async def test_a_failing_provider_backs_the_poll_interval_off_and_recovers(world: World) -> None:
    waits: list[float] = []
    stop = asyncio.Event()

    async def wait(event: asyncio.Event, seconds: float) -> None:
        waits.append(seconds)
        world.clock.advance(seconds)
        if world.clock.now() >= deadline:
            event.set()

    engine = world.engine(wait=wait)
    deadline = world.clock.now() + timedelta(hours=1)
    await world.faults(next_5xx=40, status_5xx=502)
    await engine.run_forever(stop)
    states = [e.state for e in world.events]
    assert "unavailable" in states and states[-1] == "online"
    delays = [e.next_poll_in for e in world.events if e.next_poll_in is not None]
    assert max(delays) > 15 * 2 and delays[-1] == 15


def test_pacer_waits_at_least_what_the_provider_asked_and_resets_on_success() -> None:
    pacer = PollPacer(interval=10, max_interval=120, rng=random.Random(1))
    assert pacer.failed(retry_after=90) >= 90
    second = pacer.failed()
    assert 10 <= second <= 120
    assert [pacer.failed() for _ in range(8)][-1] <= 120
    assert pacer.ok() == 10
    assert pacer.ok(remaining=0, reset=25) == 25


@pytest.mark.parametrize("text", ["Sounds good", "[red]hi[/red]"])
async def test_inbound_text_is_stored_verbatim(world: World, text: str) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[5]
    await world.inbound(remote=phone, local=ours, text=text)
    await world.engine(store).poll_once()
    assert store.conversation(lead_id)[-1].text == text


async def test_a_text_from_an_unknown_number_brings_its_new_lead_into_the_cache(world: World) -> None:
    store = world.store()
    ours = store.our_numbers()[0].number
    await world.inbound(remote="+14155550199", local=ours, text="Who is this? Saw your ad")
    report = await world.engine(store).poll_once()
    (message,) = report.new_inbound
    detail = store.lead_detail(message.lead_id)
    assert detail.texting_phone == "+14155550199"
    assert store.stub_lead_ids(10) == []


async def test_a_cache_not_polled_for_longer_than_the_event_log_keeps_catches_up_from_the_sms_list(
    world: World,
) -> None:
    store = world.store()
    lead_id, _, phone, ours = textable_leads(store)[6]
    engine = world.engine(store)
    engine.poller.start_from(world.clock.now() - timedelta(days=40))
    await world.inbound(remote=phone, local=ours, text="Still interested? It's been a while")
    world.transport.requests.clear()
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["Still interested? It's been a while"]
    assert all(not path.endswith("/event/") for _, path in world.transport.requests)
    world.transport.requests.clear()
    await engine.poll_once()  # back on the event log
    assert _event_requests(world)


async def test_a_stub_whose_lead_is_gone_is_asked_for_once(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    lead_id, _, phone, ours = textable_leads(store)[0]
    message = store.conversation(lead_id)[-1]
    assert message.remote_id is not None
    at = world.clock.now().isoformat()
    ghost = {"id": "acti_ghost", "lead_id": "lead_gone", "direction": "inbound", "status": "inbox",
             "text": "hello?", "remote_phone": "+14155550177", "local_phone": ours,
             "date_created": at, "date_updated": at}  # fmt: skip
    store.apply_remote_messages([ghost])
    assert "lead_gone" in store.stub_lead_ids(10)
    await engine.start()
    await engine.poll_step()  # the backfill asks for it: 404, settled, not asked again
    assert store.stub_lead_ids(10) == []
    world.transport.requests.clear()
    world.clock.advance(15)
    await engine.poll_step()
    assert len(world.transport.requests) == 1


async def test_a_poll_writes_off_the_loop_so_the_app_keeps_answering(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's sync runs on the UI's loop; a poll after a weekend writes thousands of replies.
    The writes (messages, and the campaigns' `replied`) run in a thread: here each waits for the
    loop to run something else first, which it could not if the write held the loop."""
    import threading

    store = world.store()
    _, _, phone, ours = textable_leads(store)[1]
    engine = world.engine(store)
    await world.inbound(remote=phone, local=ours, text="Back from the weekend")
    loop_ran = threading.Event()
    waited: list[bool] = []
    for name in ("apply_remote_messages", "campaign_phones_replied"):
        real = getattr(store, name)

        def waiting(*args: object, _real: object = real, **kwargs: object) -> object:
            waited.append(loop_ran.wait(timeout=2))  # the loop sets it meanwhile, if it is free
            loop_ran.clear()
            return _real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(store, name, waiting)

    async def answering() -> None:
        while True:
            loop_ran.set()
            await asyncio.sleep(0.01)

    keys = asyncio.create_task(answering())
    try:
        report = await engine.poll_once()
    finally:
        keys.cancel()
    assert [m.text for m in report.new_inbound] == ["Back from the weekend"]
    assert waited == [True, True]  # one message write, one campaigns write: both left the loop free
