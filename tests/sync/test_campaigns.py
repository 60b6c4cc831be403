"""Bulk campaigns run by the sync engine against the fake carrier, on a fake clock.

Every message goes through the ordinary outbox; the carrier's records are the judge: each recipient's
text is on the carrier exactly once (sent), or the recipient is visibly failed/blocked/cancelled/opted out.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sms_tui.core.drip import Pacing, hours_for
from sms_tui.store import Store
from tests.sync.campaign_world import (
    AFTERNOON,
    carrier_outbound,
    create,
    drive,
    drive_skipping,
    texts_on,
    us_leads,
)
from tests.sync.harness import World


def _states(store: Store, cid: int) -> Counter[str]:
    return Counter({str(k): v for k, v in store.campaign_progress(cid).counts.items() if v})


def _done(store: Store, cid: int) -> bool:
    campaign = store.campaign(cid)
    return campaign is not None and campaign.state == "done"


async def test_send_now_is_throttled_per_number_and_lands_exactly_once(world: World) -> None:
    world.clock.set(AFTERNOON)
    await world.faults(throughput_long_code=1, throughput_burst_seconds=5, reply_rate=0, carrier_error_rate=0)
    store = world.store()
    leads = us_leads(store, 30)
    cid = create(store, world, leads, "now")
    engine = world.engine(store)
    await drive(world, engine, 120, until=lambda: _done(store, cid))
    await drive(world, engine, 20)  # the last statuses come back
    assert _states(store, cid) == {"sent": 30}
    outbound = await carrier_outbound(world)
    ours = [s for s in outbound if s["text"].startswith("Spring offer now-")]
    assert texts_on(ours, "sent") == {t: 1 for t in texts_on(ours)} and len(ours) == 30
    # one segment a second per number: never more than 11 created within any 10 s on one number
    for number in {s["local_phone"] for s in ours}:
        times = sorted(datetime.fromisoformat(s["date_created"]) for s in ours if s["local_phone"] == number)
        for i, t in enumerate(times):
            assert sum(1 for u in times[i:] if u < t + timedelta(seconds=10)) <= 11
    report = store.campaign_report(cid)
    assert (report.sent, report.failed, report.cost_cents) == (30, 0, 30.0)


async def test_a_runner_faster_than_the_carrier_is_refused_and_retries_until_each_is_sent_once(
    world: World,
) -> None:
    world.clock.set(AFTERNOON)
    await world.faults(throughput_long_code=1, throughput_burst_seconds=2, reply_rate=0, carrier_error_rate=0)
    store = world.store()
    leads = us_leads(store, 25)
    cid = create(store, world, leads, "fast")
    engine = world.engine(store, pacing=Pacing(long_code=50))  # thinks its numbers are 50x faster
    await drive(world, engine, 900, step=1.0)  # (done looks true before the refusals come back)
    assert _states(store, cid) == {"sent": 25}
    ours = [s for s in await carrier_outbound(world) if s["text"].startswith("Spring offer fast-")]
    refused = [s for s in ours if s["status"] == "error"]
    assert refused, "the carrier never refused: the test proves nothing"
    assert all("30022" in s["error_message"] for s in refused)
    sent = texts_on(ours, "sent")
    assert len(sent) == 25 and set(sent.values()) == {1}
    retried = [r for r in store.campaign_recipients(cid) if r.attempts > 0]
    assert len(retried) == len({s["text"] for s in refused})


async def test_drip_across_a_fake_day_keeps_quiet_hours_the_cap_and_the_batches(world: World) -> None:
    """40 US leads, 3 every 20 minutes, at most 12 a day per sending number, started at 19:30 in New
    York: the evening's batches, nothing overnight, the rest from 08:00 their time, the cap per day."""
    evening = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    world.clock.set(evening)
    await world.faults(reply_rate=0, carrier_error_rate=0)
    store = world.store()
    leads = us_leads(store, 40)
    numbers = {lead[3] for lead in leads}
    cid = create(store, world, leads, "drip", mode="drip", drip_count=3, drip_minutes=20, daily_cap=12)
    engine = world.engine(store)
    await drive_skipping(world, engine, store, until=evening + timedelta(days=4))
    assert _states(store, cid) == {"sent": 40}
    ours = [s for s in await carrier_outbound(world) if s["text"].startswith("Spring offer drip-")]
    assert len(ours) == 40 and set(texts_on(ours).values()) == {1}
    created = [(datetime.fromisoformat(s["date_created"]), s["remote_phone"], s["local_phone"]) for s in ours]
    for at, phone, _ in created:
        assert hours_for(phone).allows(at), f"sent to {phone} at {at} inside quiet hours"
    per_day = Counter((number, at.astimezone(UTC).date()) for at, _, number in created)
    assert max(per_day.values()) <= 12
    assert len({day for _, day in per_day}) >= 40 // (12 * len(numbers))  # spread over days by the cap
    batches = Counter((at - evening) // timedelta(minutes=20) for at, _, _ in created)
    assert max(batches.values()) <= 3


async def test_pause_quit_restart_resume_sends_the_rest_exactly_once(world: World) -> None:
    world.clock.set(AFTERNOON)
    await world.faults(reply_rate=0, carrier_error_rate=0)
    store = world.store()
    leads = us_leads(store, 20)
    cid = create(store, world, leads, "pause")
    engine = world.engine(store)
    await drive(world, engine, 6)
    sent_before = store.campaign_progress(cid).counts
    assert 0 < sent_before["sent"] + sent_before["queued"] < 20
    store.pause_campaign(cid, now=world.clock.now())
    await drive(world, engine, 60)
    paused = store.campaign_progress(cid)
    assert paused.counts["queued"] == 0 and paused.counts["pending"] > 0
    on_carrier = len([s for s in await carrier_outbound(world) if "pause-" in s["text"]])
    assert on_carrier == paused.counts["sent"]
    store.close()  # quit

    again = world.store()  # restart: everything is in the cache
    campaign = again.campaign(cid)
    assert campaign is not None and campaign.state == "paused"
    engine = world.engine(again)
    await drive(world, engine, 30)
    assert len([s for s in await carrier_outbound(world) if "pause-" in s["text"]]) == on_carrier
    assert again.resume_campaign(cid, now=world.clock.now())
    await drive(world, engine, 120, until=lambda: _done(again, cid))
    await drive(world, engine, 20)
    assert _states(again, cid) == {"sent": 20}
    ours = [s for s in await carrier_outbound(world) if "pause-" in s["text"]]
    assert len(ours) == 20 and set(texts_on(ours).values()) == {1}


async def test_cancel_removes_what_had_not_left_and_nothing_more_reaches_the_carrier(world: World) -> None:
    world.clock.set(AFTERNOON)
    await world.faults(reply_rate=0, carrier_error_rate=0)
    store = world.store()
    cid = create(store, world, us_leads(store, 20), "cancel")
    engine = world.engine(store)
    await drive(world, engine, 5)
    progress = store.campaign_progress(cid).counts
    not_left = progress["pending"] + progress["queued"]
    removed = store.cancel_campaign(cid, now=world.clock.now())
    assert 0 < removed <= not_left
    await drive(world, engine, 120)
    final = store.campaign_progress(cid).counts
    assert final["cancelled"] == removed and final["sent"] == 20 - removed
    ours = [s for s in await carrier_outbound(world) if "cancel-" in s["text"]]
    assert len(ours) == 20 - removed and set(texts_on(ours).values()) == {1}
    assert store.outbox() == []


async def test_stop_mid_campaign_stops_their_remaining_messages_and_replies_are_marked(world: World) -> None:
    """A drip: one lead texts STOP after the first batch; their message in a later batch never goes.
    Another lead answers: `replied`, and the answer is in the normal inbox."""
    world.clock.set(AFTERNOON)
    await world.faults(reply_rate=0, carrier_error_rate=0)
    store = world.store()
    leads = us_leads(store, 6)
    cid = create(store, world, leads, "stop", mode="drip", drip_count=2, drip_minutes=30)
    engine = world.engine(store)
    await drive(world, engine, 60)
    first = [r for r in store.campaign_recipients(cid) if r.state == "sent"]
    assert len(first) == 2
    stopper = leads[4]  # in the third batch
    await world.inbound(remote=stopper[2], local=stopper[3], text="STOP")
    await world.inbound(remote=first[0].phone, local=first[0].from_number, text="Sounds good, call me")
    await drive(world, engine, 2 * 3600, step=10)
    by_lead = {r.lead_id: r for r in store.campaign_recipients(cid)}
    assert by_lead[stopper[0]].state == "opted_out"
    assert by_lead[first[0].lead_id].state == "replied"
    assert _states(store, cid) == {"sent": 4, "replied": 1, "opted_out": 1}
    ours = [s for s in await carrier_outbound(world) if "stop-" in s["text"]]
    assert stopper[2] not in {s["remote_phone"] for s in ours}
    assert len(ours) == 5
    report = store.campaign_report(cid)
    assert (report.sent, report.replied, report.opted_out) == (5, 1, 1)
    inbox = [m for m in store.conversation(first[0].lead_id) if m.direction == "inbound"]
    assert inbox[-1].text == "Sounds good, call me"
