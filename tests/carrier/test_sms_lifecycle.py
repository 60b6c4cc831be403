"""Create, update, delete and Close's status table (provider-api.md §a.6), in-process."""

from __future__ import annotations

from typing import Any

import pytest

from tests.carrier.conftest import Carrier


async def _to(carrier: Carrier) -> tuple[str, str, str]:
    lead, contact = await carrier.lead()
    return lead["id"], contact["id"], contact["phones"][0]["phone"]


async def test_outbox_becomes_sent_after_the_carrier_delay(carrier: Carrier) -> None:
    lead_id, contact_id, phone = await _to(carrier)
    sms = await carrier.send(status="outbox", text="Hi there", lead_id=lead_id, contact_id=contact_id)
    assert sms["status"] == "outbox"
    assert sms["direction"] == "outbound"
    assert sms["remote_phone"] == phone  # taken from the contact
    assert sms["local_phone"] == await carrier.us_number()  # same-country number picked
    assert sms["date_sent"] is None and sms["cost"] is None
    await carrier.advance(10)
    sent = await carrier.sms(sms["id"])
    assert sent["status"] == "sent"
    assert sent["date_sent"] is not None and sent["date_sent"] > sms["date_created"]
    assert sent["cost"] == "1"
    assert sent["error_message"] is None


async def test_sms_object_has_every_documented_field(carrier: Carrier) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    sms = await carrier.send(status="draft", text="x", lead_id=lead_id, contact_id=contact_id)
    required = {
        "_type", "id", "organization_id", "lead_id", "contact_id", "user_id", "created_by", "updated_by",
        "date_created", "date_updated", "activity_at", "date_scheduled", "date_sent", "direction", "status",
        "source", "text", "template_id", "error_message", "cost", "local_phone", "local_phone_formatted",
        "local_country_iso", "remote_phone", "remote_phone_formatted", "remote_country_iso", "users",
    }  # fmt: skip
    assert required <= set(sms)
    assert sms["_type"] == "SMS" and sms["id"].startswith("acti_")
    assert sms["date_created"].endswith("+00:00")
    assert sms["local_phone_formatted"] == "+1 650-333-4444" and sms["local_country_iso"] == "US"


async def test_cost_counts_segments(carrier: Carrier) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    long_gsm = "a" * 161  # two GSM-7 segments
    sms = await carrier.send(status="outbox", text=long_gsm, lead_id=lead_id, contact_id=contact_id)
    await carrier.advance(10)
    assert (await carrier.sms(sms["id"]))["cost"] == "2"


async def test_send_in_holds_the_sms_and_draft_cancels_it(carrier: Carrier) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    sms = await carrier.send(
        status="outbox", text="undo me", lead_id=lead_id, contact_id=contact_id, send_in=30
    )
    await carrier.advance(20)
    assert (await carrier.sms(sms["id"]))["status"] == "outbox"
    r = await carrier.put(sms["id"], status="draft")
    assert r.status_code == 200 and r.json()["status"] == "draft"
    await carrier.advance(120)
    assert (await carrier.sms(sms["id"]))["status"] == "draft"  # never sent


@pytest.mark.parametrize("send_in", [60, 61.5, -1, "10"])
async def test_send_in_must_be_under_60_seconds(carrier: Carrier, send_in: object) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    r = await carrier.post_sms(
        status="outbox", text="x", lead_id=lead_id, contact_id=contact_id, send_in=send_in
    )
    assert r.status_code == 400
    assert "send_in" in r.json()["field-errors"]


async def test_scheduled_goes_to_outbox_then_sent_at_its_date(carrier: Carrier) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    when = carrier.clock.now().replace(microsecond=0).isoformat()[:-6]  # naive = UTC
    sms = await carrier.send(status="scheduled", text="later", lead_id=lead_id, contact_id=contact_id,
                             date_scheduled=when.replace("09:00:00", "10:00:00"))  # fmt: skip
    assert sms["status"] == "scheduled" and sms["date_scheduled"].startswith("2026-11-23T10:00:00")
    await carrier.advance(3599)
    assert (await carrier.sms(sms["id"]))["status"] == "scheduled"
    await carrier.advance(1)
    assert (await carrier.sms(sms["id"]))["status"] == "outbox"
    await carrier.advance(10)
    assert (await carrier.sms(sms["id"]))["status"] == "sent"


async def test_scheduled_needs_a_date(carrier: Carrier) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    r = await carrier.post_sms(status="scheduled", text="x", lead_id=lead_id, contact_id=contact_id)
    assert r.status_code == 400 and "date_scheduled" in r.json()["field-errors"]


@pytest.mark.parametrize(
    ("status", "direction", "source"),
    [("inbox", "inbound", "External"), ("draft", "outbound", "Close.io"), ("sent", "outbound", "External")],
)
async def test_create_defaults(carrier: Carrier, status: str, direction: str, source: str) -> None:
    lead_id, contact_id, phone = await _to(carrier)
    sms = await carrier.send(
        status=status, text="logged", lead_id=lead_id, contact_id=contact_id, remote_phone=phone
    )
    assert (sms["status"], sms["direction"], sms["source"]) == (status, direction, source)
    await carrier.advance(600)
    assert (await carrier.sms(sms["id"]))["status"] == status  # logged, not simulated


