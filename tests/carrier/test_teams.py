"""Teams (issue 8, item 4): users with their own API keys and roles, personal, group and external
numbers, and an async `error` for an SMS sent from a number the sender may not use."""

from __future__ import annotations

from typing import Any

import httpx

from tests.carrier.conftest import KEY, Carrier

JORDAN, SAM = f"{KEY}.jordan", f"{KEY}.sam"
PERSONAL_ALEX, GROUP, PERSONAL_JORDAN, CELL = "+16503334444", "+16503335500", "+16503339911", "+14155238886"


async def _as(carrier: Carrier, key: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return await carrier.http.request(method, path, auth=(key, ""), **kw)


async def test_each_user_has_a_key_and_a_role(carrier: Carrier) -> None:
    alex = await carrier.get("me/")
    jordan = (await _as(carrier, JORDAN, "GET", "me/")).json()
    assert (alex["first_name"], alex["memberships"][0]["role_id"]) == ("Alex", "admin")
    assert (jordan["first_name"], jordan["memberships"][0]["role_id"]) == ("Jordan", "member")
    assert {n["number"] for n in jordan["phone_numbers"]} == {GROUP, PERSONAL_JORDAN}
    assert (await _as(carrier, f"{KEY}.nobody", "GET", "me/")).status_code == 401
    keys = {k["key"]: k for k in (await carrier.state(sms="false"))["api_keys"]}
    assert keys[JORDAN]["role"] == "member" and keys[SAM]["event_log"] is False


async def test_numbers_are_personal_group_or_external(carrier: Carrier) -> None:
    numbers = {n["number"]: n for n in await carrier.numbers()}
    alex_id = (await carrier.get("me/"))["id"]
    group = numbers[GROUP]
    assert group["is_group_number"] and group["user_id"] is None and alex_id in group["participants"]
    assert len(group["participants"]) == 2
    assert numbers[PERSONAL_ALEX]["user_id"] == alex_id and not numbers[PERSONAL_ALEX]["is_group_number"]
    cell = numbers[CELL]
    assert cell["type"] == "external" and cell["sms_enabled"] is False
    assert cell["supports_sms_to_countries"] == []
    assert numbers[PERSONAL_ALEX]["supports_sms_to_countries"] == ["US", "CA", "PR"]
    assert numbers["+442071838750"]["supports_sms_to_countries"] == ["GB"]
    mine = await carrier.get("phone_number/", participant_user_id=alex_id)
    assert PERSONAL_JORDAN not in {n["number"] for n in mine["data"]}
    groups = await carrier.get("phone_number/", is_group_number="true")
    assert [n["number"] for n in groups["data"]] == [GROUP]
    assert GROUP not in {
        n["number"] for n in (await carrier.get("phone_number/", is_group_number="0"))["data"]
    }
    r = await carrier.http.get("phone_number/", params={"is_group_number": "maybe"})
    assert r.status_code == 400 and "is_group_number" in r.json()["field-errors"]


async def _send_from(carrier: Carrier, key: str, local: str) -> dict[str, Any]:
    _, contact = await carrier.lead()
    r = await _as(
        carrier, key, "POST", "activity/sms/",
        json={"status": "outbox", "text": "hi", "contact_id": contact["id"], "local_phone": local},
    )  # fmt: skip
    assert r.status_code == 200, r.text  # accepted: Close refuses it when it sends
    await carrier.advance(10)
    sms: dict[str, Any] = await carrier.sms(r.json()["id"])
    return sms


async def test_a_colleagues_number_fails_async_with_a_clear_reason(carrier: Carrier) -> None:
    sms = await _send_from(carrier, KEY, PERSONAL_JORDAN)
    assert sms["status"] == "error"
    assert sms["error_message"].startswith("Error 21606")
    assert "belongs to another user" in sms["error_message"]


async def test_an_external_number_cannot_text(carrier: Carrier) -> None:
    sms = await _send_from(carrier, KEY, CELL)
    assert sms["status"] == "error" and "cannot send SMS" in sms["error_message"]


async def test_own_and_group_numbers_send(carrier: Carrier) -> None:
    assert (await _send_from(carrier, KEY, GROUP))["status"] == "sent"
    assert (await _send_from(carrier, JORDAN, GROUP))["status"] == "sent"
    jordans = await _send_from(carrier, JORDAN, PERSONAL_JORDAN)
    assert jordans["status"] == "sent" and jordans["user_name"] == "Jordan Lee"
    assert (await _send_from(carrier, SAM, GROUP))["status"] == "error"  # Sam is not a participant


async def test_without_a_number_the_sender_gets_one_they_may_use(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    r = await _as(
        carrier, JORDAN, "POST", "activity/sms/",
        json={"status": "outbox", "text": "hi", "contact_id": contact["id"]},
    )  # fmt: skip
    assert r.json()["local_phone"] == PERSONAL_JORDAN


async def test_a_number_outside_the_org_is_still_a_400(carrier: Carrier) -> None:
    r = await carrier.post_sms(
        status="outbox", text="x", remote_phone="+12125551234", local_phone="+12125550000"
    )
    assert r.status_code == 400 and "local_phone" in r.json()["field-errors"]


async def test_org_limit_is_three_times_the_key_limit(carrier: Carrier) -> None:
    await carrier.faults(key_limit=2)
    codes = []
    for key in (KEY, KEY, KEY, JORDAN, JORDAN, SAM, SAM):
        r = await _as(carrier, key, "GET", "lead/", params={"_limit": 1})
        codes.append(r.status_code)
    assert codes == [200, 200, 429, 200, 200, 200, 200]  # each key gets 2: Alex's third is refused
    r = await _as(carrier, f"{KEY}.riley", "GET", "lead/")  # Riley's first, but the org's 6 are used
    assert r.status_code == 429
    assert r.headers["ratelimit"] == "limit=2, remaining=0, reset=1" and r.headers["retry-after"] == "1"
    assert (await _as(carrier, f"{KEY}.riley", "GET", "activity/sms/")).status_code == 200  # other group


async def test_leads_have_several_contacts_and_contacts_several_phones(carrier: Carrier) -> None:
    leads = (await carrier.get("lead/", _limit=200))["data"]
    assert any(len(lead["contacts"]) >= 3 for lead in leads)
    phones = [c["phones"] for lead in leads for c in lead["contacts"]]
    several = [p for p in phones if len(p) > 1]
    assert several and all(p[0]["type"] != "office" for p in several)  # the mobile stays first
    assert {"office", "other"} <= {ph["type"] for p in several for ph in p[1:]}
    landlines = set((await carrier.state(sms="false"))["landlines"])
    assert all(ph["phone"] in landlines for p in several for ph in p[1:] if ph["type"] == "office")
    assert any(ph["outbound_sms_blocked"] for p in phones for ph in p)  # someone texted STOP
