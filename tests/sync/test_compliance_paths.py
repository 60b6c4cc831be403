"""No send reaches an opted-out or do-not-text contact on any path: composer (outbox), scheduled,
retry — and a STOP that arrives during the undo window blocks the send, kept with its reason."""

from __future__ import annotations

from datetime import timedelta

from sms_tui.config import Settings
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules
from sms_tui.rules import compliance_rules
from sms_tui.sync.engine import SyncEngine
from tests.sync.harness import World, outbound_texts, send_one, textable_leads

TEXT = "Hi Sam, Ann from Acme here. Reply STOP to opt out."


async def test_a_normal_send_goes_out_once_and_stores_the_remote_id(world: World) -> None:
    store = world.store()
    lead = textable_leads(store)[0]
    engine = world.engine(store)
    local_id = send_one(store, lead, TEXT, world.clock.now(), world.clock.now())
    report = await engine.push_outbox()
    message = store.get_message(local_id)
    assert report.sent == 1 and message is not None
    assert message.local_state == "sent" and message.remote_id is not None
    carrier = await world.carrier_sms()
    assert [s["id"] for s in carrier if s["text"] == TEXT] == [message.remote_id]
    assert world.events[-1].changed_lead_ids == {lead[0]}


async def test_stop_arriving_during_the_undo_window_blocks_the_send(world: World) -> None:
    store = world.store()
    lead = textable_leads(store)[0]
    _, _, phone, ours = lead
    engine = world.engine(store)
    now = world.clock.now()
    local_id = send_one(store, lead, TEXT, now + timedelta(seconds=5), now)
    await world.inbound(remote=phone, local=ours, text="Stop")
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["Stop"]
    assert store.phone_flags(phone)[0] is True
    world.clock.advance(6)
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "blocked"
    assert message.block_reason and message.block_reason.startswith("This contact has opted out")  # our guard
    assert TEXT not in outbound_texts(await world.carrier_sms())


async def test_stop_during_the_undo_window_blocks_the_send_without_a_poll_in_between(world: World) -> None:
    """The engine asks for new inbound right before pushing due sends (one small request)."""
    store = world.store()
    lead = textable_leads(store)[2]
    _, _, phone, ours = lead
    engine = world.engine(store)
    now = world.clock.now()
    local_id = send_one(store, lead, TEXT, now + timedelta(seconds=5), now)
    world.clock.advance(2)
    await world.inbound(remote=phone, local=ours, text="STOP")
    world.clock.advance(4)
    world.transport.requests.clear()
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "blocked"
    assert TEXT not in outbound_texts(await world.carrier_sms())
    assert [p for _, p in world.transport.requests if p.endswith("/event/")] == ["/api/v1/event/"]


async def test_a_21610_refusal_marks_the_phone_opted_out(world: World) -> None:
    from tests.sync.close_log import late_event

    store = world.store()
    lead = textable_leads(store)[9]
    engine = world.engine(store)
    local_id = send_one(store, lead, "checking in", world.clock.now(), world.clock.now())
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.remote_id is not None
    world.clock.advance(20)
    reason = "21610: Attempt to send to unsubscribed recipient"
    late_event(world, message.remote_id, "updated", world.clock.now(), status="error", error_message=reason)
    await engine.poll_once()
    assert store.phone_flags(lead[2])[0] is True


async def test_a_stop_in_first_sync_history_cancels_what_is_scheduled_to_that_phone(
    empty_world: World,
) -> None:
    world = empty_world
    seed = world.engine(world.store(world.tmp / "other.sqlite3"))
    await seed.first_sync()
    lead_id, contact_id, phone, ours = textable_leads(seed.cache.store)[5]  # type: ignore[attr-defined]
    client = world.client()
    when = world.clock.now() + timedelta(days=1)
    scheduled = await client.create_sms(
        status="scheduled", text="Following up tomorrow", lead_id=lead_id, contact_id=contact_id,
        local_phone=ours, remote_phone=phone, date_scheduled=when,
    )  # fmt: skip
    world.clock.advance(60)
    await world.inbound(remote=phone, local=ours, text="STOP")
    store = world.store()
    await world.engine(store).first_sync()  # a fresh cache meets the STOP in the history
    assert store.phone_flags(phone)[0] is True
    on_carrier = [s for s in await world.carrier_sms() if s["id"] == scheduled.id]
    assert on_carrier == []  # removed from the provider: it will not go out
    await client.aclose()


async def test_do_not_text_blocks_and_a_retry_is_blocked_again(world: World) -> None:
    store = world.store()
    lead = textable_leads(store)[1]
    store.set_phone_do_not_text(lead[2], True)
    engine = world.engine(store)
    local_id = send_one(store, lead, TEXT, world.clock.now(), world.clock.now())
    await engine.push_outbox()
    first = store.get_message(local_id)
    assert (
        first is not None and first.local_state == "blocked" and "do-not-text" in (first.block_reason or "")
    )
    assert store.retry(local_id, world.clock.now()) == local_id
    await engine.push_outbox()
    again = store.get_message(local_id)
    assert again is not None and again.local_state == "blocked"
    assert TEXT not in outbound_texts(await world.carrier_sms())


async def test_an_opt_out_known_when_the_rep_sends_blocks_at_push(world: World) -> None:
    store = world.store()
    lead = textable_leads(store)[2]
    store.set_phone_opt_out(lead[2], True, now=world.clock.now())
    engine = world.engine(store)
    local_id = send_one(store, lead, TEXT, world.clock.now(), world.clock.now())
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "blocked"
    assert TEXT not in outbound_texts(await world.carrier_sms())


