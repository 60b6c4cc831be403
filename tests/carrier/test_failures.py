"""Every failure reason: the SMS ends in `error` with a Twilio-style message a rep understands."""

from __future__ import annotations

from typing import Any

import pytest

from tests.carrier.conftest import Carrier


async def _send_to(carrier: Carrier, remote: str, text: str = "Hello from Sunrise", **extra: object) -> Any:
    sms = await carrier.send(status="outbox", text=text, remote_phone=remote, **extra)
    await carrier.advance(1)
    return sms


async def _final(carrier: Carrier, sms_id: str) -> Any:
    await carrier.advance(120)
    return await carrier.sms(sms_id)


async def test_landline_fails_after_it_was_sent(carrier: Carrier) -> None:
    sms = await carrier.send(status="outbox", text="hi", remote_phone="+442079460123",
                             local_phone=await carrier.gb_number())  # fmt: skip
    await carrier.advance(6)  # the carrier took it...
    taken = await carrier.sms(sms["id"])
    assert taken["status"] == "sent" and taken["cost"] == "4"
    done = await _final(carrier, sms["id"])  # ...and reported it undelivered later
    assert done["status"] == "error"
    assert done["error_message"].startswith('Error 30006 "Landline or unreachable carrier"')
    assert done["date_sent"] == taken["date_sent"] and done["cost"] == "4"


async def test_us_landline_known_only_to_the_carrier(carrier: Carrier) -> None:
    landline = (await carrier.state())["landlines"][0]
    done = await _final(carrier, (await _send_to(carrier, landline))["id"])
    assert done["status"] == "error" and "30006" in done["error_message"]


async def test_unsupported_country_fails_at_send_time(carrier: Carrier) -> None:
    sms = await _send_to(carrier, "+4915112345678")
    done = await _final(carrier, sms["id"])
    assert done["status"] == "error"
    assert done["error_message"].startswith("Error 21408 ")
    assert "Germany" in done["error_message"]
    assert done["date_sent"] is None and done["cost"] is None  # never left, not charged


async def test_sending_number_must_match_the_country(carrier: Carrier) -> None:
    sms = await _send_to(
        carrier, "+447911123456".replace("7911", "7400"), local_phone=await carrier.us_number()
    )
    done = await _final(carrier, sms["id"])
    assert done["status"] == "error"
    assert done["error_message"].startswith("Error 21612 ")
    assert "United Kingdom" in done["error_message"] and done["date_sent"] is None


async def test_public_url_shortener_is_filtered_as_spam(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    sms = await _send_to(carrier, contact["phones"][0]["phone"], "50% off today only https://bit.ly/3abcDEF")
    done = await _final(carrier, sms["id"])
    assert done["status"] == "error"
    assert done["error_message"].startswith('Error 30007 "Message Delivery - Carrier Violation"')
    assert "https://bit.ly/3abcDEF" in done["error_message"]


async def test_own_domain_links_are_delivered(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    sms = await _send_to(
        carrier, contact["phones"][0]["phone"], "Details: https://sunrise-solar.example/q/42"
    )
    assert (await _final(carrier, sms["id"]))["status"] == "sent"


async def test_opted_out_recipient(carrier: Carrier) -> None:
    us = await carrier.us_number()
    _, contact = await carrier.lead()
    phone = contact["phones"][0]["phone"]
    await carrier.inbound(phone, us, "STOP")
    done = await _final(carrier, (await _send_to(carrier, phone, local_phone=us))["id"])
    assert done["status"] == "error"
    assert done["error_message"].startswith('Error 21610 "Attempt to send to unsubscribed recipient"')
    assert done["cost"] is None


@pytest.mark.parametrize(
    ("ending", "code", "title"),
    [
        ("0103", "30003", "Unreachable destination handset"),
        ("0104", "30004", "Message blocked"),
        ("0105", "30005", "Unknown destination handset"),
        ("0106", "30006", "Landline or unreachable carrier"),
        ("0108", "30008", "Unknown error"),
    ],
)
async def test_magic_numbers_give_every_carrier_error(
    carrier: Carrier, ending: str, code: str, title: str
) -> None:
    sms = await _send_to(carrier, f"+1415555{ending}")
    done = await _final(carrier, sms["id"])
    assert done["status"] == "error"
    assert done["error_message"].startswith(f'Error {code} "{title}": ')
    assert done["date_sent"] is not None  # carrier errors come as late delivery reports


async def test_random_carrier_errors_follow_the_configured_rate(carrier: Carrier) -> None:
    await carrier.faults(carrier_error_rate=1)
    _, contact = await carrier.lead()
    sms = await _send_to(carrier, contact["phones"][0]["phone"])
    done = await _final(carrier, sms["id"])
    assert done["status"] == "error"
    assert done["error_message"].split(" ")[1] in {"30003", "30004", "30005", "30008"}


async def test_invalid_recipient_is_a_400(carrier: Carrier) -> None:
    r = await carrier.post_sms(status="outbox", text="x", remote_phone="+1 555")
    assert r.status_code == 400 and "remote_phone" in r.json()["field-errors"]
