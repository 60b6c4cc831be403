"""Close's rules for the numbers a rep may text from, and which one a message goes from."""

from __future__ import annotations

from dataclasses import replace

from sms_tui.provider.models import PhoneNumber
from sms_tui.sync.numbers import countries_of, may_send_from, usable_numbers
from sms_tui.sync.store_cache import StoreCache
from tests.sync.harness import World, send_one, textable_leads

ME = "user_me"
OWN = PhoneNumber("phon_1", "+16505550100", "internal", "US", True, "mine", ME, False, (ME,), ("US", "CA"))


def test_only_own_and_group_numbers_the_rep_is_in_can_send() -> None:
    colleague = replace(OWN, id="phon_2", user_id="user_other", participants=("user_other",))
    group_in = replace(OWN, id="phon_3", user_id=None, is_group_number=True, participants=("user_x", ME))
    group_out = replace(group_in, id="phon_4", participants=("user_x",))
    external = replace(OWN, id="phon_5", type="external")
    disabled = replace(OWN, id="phon_6", sms_enabled=False)
    virtual = replace(OWN, id="phon_7", type="virtual")
    numbers = [OWN, colleague, group_in, group_out, external, disabled, virtual]
    assert [n.id for n in usable_numbers(numbers, ME)] == ["phon_1", "phon_3", "phon_7"]
    assert not may_send_from(colleague, ME)


def test_countries_come_from_supports_sms_to_countries_else_the_numbers_own() -> None:
    assert countries_of(OWN) == frozenset({"US", "CA"})
    assert countries_of(replace(OWN, supports_sms_to_countries=())) == frozenset({"US"})


async def test_a_reply_goes_from_the_number_the_thread_last_used(world: World) -> None:
    store = world.store()
    lead = textable_leads(store)[0]
    lead_id, contact_id, phone, ours = lead
    # the thread goes out from another of the rep's US numbers (the group line), not the first one
    other = next(n.number for n in store.our_numbers() if n.country == "US" and n.number != ours)
    engine = world.engine(store)
    first = send_one(
        store, (lead_id, contact_id, phone, other), "first", world.clock.now(), world.clock.now()
    )
    await engine.push_outbox()
    message = store.get_message(first)
    assert message is not None and message.local_phone == other
    reply = store.enqueue_send(
        lead_id=lead_id, contact_id=contact_id, text="no number chosen", remote_phone=phone,
        local_phone="", send_at=world.clock.now(), now=world.clock.now(),
    )  # fmt: skip
    pending = store.get_message(reply)
    assert pending is not None
    assert StoreCache(store).send_context(pending).from_number == other