async def test_template_id_is_rendered_into_text(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    templates = (await carrier.get("sms_template/"))["data"]
    intro = next(t for t in templates if t["name"] == "Intro")
    sms = await carrier.send(
        status="draft", template_id=intro["id"], lead_id=lead["id"], contact_id=contact["id"]
    )
    first = contact["name"].split(" ")[0]
    assert sms["text"].startswith(f"Hi {first}, this is Alex from Sunrise Solar.")
    assert lead["display_name"] in sms["text"]
    assert "{{" not in sms["text"] and sms["template_id"] == intro["id"]


# -- the transition table ------------------------------------------------------------------------


async def _in_status(carrier: Carrier, status: str) -> Any:
    lead_id, contact_id, phone = await _to(carrier)
    base = {"text": "hello", "lead_id": lead_id, "contact_id": contact_id, "remote_phone": phone}
    if status == "scheduled":
        return await carrier.send(status="scheduled", date_scheduled="2026-11-24T09:00:00Z", **base)
    if status == "outbox":
        return await carrier.send(status="outbox", send_in=50, **base)
    if status == "error":
        sms = await carrier.send(status="outbox", **(base | {"remote_phone": "+12015550105"}))
        await carrier.advance(60)
        sms = await carrier.sms(sms["id"])
        assert sms["status"] == "error"
        return sms
    return await carrier.send(status=status, **base)


ALLOWED = [
    ("draft", {"status": "draft", "text": "edited"}),
    ("draft", {"text": "edited only"}),
    ("draft", {"status": "scheduled", "date_scheduled": "2026-11-24T09:00:00Z"}),
    ("draft", {"status": "outbox"}),
    ("scheduled", {"status": "draft"}),
    ("outbox", {"status": "draft"}),
]
REFUSED = [
    ("draft", {"status": "sent"}),
    ("draft", {"status": "error"}),
    ("draft", {"status": "inbox"}),
    ("scheduled", {"status": "scheduled"}),
    ("scheduled", {"status": "outbox"}),
    ("scheduled", {"text": "edit a scheduled one"}),
    ("outbox", {"status": "scheduled", "date_scheduled": "2026-11-24T09:00:00Z"}),
    ("outbox", {"status": "sent"}),
    ("outbox", {"text": "edit an outbox one"}),
    ("sent", {"status": "draft"}),
    ("sent", {"status": "error"}),
    ("sent", {"text": "rewrite history"}),
    ("error", {"status": "draft"}),
    ("error", {"status": "outbox"}),
    ("inbox", {"status": "draft"}),
    ("inbox", {"text": "edit a reply"}),
]


@pytest.mark.parametrize(("start", "body"), ALLOWED)
async def test_allowed_transitions(carrier: Carrier, start: str, body: dict[str, Any]) -> None:
    sms = await _in_status(carrier, start)
    r = await carrier.put(sms["id"], **body)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["status"] == body.get("status", start)
    if "text" in body:
        assert after["text"] == body["text"]
    if body.get("status") == "draft" and start != "draft":
        assert after["date_scheduled"] is None
    if body.get("status") == "outbox":
        await carrier.advance(10)
        assert (await carrier.sms(sms["id"]))["status"] == "sent"


@pytest.mark.parametrize(("start", "body"), REFUSED)
async def test_refused_transitions(carrier: Carrier, start: str, body: dict[str, Any]) -> None:
    sms = await _in_status(carrier, start)
    r = await carrier.put(sms["id"], **body)
    assert r.status_code == 400, r.text
    err = r.json()
    assert set(err) == {"errors", "field-errors"}
    assert "status" in err["field-errors"]
    assert (await carrier.sms(sms["id"]))["status"] == start  # unchanged


async def test_sent_cannot_be_cancelled_once_the_carrier_took_it(carrier: Carrier) -> None:
    sms = await _in_status(carrier, "outbox")
    await carrier.advance(60)
    r = await carrier.put(sms["id"], status="draft")
    assert r.status_code == 400
    assert (await carrier.sms(sms["id"]))["status"] == "sent"


async def test_delete_and_404(carrier: Carrier) -> None:
    sms = await _in_status(carrier, "outbox")
    r = await carrier.http.delete(f"activity/sms/{sms['id']}/")
    assert r.status_code == 200 and r.json() == {}
    for method in ("GET", "PUT", "DELETE"):
        r = await carrier.http.request(
            method, f"activity/sms/{sms['id']}/", json={} if method == "PUT" else None
        )
        assert r.status_code == 404 and "error" in r.json()
    await carrier.advance(120)  # the pending send died with it
    assert all(s["id"] != sms["id"] for s in (await carrier.state())["sms"])


async def test_local_phone_must_be_ours(carrier: Carrier) -> None:
    lead_id, contact_id, _ = await _to(carrier)
    r = await carrier.post_sms(
        status="outbox", text="x", lead_id=lead_id, contact_id=contact_id, local_phone="+12125550199"
    )
    assert r.status_code == 400 and "local_phone" in r.json()["field-errors"]


async def test_unknown_references_are_400(carrier: Carrier) -> None:
    for field in ("lead_id", "contact_id", "template_id", "user_id"):
        r = await carrier.post_sms(status="draft", text="x", **{field: "nope_123"})
        assert r.status_code == 400 and field in r.json()["field-errors"], field


async def test_outbox_needs_text_and_a_recipient(carrier: Carrier) -> None:
    r = await carrier.post_sms(status="outbox", text="hi")
    assert r.status_code == 400 and "remote_phone" in r.json()["field-errors"]
    r = await carrier.post_sms(status="outbox", remote_phone="+12125551234", text="  ")
    assert r.status_code == 400 and "text" in r.json()["field-errors"]


async def test_text_over_1000_characters_is_refused(carrier: Carrier) -> None:
    r = await carrier.post_sms(status="draft", text="x" * 1001)
    assert r.status_code == 400 and "text" in r.json()["field-errors"]
