"""The bulk reads: every lead of a search in list order, and leads as the preview needs them."""

from __future__ import annotations

from datetime import timedelta

from sms_tui.core.campaign import BulkMessage, preview
from sms_tui.core.models import Contact, ContactPhone, Lead, OurNumber
from sms_tui.store import Store
from tests.store.conftest import NOW, make_lead, sms


def test_lead_ids_follow_the_search_and_the_list_order(store: Store) -> None:
    store.upsert_leads([make_lead(n, f"Acme {n}" if n % 2 else f"Other {n}") for n in range(1, 7)])
    store.apply_remote_messages([sms(f"acti_{n}", n, at=NOW - timedelta(hours=n)) for n in range(1, 7)])
    assert store.lead_ids(now=NOW) == [f"lead_{n}" for n in range(1, 7)]
    assert store.lead_ids("acme", now=NOW) == ["lead_1", "lead_3", "lead_5"]
    assert store.lead_ids("acme", now=NOW, limit=2) == ["lead_1", "lead_3"]
    assert len(store.lead_ids(now=NOW)) == store.count_leads(now=NOW)


def test_preview_recipients_carry_contacts_flags_history_and_saved_route(store: Store) -> None:
    two = Lead(
        "lead_2",
        "Two phones",
        (
            Contact(
                "cont_2",
                "lead_2",
                "Bo Li",
                "Bo",
                "Li",
                (ContactPhone("+16505550002", "office"), ContactPhone("+16505550099", "mobile")),
            ),
        ),
    )
    store.upsert_leads([make_lead(1), two, make_lead(3)])
    store.apply_remote_messages([sms("acti_1", 1, status="sent")])  # we texted lead 1
    store.set_phone_opt_out("+16505550099", True, now=NOW)
    store.kv_set("route:lead_3", '{"contact": "cont_3", "to": "+16505550003", "from": "+14155550199"}')
    got = store.preview_recipients(["lead_3", "lead_2", "missing", "lead_1", "lead_2"])
    assert [r.lead_id for r in got] == ["lead_3", "lead_2", "lead_1"]
    three, lead2, one = got
    assert (three.preferred_to, three.preferred_from, three.first_message) == (
        "+16505550003",
        "+14155550199",
        True,
    )
    assert [p.phone for p in lead2.contacts[0].phones] == ["+16505550002", "+16505550099"]
    assert lead2.opted_out == frozenset({"+16505550099"}) and lead2.contacts[0].first_name == "Bo"
    assert not one.first_message and one.preferred_from == "+14155550100"
    previews = preview(
        got, BulkMessage("Hi {{ contact.first_name }}"), [OurNumber("n", "+14155550100", "US")], now=NOW
    )
    assert previews[1].text == "Hi Bo"
    assert previews[1].to_number == "+16505550002"  # the mobile opted out: the office line is next


def test_a_damaged_saved_route_is_ignored(store: Store) -> None:
    store.upsert_leads([make_lead(4)])
    store.kv_set("route:lead_4", "{not json")
    (r,) = store.preview_recipients(["lead_4"])
    assert r.preferred_to is None and r.first_message


def _facts(store: Store) -> dict[str, str | None]:
    return dict(store._conn.execute("SELECT phone, facts FROM contact_phones ORDER BY phone").fetchall())


def test_the_background_fill_keeps_each_phones_facts_and_a_preview_reads_them_without_parsing(
    store: Store,
) -> None:
    from sms_tui.core import phones

    store.upsert_leads([make_lead(n) for n in range(1, 4)])
    assert set(_facts(store).values()) == {None}  # the sync does not parse (it would slow it down)
    assert store.fill_phone_facts(limit=2) == 2
    assert store.fill_phone_facts(limit=2) == 1  # goes on where it stopped
    assert store.fill_phone_facts(limit=2) == 0  # all known
    kept = _facts(store)
    assert len(kept) == 3 and all(phones.facts_fresh(f) for f in kept.values())
    phones.forget_facts()
    phones._parse_cached.cache_clear()
    phones.can_text.cache_clear()
    got = store.preview_recipients(["lead_1", "lead_2", "lead_3"])
    message = BulkMessage("Hi {{ contact.first_name }}")
    previews = preview(got, message, [OurNumber("n", "+14155550100", "US")], now=NOW)
    assert [p.to_number for p in previews] == [f"+1650555000{n}" for n in range(1, 4)]
    assert [p.time_zone for p in previews] == ["America/Los_Angeles"] * 3  # from the kept facts
    # our own number is parsed; none of the leads' numbers was
    assert phones._parse_cached.cache_info().currsize == 1
    phones.forget_facts()


def test_writing_a_lead_again_keeps_its_facts_and_a_changed_number_waits_for_the_fill(store: Store) -> None:
    from sms_tui.core import phones

    store.upsert_leads([make_lead(1)])
    store.fill_phone_facts()
    before = _facts(store)
    store.upsert_leads([make_lead(1)])
    assert _facts(store) == before and phones.facts_fresh(before["+16505550001"])
    lead = make_lead(1)
    contact = lead.contacts[0]
    office = (ContactPhone("+442079460000", "office"),)
    store.upsert_leads(
        [Lead(lead.id, lead.display_name, (Contact(contact.id, lead.id, contact.name, phones=office),))]
    )
    assert _facts(store) == {"+442079460000": None}
    store.fill_phone_facts()
    facts = _facts(store)
    phones.forget_facts()
    assert phones.remember_facts("+442079460000", facts["+442079460000"])
    assert phones.parse_phone("+442079460000").location == "London"
    phones.forget_facts()


def test_a_cache_from_before_the_facts_learns_them_at_its_first_preview(store: Store) -> None:
    from sms_tui.core import phones

    store.upsert_leads([make_lead(n) for n in range(1, 4)])
    store._conn.execute("UPDATE contact_phones SET facts = NULL WHERE phone <> ?", ("+16505550001",))
    store._conn.execute(
        "UPDATE contact_phones SET facts = 'x' WHERE phone = ?", ("+16505550001",)
    )  # unreadable
    phones.forget_facts()
    got = store.preview_recipients(["lead_1", "lead_2", "lead_3"])
    numbers = [e.phone for r in got for c in r.contacts for e in c.phones]
    assert not any(phones.remembered(n) for n in numbers)
    assert store.save_phone_facts(numbers) == 3
    assert all(phones.facts_fresh(f) for f in _facts(store).values())
    assert store.save_phone_facts(numbers) == 0  # already known: nothing parsed or written again
    phones.forget_facts()
    store.preview_recipients(["lead_1", "lead_2", "lead_3"])
    assert all(phones.remembered(n) for n in numbers)
    phones.forget_facts()


def test_once_every_phone_has_its_facts_the_fill_stops_reading_the_table_until_a_new_number(
    store: Store,
) -> None:
    """The sync calls the fill after every poll: once all is known it must not walk a 1M-row table
    every 15 s for nothing."""
    store.upsert_leads([make_lead(n) for n in range(1, 4)])
    assert store.fill_phone_facts() == 3
    walks: list[str] = []
    store._conn.set_trace_callback(lambda sql: walks.append(sql) if "facts IS NULL" in sql else None)
    try:
        assert store.fill_phone_facts() == 0
        assert store.fill_phone_facts() == 0
        walks_when_complete = len(walks)
        store.upsert_leads([make_lead(4)])  # a number with no facts yet
        assert store.fill_phone_facts() == 1
    finally:
        store._conn.set_trace_callback(None)
    assert walks_when_complete == 0  # the first walk went through the whole table: none since
    assert len(walks) == 1  # until a number without facts was written
