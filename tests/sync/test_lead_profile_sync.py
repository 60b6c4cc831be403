"""The sync keeps what Close says about a lead (status, creator, link, custom fields) and each
contact's emails with their opt-out state, as the fake carrier serves them."""

from __future__ import annotations

from sms_tui.provider.models import parse_lead
from sms_tui.sync.convert import lead as convert_lead
from tests.sync.harness import World


async def test_the_first_sync_keeps_status_link_creator_and_emails(world: World) -> None:
    store = world.store()
    cached = [
        r[0] for r in store._conn.execute("SELECT id FROM leads WHERE is_stub = 0 ORDER BY id LIMIT 30")
    ]
    assert len(cached) == 30
    checked = 0
    for lead_id in cached:
        raw = world.app.carrier.state.get("lead", lead_id)
        assert raw is not None
        lead = store.lead_detail(raw["id"]).lead
        assert lead.profile.status == raw["status_label"]
        assert lead.profile.html_url == raw["html_url"] == f"https://app.close.com/lead/{raw['id']}/"
        assert lead.profile.created_by == raw["created_by_name"]
        carrier_emails = sorted(
            (e["email"], e["is_unsubscribed"])
            for c in world.app.carrier.state.contacts_of(raw["id"])
            for e in c["emails"]
        )
        assert sorted((e.email, e.unsubscribed) for c in lead.contacts for e in c.emails) == carrier_emails
        checked += bool(carrier_emails)
    assert checked > 5


def test_custom_fields_by_name_and_by_id_and_the_owner() -> None:
    base = {
        "id": "lead_x",
        "display_name": "X",
        "name": "X",
        "status_label": "Won",
        "html_url": "https://app.close.com/lead/lead_x/",
        "created_by": "user_a",
        "created_by_name": "Ann Admin",
        "updated_by": "user_b",
        "updated_by_name": "Bo Rep",
        "date_created": "2026-01-01T00:00:00+00:00",
        "date_updated": "2026-01-01T00:00:00+00:00",
        "contacts": [],
    }
    named = convert_lead(
        parse_lead(
            {**base, "custom": {"Lead Owner": "user_b", "Seats": 40, "Tags": ["a", "b"], "Empty": None}}
        )
    )
    assert named.profile.owner == "Bo Rep"  # a user field holds an id: named after who we know
    assert named.profile.custom == (("Seats", "40"), ("Tags", "a, b"))
    by_id = convert_lead(parse_lead({**base, "custom.cf_abc": "Retail", "custom.cf_def": ""}))
    assert by_id.profile.custom == (("cf_abc", "Retail"),) and by_id.profile.owner == ""
    assert by_id.profile.status == "Won" and by_id.profile.created_by == "Ann Admin"
