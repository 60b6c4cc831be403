"""What the sync engine writes: provider SMS, leads and contacts, opt-outs; and its helper reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sms_tui.core.models import Contact, ContactPhone, Lead, Message, OurNumber, Template, User
from sms_tui.store import Store, StoreError
from tests.store.conftest import NOW, lead_row, make_lead, sms


def snapshot(store: Store) -> list[Any]:
    c = store._conn
    return [
        c.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("messages", "lead_state", "leads")
    ]


def test_every_close_field_is_kept(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    full = sms(
        "acti_1",
        1,
        status="sent",
        cost="2",
        user_id="user_1",
        created_by="user_1",
        user_name="Rep",
        template_id="smstmpl_1",
        local_phone_formatted="+1 415-555-0100",
        remote_country_iso="US",
        attachments=[{"url": "https://x/y", "filename": "a.png"}],
        sequence_id="seq_1",
        caller_id_mode="fixed",
        brand_new_field={"a": 1},
    )
    store.apply_remote_messages([full])
    row = store._conn.execute(
        "SELECT cost, user_name, template_id, local_phone_formatted, remote_country_iso, attachments, "
        "sequence_id, caller_id_mode, extra, users FROM messages WHERE remote_id = 'acti_1'"
    ).fetchone()
    assert row == (
        "2",
        "Rep",
        "smstmpl_1",
        "+1 415-555-0100",
        "US",
        '[{"filename":"a.png","url":"https://x/y"}]',
        "seq_1",
        "fixed",
        '{"brand_new_field":{"a":1}}',
        "[]",
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"status": "inbox"}, "has no id"),
        ({"id": "acti_x", "status": 5}, "no status"),
        ({"id": "acti_x", "status": "sent", "text": 5}, "text should be text"),
        ({"id": "acti_x", "status": "sent", "date_created": "yesterday-ish"}, "bad date_created"),
        ({"id": "acti_x", "status": "sent", "date_created": 1700000000}, "bad date_created"),
    ],
)
def test_malformed_provider_sms_raise_and_leave_the_cache_as_it_was(
    store: Store, bad: dict[str, Any], message: str
) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1)])
    before = snapshot(store)
    with pytest.raises(StoreError, match=message):
        store.apply_remote_messages([sms("acti_2", 1), {"lead_id": "lead_1", **bad}])
    assert snapshot(store) == before


def test_unknown_status_and_direction_are_stored_as_they_came(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages(
        [sms("acti_1", 1, status="delivered"), {**sms("acti_2", 1), "direction": "sideways"}]
    )
    first = store.get_message_by_remote_id("acti_1")
    second = store.get_message_by_remote_id("acti_2")
    assert first is not None and str(first.status) == "delivered" and first.local_state == "sent"
    assert second is not None and second.direction == "inbound"  # from its status, inbox
    with store._read() as conn:
        extra = conn.execute("SELECT extra FROM messages WHERE remote_id = 'acti_2'").fetchone()[0]
    assert '"direction":"sideways"' in extra


def test_only_changed_messages_count_as_changes(store: Store) -> None:
    store.upsert_leads([make_lead(1), make_lead(2)])
    batch = [sms("acti_1", 1), sms("acti_2", 2, status="sent")]
    assert store.apply_remote_messages(batch) == {"lead_1", "lead_2"}
    assert store.apply_remote_messages(batch) == set()  # the poll's re-scan: nothing new
    assert store.apply_remote_messages([sms("acti_2", 2, status="error")]) == {"lead_2"}
    assert lead_row(store, "lead_2").failed_count == 1


def test_a_stale_copy_never_rolls_a_message_back(store: Store) -> None:
    """The poll can meet an SMS's `created` event (status outbox) after its `updated` one (sent):
    the older copy must not undo the newer status."""
    store.upsert_leads([make_lead(1)])
    older, newer = NOW - timedelta(minutes=2), NOW - timedelta(minutes=1)
    store.apply_remote_messages([sms("acti_1", 1, status="outbox", at=older)])
    sent = sms("acti_1", 1, status="sent", at=older, date_updated=newer.isoformat())
    assert store.apply_remote_messages([sent]) == {"lead_1"}
    assert store.apply_remote_messages([sms("acti_1", 1, status="outbox", at=older)]) == set()
    msg = store.get_message_by_remote_id("acti_1")
    assert msg is not None and msg.status == "sent" and msg.local_state == "sent"


def test_remote_updates_keep_what_the_rep_did_locally(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1, text="hi")])
    store.mark_read("lead_1")
    store.apply_remote_messages([sms("acti_1", 1, text="hi (edited)", date_updated=NOW.isoformat())])
    msg = store.get_message_by_remote_id("acti_1")
    assert msg is not None and msg.is_read and msg.text == "hi (edited)"
    assert lead_row(store, "lead_1").preview == "hi (edited)"
    assert store.count_leads("edited", now=NOW) == 1


def test_messages_for_unknown_leads_create_stubs_to_fetch(store: Store) -> None:
    assert store.apply_remote_messages([sms("acti_1", 42, remote_phone_formatted="+1 650-555-0042")]) == {
        "lead_42"
    }
    assert store.stub_lead_ids() == ["lead_42"]
    assert lead_row(store, "lead_42").display_name == "+1 650-555-0042"
    store.upsert_leads([make_lead(42, "Real Name")])
    assert store.stub_lead_ids() == []
    row = lead_row(store, "lead_42")
    assert (row.display_name, row.unread) == ("Real Name", 1)


def test_message_dataclasses_are_accepted_too(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    m = Message(
        local_id=0,
        lead_id="lead_1",
        direction="inbound",
        local_state="inbox",
        text="yo",
        remote_id="acti_1",
        status="inbox",
        date_created=NOW,
    )
    assert store.apply_remote_messages([m]) == {"lead_1"}
    assert [x.text for x in store.conversation("lead_1")] == ["yo"]


def test_history_is_read_new_replies_are_unread(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1)], unread_inbound=False)
    store.apply_remote_messages([sms("acti_2", 1, at=NOW)])
    assert [m.is_read for m in store.conversation("lead_1")] == [True, False]


def test_upsert_leads_replaces_contacts_and_picks_the_texting_phone(store: Store) -> None:
    lead = Lead(
        id="lead_1",
        display_name="Acme",
        contacts=(
            Contact(id="c_a", lead_id="lead_1", name="No Phone"),
            Contact(
                id="c_b",
                lead_id="lead_1",
                name="Bo",
                phones=(ContactPhone("+16505550100", "office"), ContactPhone("+16505550101", "mobile")),
            ),
        ),
    )
    store.upsert_leads([lead])
    detail = store.lead_detail("lead_1")
    assert detail.texting_contact is not None and detail.texting_contact.id == "c_b"
    assert detail.texting_phone == "+16505550101"
    assert [c.name for c in detail.lead.contacts] == ["No Phone", "Bo"]

    store.upsert_leads([Lead(id="lead_1", display_name="Acme Inc", contacts=(lead.contacts[1],))])
    detail = store.lead_detail("lead_1")
    assert [c.id for c in detail.lead.contacts] == ["c_b"] and detail.lead.display_name == "Acme Inc"
    assert store.count_leads('name:"no phone"', now=NOW) == 0
    assert store.count_leads("name:acme", now=NOW) == 1


def test_opt_out_is_per_phone_and_survives_a_lead_refresh(store: Store) -> None:
    store.upsert_leads([make_lead(1, phone="+16505550100"), make_lead(2, phone="+16505550100")])
    assert store.set_phone_opt_out("+16505550100", True, now=NOW) == {"lead_1", "lead_2"}
    store.upsert_leads([make_lead(1, phone="+16505550100")])
    detail = store.lead_detail("lead_1")
    assert detail.row.opted_out and detail.lead.contacts[0].opted_out
    assert store.phone_flags("+16505550100") == (True, False)
    store.set_phone_do_not_text("+16505550100", True)
    assert store.lead_detail("lead_2").lead.contacts[0].do_not_text
    store.set_phone_opt_out("+16505550100", False, now=NOW)
    assert not lead_row(store, "lead_1").opted_out


def test_reference_data(store: Store) -> None:
    store.upsert_users([User("user_1", "Ann", "Rep", "ann@x.io", "orga_1")], me_id="user_1")
    store.upsert_our_numbers([OurNumber("phon_1", "+14155550100", "US")])
    store.upsert_templates(
        [
            Template("t2", "b", "Bye"),
            Template("t1", "a", "Hi {{ contact.first_name }}"),
            Template("t3", "c", "old", is_active=False),
        ]
    )
    me = store.me()
    assert me is not None and me.first_name == "Ann"
    assert [n.number for n in store.our_numbers()] == ["+14155550100"]
    assert [t.id for t in store.templates()] == ["t1", "t2"]
    store.upsert_templates([Template("t1", "a", "Hi")])
    assert [t.text for t in store.templates()] == ["Hi"]
    store.kv_set("events_cursor", "abc")
    assert store.kv_get("events_cursor") == "abc"
    store.kv_set("events_cursor", None)
    assert store.kv_get("events_cursor", "none") == "none"


def test_sync_helper_reads(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    assert not store.has_unsettled_outbound(since=NOW - timedelta(minutes=5), now=NOW)
    store.apply_remote_messages([sms("acti_1", 1, status="outbox", at=NOW - timedelta(hours=2))])
    assert store.has_unsettled_outbound(since=NOW - timedelta(minutes=5), now=NOW)
    store.apply_remote_messages([sms("acti_1", 1, status="sent", at=NOW - timedelta(hours=2))])
    assert not store.has_unsettled_outbound(since=NOW - timedelta(minutes=5), now=NOW)
    assert store.has_unsettled_outbound(since=NOW - timedelta(hours=3), now=NOW)
    local = store.schedule(
        lead_id="lead_1",
        contact_id="cont_1",
        text="later",
        remote_phone="+16505550001",
        local_phone="+14155550100",
        date_scheduled=NOW + timedelta(days=1),
        now=NOW,
    )
    store.claim_due(now=NOW, owner="e")
    store.mark_pushed(local, "acti_2", "scheduled")
    assert [m.local_id for m in store.scheduled_to("+16505550001")] == [local]
    assert store.stats() == {"leads": 1, "contacts": 1, "messages": 2}