async def test_scheduled_send_is_blocked_at_push_when_opted_out(world: World) -> None:
    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[3]
    store.set_phone_opt_out(phone, True, now=world.clock.now())
    local_id = store.schedule(
        lead_id=lead_id, contact_id=contact_id, text=TEXT, remote_phone=phone, local_phone=ours,
        date_scheduled=world.clock.now() + timedelta(hours=1), now=world.clock.now(),
    )  # fmt: skip
    await world.engine(store).push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "blocked"
    assert TEXT not in [s["text"] for s in await world.carrier_sms()]


async def test_stop_after_scheduling_removes_the_scheduled_sms_from_the_provider(world: World) -> None:
    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[4]
    engine = world.engine(store)
    local_id = store.schedule(
        lead_id=lead_id, contact_id=contact_id, text=TEXT, remote_phone=phone, local_phone=ours,
        date_scheduled=world.clock.now() + timedelta(hours=1), now=world.clock.now(),
    )  # fmt: skip
    await engine.push_outbox()
    scheduled = store.get_message(local_id)
    assert scheduled is not None and scheduled.local_state == "scheduled" and scheduled.remote_id
    on_carrier = [s for s in await world.carrier_sms() if s["text"] == TEXT]
    assert [(s["id"], s["status"]) for s in on_carrier] == [(scheduled.remote_id, "scheduled")]

    await world.inbound(remote=phone, local=ours, text="STOP")
    await engine.poll_once()
    blocked = store.get_message(local_id)
    assert blocked is not None and blocked.local_state == "blocked" and blocked.block_reason
    world.clock.advance(7200)
    await world.tick()
    await engine.poll_once()
    assert TEXT not in [s["text"] for s in await world.carrier_sms()]
    after = store.get_message(local_id)
    assert after is not None and after.local_state == "blocked"


async def test_rep_cancelling_a_scheduled_send_turns_it_back_into_a_draft_on_the_provider(
    world: World,
) -> None:
    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[5]
    engine = world.engine(store)
    local_id = store.schedule(
        lead_id=lead_id, contact_id=contact_id, text=TEXT, remote_phone=phone, local_phone=ours,
        date_scheduled=world.clock.now() + timedelta(hours=1), now=world.clock.now(),
    )  # fmt: skip
    await engine.push_outbox()
    assert store.cancel_scheduled(local_id) == TEXT
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "draft"
    assert [s["status"] for s in await world.carrier_sms() if s["text"] == TEXT] == ["draft"]
    assert store.get_draft(lead_id) == TEXT


async def test_a_stop_whose_scheduled_cleanup_fails_is_retried_by_the_next_push(world: World) -> None:
    from sms_tui.provider import ProviderUnavailable

    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[6]
    engine = world.engine(store)
    local_id = store.schedule(
        lead_id=lead_id, contact_id=contact_id, text=TEXT, remote_phone=phone, local_phone=ours,
        date_scheduled=world.clock.now() + timedelta(hours=1), now=world.clock.now(),
    )  # fmt: skip
    await engine.push_outbox()
    original = engine.pusher.client.delete_sms
    failures = 1

    async def flaky_delete(sms_id: str) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise ProviderUnavailable("The provider is having trouble (HTTP 503).")
        await original(sms_id)

    engine.pusher.client.delete_sms = flaky_delete  # type: ignore[method-assign]
    await world.inbound(remote=phone, local=ours, text="STOP")
    await engine.poll_once()
    assert store.get_message(local_id).local_state == "scheduled"  # type: ignore[union-attr]
    await engine.push_outbox()
    assert store.get_message(local_id).local_state == "blocked"  # type: ignore[union-attr]
    world.clock.advance(7200)
    await world.tick()
    assert TEXT not in [s["text"] for s in await world.carrier_sms()]


async def test_cancelling_a_scheduled_send_the_provider_already_sent_records_it_as_sent(world: World) -> None:
    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[7]
    engine = world.engine(store)
    local_id = store.schedule(
        lead_id=lead_id, contact_id=contact_id, text=TEXT, remote_phone=phone, local_phone=ours,
        date_scheduled=world.clock.now() + timedelta(minutes=1), now=world.clock.now(),
    )  # fmt: skip
    await engine.push_outbox()
    world.clock.advance(600)
    await world.tick()  # the carrier released and sent it; we have not polled yet
    assert store.cancel_scheduled(local_id) == TEXT
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "sent"
    assert [s["status"] for s in await world.carrier_sms() if s["text"] == TEXT] == ["sent"]


async def test_the_engines_send_guard_uses_the_configured_quiet_hours(empty_world: World) -> None:
    """[quiet_hours] reaches the guard run before every POST (only its blocks stop a send; its
    warnings were shown to the rep when composing or scheduling)."""
    office = Settings(poll_interval=15, quiet_hours={"start": "18:00", "end": "09:00"})
    store, client, now = empty_world.store(), empty_world.client(), empty_world.clock.now
    engine = SyncEngine(store, client, now=now, settings=office)
    assert engine.pusher.rules == compliance_rules(office)
    assert engine.pusher.rules.default_window.describe(0) == "09:00–18:00"
    assert SyncEngine(store, client, now=now).pusher.rules is DEFAULT_RULES
    explicit = ComplianceRules(max_segments=1)
    given = SyncEngine(store, client, now=now, settings=office, rules=explicit)
    assert given.pusher.rules is explicit
