"""Read endpoints and the demo data: shapes, paging, determinism per seed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import phonenumbers

from sms_tui.carrier import FakeClock, create_app
from sms_tui.core.phones import DEFAULT_SMS_COUNTRIES
from tests.carrier.conftest import KEY, Carrier


async def _all_leads(carrier: Carrier, limit: int = 50) -> Any:
    leads, skip = [], 0
    while True:
        page = await carrier.get("lead/", _skip=skip, _limit=limit)
        leads += page["data"]
        skip += len(page["data"])
        if not page["has_more"]:
            return leads


async def test_me(carrier: Carrier) -> None:
    me = await carrier.get("me/")
    assert me["id"].startswith("user_") and me["first_name"] == "Alex"
    assert me["organizations"][0]["id"].startswith("orga_")
    # their own numbers and the group number they are in; not a colleague's line
    assert {n["number"] for n in me["phone_numbers"]} == {
        "+16503334444",
        "+442071838750",
        "+16503335500",
        "+14155238886",
    }
    assert me["memberships"][0]["role_id"] == "admin"


async def test_paging_visits_every_lead_once(carrier: Carrier) -> None:
    leads = await _all_leads(carrier, limit=37)
    ids = [lead["id"] for lead in leads]
    assert len(ids) >= 200 and len(set(ids)) == len(ids)
    assert all(i.startswith("lead_") for i in ids)
    last = await carrier.get("lead/", _skip=len(ids) - 1, _limit=5)
    assert len(last["data"]) == 1 and last["has_more"] is False


async def test_limit_and_skip_are_validated(carrier: Carrier) -> None:
    for params in ({"_limit": "abc"}, {"_skip": -1}, {"_skip": "x"}):
        r = await carrier.http.get("lead/", params=params)
        assert r.status_code == 400 and set(r.json()) == {"errors", "field-errors"}, params


async def test_fields_selects_keys(carrier: Carrier) -> None:
    page = await carrier.get("lead/", _limit=3, _fields="id,display_name")
    assert all(set(lead) == {"id", "display_name"} for lead in page["data"])


async def test_lead_and_contact_shapes(carrier: Carrier) -> None:
    lead = (await carrier.get("lead/", _limit=1))["data"][0]
    assert {"id", "display_name", "contacts", "date_created", "status_label"} <= set(lead)
    again = await carrier.get(f"lead/{lead['id']}/")
    assert again == lead
    contacts = await carrier.get("contact/", lead_id=lead["id"])
    assert [c["id"] for c in contacts["data"]] == [c["id"] for c in lead["contacts"]]
    contact = await carrier.get(f"contact/{lead['contacts'][0]['id']}/")
    for phone in contact["phones"]:
        assert set(phone) >= {"phone", "phone_formatted", "type", "country", "outbound_sms_blocked"}


async def test_unknown_ids_are_404(carrier: Carrier) -> None:
    for path in (
        "lead/lead_nope/",
        "contact/cont_nope/",
        "sms_template/x/",
        "phone_number/x/",
        "event/ev_x/",
    ):
        r = await carrier.http.get(path)
        assert r.status_code == 404 and isinstance(r.json()["error"], str), path


async def test_phone_numbers_and_templates(carrier: Carrier) -> None:
    numbers = await carrier.numbers()
    assert {(n["country"], n["type"], n["sms_enabled"], n["is_group_number"]) for n in numbers} == {
        ("US", "internal", True, False),  # personal numbers
        ("GB", "internal", True, False),
        ("US", "internal", True, True),  # the team's group number
        ("US", "external", False, False),  # a cell phone: calls only
    }
    only = await carrier.get("phone_number/", number="+442071838750")
    assert [n["country"] for n in only["data"]] == ["GB"]
    templates = (await carrier.get("sms_template/"))["data"]
    assert len(templates) >= 4 and all(t["id"].startswith("smstmpl_") for t in templates)
    assert all("{{ contact.first_name }}" in t["text"] for t in templates if t["name"] != "Meeting reminder")


async def test_demo_data_covers_the_cases(carrier: Carrier) -> None:
    leads = await _all_leads(carrier, limit=100)
    phones = [p for lead in leads for c in lead["contacts"] for p in c["phones"]]
    for p in phones:
        num = phonenumbers.parse(p["phone"])
        assert phonenumbers.is_valid_number(num), p
        assert phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164) == p["phone"]
    countries = Counter(p["country"] for p in phones)
    assert {"US", "GB", "CA", "AU", "FR"} <= set(countries)
    assert any(c not in DEFAULT_SMS_COUNTRIES for c in countries)  # a few we cannot text
    types = {phonenumbers.number_type(phonenumbers.parse(p["phone"])) for p in phones}
    assert phonenumbers.PhoneNumberType.FIXED_LINE in types  # a few landlines
    assert any(not c["phones"] for lead in leads for c in lead["contacts"])  # a few without a phone
    st = await carrier.state()
    statuses = Counter(s["status"] for s in st["sms"])
    assert {"sent", "inbox", "error", "draft", "scheduled"} <= set(statuses)
    reasons = {s["error_message"].split(" ")[1] for s in st["sms"] if s["status"] == "error"}
    assert {"21408", "30006", "30007"} <= reasons
    assert st["opt_outs"]  # some leads opted out
    texts = [s["text"] for s in st["sms"]]
    assert any(t == "START" for t in texts)


async def _dump(seed: int) -> Any:
    app = create_app(api_key=KEY, seed=seed, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        return (await c.get("http://x/_carrier/state")).json()


async def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = await _dump(11), await _dump(11), await _dump(12)
    assert a["sms"] == b["sms"] and a["opt_outs"] == b["opt_outs"]
    assert a["sms"] != c["sms"]


async def test_sms_list_filters(carrier: Carrier) -> None:
    st = await carrier.state()
    some = next(s for s in st["sms"] if s["lead_id"])
    by_lead = (await carrier.get("activity/sms/", lead_id=some["lead_id"]))["data"]
    assert by_lead and all(s["lead_id"] == some["lead_id"] for s in by_lead)
    created = [s["date_created"] for s in by_lead]
    assert created == sorted(created, reverse=True)  # newest first
    two = [s["id"] for s in st["sms"][:2]]
    got = (await carrier.get("activity/sms/", id__in=",".join(two)))["data"]
    assert sorted(s["id"] for s in got) == sorted(two)
    cut = sorted(s["date_created"] for s in st["sms"])[len(st["sms"]) // 2]
    newer = await carrier.get("activity/sms/", date_created__gt=cut, _limit=100)
    assert all(s["date_created"] > cut for s in newer["data"])
    r = await carrier.http.get("activity/sms/", params={"date_created__gt": "yesterday-ish"})
    assert r.status_code == 400 and "date_created__gt" in r.json()["field-errors"]


async def test_sms_list_pages_with_skip_and_limit(carrier: Carrier) -> None:
    seen: list[str] = []
    skip = 0
    while True:
        page = await carrier.get("activity/sms/", _skip=skip, _limit=100)
        seen += [s["id"] for s in page["data"]]
        skip += len(page["data"])
        if not page["has_more"]:
            break
    assert len(seen) == len(set(seen)) == len((await carrier.state())["sms"])


async def test_long_filters_via_method_override(carrier: Carrier) -> None:
    st = await carrier.state()
    lead_id = next(s["lead_id"] for s in st["sms"] if s["lead_id"])
    r = await carrier.http.post(
        "activity/sms/", json={"_params": {"lead_id": lead_id}}, headers={"x-http-method-override": "GET"}
    )
    assert r.status_code == 200
    assert r.json()["data"] and all(s["lead_id"] == lead_id for s in r.json()["data"])


async def test_sms_list_order_follows_changes(carrier: Carrier) -> None:
    a = await carrier.send(status="draft", text="first")
    await carrier.advance(1)
    b = await carrier.send(status="draft", text="second")
    newest = (await carrier.get("activity/sms/", _limit=2))["data"]
    assert [s["id"] for s in newest] == [b["id"], a["id"]]
    await carrier.advance(1)
    await carrier.put(a["id"], text="first, edited")
    by_update = (await carrier.get("activity/sms/", _limit=2, _order_by="-date_updated"))["data"]
    assert [s["text"] for s in by_update] == ["first, edited", "second"]
    oldest = (await carrier.get("activity/sms/", _limit=1, _order_by="date_created"))["data"][0]
    assert oldest["date_created"] < a["date_created"]  # the demo history comes first
    r = await carrier.http.get("activity/sms/", params={"_order_by": "text"})
    assert r.status_code == 400 and "_order_by" in r.json()["field-errors"]
