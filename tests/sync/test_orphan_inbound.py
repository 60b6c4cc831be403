"""An inbound SMS that Close hands over without a lead id joins the lead that owns the number."""

from __future__ import annotations

import json

from tests.sync.harness import MangleTransport, World, textable_leads


def _strip_lead(body: bytes) -> bytes:
    page = json.loads(body)
    for event in page["data"]:
        if event.get("object_type") == "activity.sms" and event["data"]:
            event["lead_id"] = None
            event["data"]["lead_id"] = None
            event["data"]["contact_id"] = None
    return json.dumps(page).encode()


async def test_a_reply_without_lead_id_attaches_to_the_lead_that_owns_the_phone(world: World) -> None:
    store = world.store()
    lead_id, contact_id, phone, ours = textable_leads(store)[3]
    mangler = MangleTransport(world.transport)
    mangler.mangle("GET", "/api/v1/event/", _strip_lead)
    engine = world.engine(store)
    engine.client = engine.poller.client = world.client(transport=mangler)
    leads_before = store.stats()["leads"]
    await world.inbound(remote=phone, local=ours, text="It's me again, from my usual phone")
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["It's me again, from my usual phone"]
    assert store.stats()["leads"] == leads_before, "no phantom lead named after the number"
    mine = [m for m in store.conversation(lead_id) if m.text == "It's me again, from my usual phone"]
    assert len(mine) == 1 and mine[0].direction == "inbound"
    assert mine[0].contact_id == contact_id
    row = store.lead_row(lead_id)
    assert row is not None and row.unread >= 1 and row.preview == "It's me again, from my usual phone"
    assert lead_id in world.events[-1].changed_lead_ids


async def test_a_reply_without_lead_id_from_an_unknown_number_is_still_kept(world: World) -> None:
    store = world.store()
    _, _, _, ours = textable_leads(store)[3]
    mangler = MangleTransport(world.transport)
    mangler.mangle("GET", "/api/v1/event/", _strip_lead)
    engine = world.engine(store)
    engine.client = engine.poller.client = world.client(transport=mangler)
    await world.inbound(remote="+14155550199", local=ours, text="who is this")
    report = await engine.poll_once()
    assert [m.text for m in report.new_inbound] == ["who is this"]  # nothing is lost
