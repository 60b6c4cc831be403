"""The first sync fills an empty cache from the carrier and reports progress."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sms_tui.sync import FirstSyncProgress
from tests.sync.harness import World


async def test_first_sync_fills_the_cache_with_what_the_carrier_has(empty_world: World) -> None:
    world = empty_world
    store = world.store()
    engine = world.engine(store)
    seen: list[FirstSyncProgress] = []
    result = await engine.first_sync(seen.append)

    state = (await world.ctl.get("/_carrier/state")).json()
    # Bounded: the rep's conversations of the last 90 days, and the leads they name.
    window = (world.clock.now() - timedelta(days=90)).isoformat()
    carrier_sms = [s for s in state["sms"] if s["date_created"] >= window]
    non_drafts = [s for s in carrier_sms if s["status"] != "draft"]
    leads = {s["lead_id"] for s in carrier_sms}
    assert 0 < len(leads) < state["counts"]["lead"]  # leads nobody texted are not fetched
    assert result.stage == "done"
    assert result.leads == len(leads) and result.messages == len(carrier_sms)
    contacts = world.app.carrier.state.data["contact"].values()
    assert result.contacts == sum(1 for c in contacts if c["lead_id"] in leads)
    stats = store.stats()
    assert (stats["leads"], stats["messages"]) == (len(leads), len(non_drafts))
    assert len(store.templates()) == state["counts"]["sms_template"]
    assert {n.number for n in store.our_numbers()} and store.me() is not None

    # Progress: stages in order, counts never go down.
    stages = [p.stage for p in seen]
    order = ["account", "numbers", "templates", "messages", "leads", "done"]
    assert sorted(set(stages), key=order.index) == [s for s in order if s in stages] and stages[-1] == "done"
    assert [p.messages for p in seen] == sorted(p.messages for p in seen)
    assert world.events[-1].progress is None and world.events[-1].changed_lead_ids

    # History is read, except a recent reply nobody answered yet (the conversation waits for the
    # rep); opt-outs in the history are known to the send guard.
    latest: dict[str, dict[str, str]] = {}
    for sms in non_drafts:
        lead = sms["lead_id"]
        if lead not in latest or sms["date_created"] > latest[lead]["date_created"]:
            latest[lead] = sms
    since = (world.clock.now() - timedelta(days=14)).isoformat()
    waiting = {
        lead for lead, sms in latest.items() if sms["direction"] == "inbound" and sms["date_created"] >= since
    }
    assert waiting, "the demo data has conversations waiting for a reply"
    assert store.header_counts().unread_total == len(waiting)
    assert {
        r.lead_id for r in store.lead_page(query="is:unread", limit=500, now=world.clock.now()).rows
    } == waiting
    cached_phones = {
        p.phone for lead in leads for c in store.lead_detail(lead).lead.contacts for p in c.phones
    }
    for pair in state["opt_outs"]:
        if pair["remote_phone"] in cached_phones:
            assert store.phone_flags(pair["remote_phone"])[0] is True

    # Every carrier SMS is in the cache with its status.
    for sms in non_drafts[:50]:
        cached = store.get_message_by_remote_id(sms["id"])
        assert cached is not None and cached.status == sms["status"] and cached.text == (sms["text"] or "")


async def test_first_sync_twice_changes_nothing(world: World) -> None:
    store = world.store()
    before = store.stats()
    await world.engine(store).first_sync()
    assert store.stats() == before


async def test_the_inbox_fills_while_the_first_sync_runs(empty_world: World) -> None:
    """Conversations are written and announced page by page, before the first sync is over."""
    world = empty_world
    store = world.store()
    engine = world.engine(store)
    await engine.first_sync()
    events = world.events
    leads_stage = next(i for i, e in enumerate(events) if e.progress and e.progress.stage == "leads")
    early = set().union(*(e.changed_lead_ids for e in events[:leads_stage]))
    assert early and all(store.lead_row(lead) is not None for lead in early)


async def test_leads_beyond_the_first_syncs_share_are_fetched_by_the_polls(
    empty_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sms_tui.sync import first_sync

    monkeypatch.setattr(first_sync, "FIRST_SYNC_LEADS", 40)
    world = empty_world
    store = world.store()
    engine = world.engine(store)
    result = await engine.first_sync()
    assert result.leads == 40
    stubs = len(store.stub_lead_ids(1000))
    assert stubs > 100  # named by their phone until fetched
    world.transport.requests.clear()
    await engine.poll_once()  # a poll alone stays small (a launch does not pay for the backfill)
    assert len(store.stub_lead_ids(1000)) == stubs and len(world.transport.requests) == 1
    await engine.poll_step()  # the continuous sync's step backfills 100 leads after its poll
    assert len(store.stub_lead_ids(1000)) == stubs - 100
    while store.stub_lead_ids(10):
        await engine.poll_step()
    world.transport.requests.clear()
    world.clock.advance(15)
    await engine.poll_step()
    assert len(world.transport.requests) == 1  # backfill over: idle again


async def test_after_the_first_sync_each_poll_learns_some_contact_phones_facts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sync does not parse numbers (it would take half a minute for 100k leads); each poll
    step then parses a batch in a thread, so a bulk preview later reads them instead of parsing."""
    from sms_tui.core import phones
    from sms_tui.store import bulk_reads

    monkeypatch.setattr(bulk_reads, "FILL_BATCH", 7)
    store = world.store()
    engine = world.engine(store)
    await engine.first_sync()

    def known() -> int:
        return int(
            store._conn.execute("SELECT count(*) FROM contact_phones WHERE facts IS NOT NULL").fetchone()[0]
        )

    total = int(store._conn.execute("SELECT count(*) FROM contact_phones").fetchone()[0])
    assert total > 14 and known() == 0
    await engine.poll_step()
    assert known() == 7
    while known() < total:
        world.clock.advance(15)
        await engine.poll_step()
    facts = store._conn.execute("SELECT phone, facts FROM contact_phones LIMIT 1").fetchone()
    assert phones.facts_fresh(facts[1])
