"""STOP / START / HELP: per-sending-number opt-out, standard auto-replies, blocked sends."""

from __future__ import annotations

from typing import Any

from sms_tui.carrier.replies import HELP_REPLY, START_REPLY, STOP_REPLY
from tests.carrier.conftest import Carrier


async def _thread(carrier: Carrier, lead_id: str) -> Any:
    data = (await carrier.get("activity/sms/", lead_id=lead_id, _order_by="date_created"))["data"]
    return data


async def test_inbound_sms_is_logged_under_the_contact(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    phone, us = contact["phones"][0]["phone"], await carrier.us_number()
    sms = await carrier.inbound(phone, us, "Can we talk Thursday?")
    assert (sms["status"], sms["direction"]) == ("inbox", "inbound")
    assert (sms["lead_id"], sms["contact_id"]) == (lead["id"], contact["id"])
    assert (sms["remote_phone"], sms["local_phone"]) == (phone, us)
    assert sms["text"] == "Can we talk Thursday?"


async def test_unknown_number_gets_a_new_lead(carrier: Carrier) -> None:
    sms = await carrier.inbound("+12125550142", await carrier.us_number(), "hi who is this")
    lead = await carrier.get(f"lead/{sms['lead_id']}/")
    assert lead["display_name"] == "+1 212-555-0142"
    assert lead["contacts"][0]["phones"][0]["phone"] == "+12125550142"


async def test_stop_blocks_only_that_sending_number_and_confirms(carrier: Carrier) -> None:
    lead, contact = await carrier.lead(country="GB")
    phone, gb, us = contact["phones"][0]["phone"], await carrier.gb_number(), await carrier.us_number()
    await carrier.inbound(phone, gb, "Stop")
    thread = await _thread(carrier, lead["id"])
    stop, confirm = thread[-2], thread[-1]
    assert stop["text"] == "Stop" and stop["status"] == "inbox"
    assert confirm["text"] == STOP_REPLY
    assert (confirm["status"], confirm["direction"], confirm["remote_phone"]) == ("sent", "outbound", phone)
    assert confirm["user_id"] is None  # the carrier answered, not the rep
    state = await carrier.state()
    assert {"local_phone": gb, "remote_phone": phone} in state["opt_outs"]
    assert {"local_phone": us, "remote_phone": phone} not in state["opt_outs"]
    contact_now = await carrier.get(f"contact/{contact['id']}/")
    assert contact_now["phones"][0]["outbound_sms_blocked"] is True
    blocked = await carrier.send(status="outbox", text="one more thing", remote_phone=phone, local_phone=gb)
    await carrier.advance(30)
    assert (await carrier.sms(blocked["id"]))["error_message"].startswith("Error 21610 ")


async def test_stop_synonyms(carrier: Carrier) -> None:
    us = await carrier.us_number()
    for i, word in enumerate(("UNSUBSCRIBE", "cancel", "End", "quit", "STOPALL", "stop.")):
        number = f"+1212555{1000 + i}"
        await carrier.inbound(number, us, word)
        assert {"local_phone": us, "remote_phone": number} in (await carrier.state())["opt_outs"], word


async def test_stop_inside_a_sentence_is_just_text(carrier: Carrier) -> None:
    us = await carrier.us_number()
    await carrier.inbound("+12125552000", us, "please stop calling me, text is fine")
    assert not any(o["remote_phone"] == "+12125552000" for o in (await carrier.state())["opt_outs"])


async def test_start_lifts_the_opt_out(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    phone, us = contact["phones"][0]["phone"], await carrier.us_number()
    await carrier.inbound(phone, us, "STOP")
    await carrier.advance(1)
    await carrier.inbound(phone, us, "START")
    thread = await _thread(carrier, lead["id"])
    assert thread[-1]["text"] == START_REPLY
    assert not any(o["remote_phone"] == phone for o in (await carrier.state())["opt_outs"])
    sms = await carrier.send(status="outbox", text="welcome back", remote_phone=phone, local_phone=us)
    await carrier.advance(30)
    assert (await carrier.sms(sms["id"]))["status"] == "sent"


async def test_start_without_opt_out_gets_no_auto_reply(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    before = len(await _thread(carrier, lead["id"]))
    await carrier.inbound(contact["phones"][0]["phone"], await carrier.us_number(), "START")
    assert len(await _thread(carrier, lead["id"])) == before + 1


async def test_help_gets_the_help_reply_unless_opted_out(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    phone, us = contact["phones"][0]["phone"], await carrier.us_number()
    await carrier.inbound(phone, us, "HELP")
    assert (await _thread(carrier, lead["id"]))[-1]["text"] == HELP_REPLY
    await carrier.advance(1)
    await carrier.inbound(phone, us, "STOP")
    count = len(await _thread(carrier, lead["id"]))
    await carrier.advance(1)
    await carrier.inbound(phone, us, "help")
    thread = await _thread(carrier, lead["id"])
    assert len(thread) == count + 1 and thread[-1]["text"] == "help"  # logged, not answered


async def test_inbound_to_a_number_that_is_not_ours_is_refused(carrier: Carrier) -> None:
    r = await carrier.http.post(
        "http://carrier.test/_carrier/inbound",
        json={"from": "+12125550142", "to": "+12125550143", "text": "x"},
    )
    assert r.status_code == 400 and "to" in r.json()["field-errors"]


async def test_inbound_accepts_national_formats_and_drops_short_codes(carrier: Carrier) -> None:
    sms = await carrier.inbound("(212) 555-0177", "+1 650-333-4444", "hello")
    assert (sms["remote_phone"], sms["local_phone"]) == ("+12125550177", "+16503334444")
    r = await carrier.http.post(
        "http://carrier.test/_carrier/inbound", json={"from": "72345", "to": "+16503334444", "text": "promo"}
    )
    assert r.status_code == 400 and "from" in r.json()["field-errors"]
