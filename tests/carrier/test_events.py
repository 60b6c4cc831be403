"""Close's event log: what a poller sees, newest first, cursor-paged, only documented filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.carrier.conftest import Carrier


async def _events(carrier: Carrier, **params: object) -> Any:
    return await carrier.get("event/", **params)


async def test_a_send_emits_created_updated_and_sent(carrier: Carrier) -> None:
    await carrier.faults(event_consolidate_seconds=0)  # each change its own event
    _, contact = await carrier.lead()
    sms = await carrier.send(status="outbox", text="hello", remote_phone=contact["phones"][0]["phone"])
    await carrier.advance(10)
    events = (await _events(carrier, object_id=sms["id"], object_type="activity.sms"))["data"]
    assert [e["action"] for e in events] == ["sent", "updated", "created"]  # newest first
    updated = events[1]
    assert updated["changed_fields"] == ["cost", "date_sent", "status"]
    assert updated["previous_data"] == {"status": "outbox", "date_sent": None, "cost": None}
    assert updated["data"]["status"] == "sent"
    created = events[2]
    assert created["object_type"] == "activity.sms" and created["id"].startswith("ev_")
    assert created["meta"] == {"request_method": "POST", "request_path": "/api/v1/activity/sms/"}
    assert created["request_id"].startswith("req_")
    assert "+" not in created["date_updated"]  # Close's event datetimes carry no offset


async def test_poller_sees_new_replies_with_one_request(carrier: Carrier) -> None:
    since = (await _events(carrier, object_type="activity.sms", action="created", _limit=1))["data"]
    start = since[0]["date_updated"] if since else "2000-01-01T00:00:00"
    _, contact = await carrier.lead()
    await carrier.advance(5)
    await carrier.inbound(contact["phones"][0]["phone"], await carrier.us_number(), "yes please")
    page = await _events(carrier, object_type="activity.sms", action="created", date_updated__gt=start)
    assert [e["data"]["text"] for e in page["data"]] == ["yes please"]
    assert page["cursor_next"] is None


async def test_cursor_pages_through_everything_once(carrier: Carrier) -> None:
    us = await carrier.us_number()
    for i in range(23):
        await carrier.inbound(f"+1212555{3000 + i}", us, f"message {i}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"object_type": "activity.sms", "action": "created", "_limit": 5}
        if cursor:
            params["_cursor"] = cursor
        page = await _events(carrier, **params)
        seen += [e["data"]["text"] for e in page["data"]]
        cursor = page["cursor_next"]
        if not cursor:
            break
    texts = [t for t in seen if t.startswith("message ")]
    assert texts == [f"message {i}" for i in reversed(range(23))]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "params",
    [
        {"object_type": "activity.sms"},  # alone: not a documented combination
        {"action": "created"},
        {"object_type": "activity.sms", "action": "created", "request_id": "req_x"},
        {"lead_id": "lead_x", "action": "created"},
    ],
)
async def test_undocumented_filter_combinations_are_400(carrier: Carrier, params: dict[str, Any]) -> None:
    r = await carrier.http.get("event/", params=params)
    assert r.status_code == 400 and r.json()["errors"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"object_type": "activity.sms", "action": "updated"},
        {"lead_id": "lead_x"},
        {"lead_id": "lead_x", "object_type": "activity.sms", "action": "sent"},
        {"user_id": "user_x", "object_type": "activity.sms"},
        {"request_id": "req_x", "date_updated__gte": "2026-01-01T00:00:00"},
    ],
)
async def test_documented_combinations_are_accepted(carrier: Carrier, params: dict[str, Any]) -> None:
    r = await carrier.http.get("event/", params=params)
    assert r.status_code == 200 and set(r.json()) == {"data", "cursor_next", "cursor_previous"}


async def test_limit_is_capped_at_50_and_bad_cursors_are_400(carrier: Carrier) -> None:
    r = await carrier.http.get("event/", params={"_limit": 51})
    assert r.status_code == 400
    r = await carrier.http.get("event/", params={"_cursor": "definitely-not-a-cursor"})
    assert r.status_code == 400 and "_cursor" in r.json()["field-errors"]


async def test_lead_filter_and_event_get(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    await carrier.inbound(contact["phones"][0]["phone"], await carrier.us_number(), "hello")
    page = await _events(carrier, lead_id=lead["id"])
    assert page["data"] and all(e["lead_id"] == lead["id"] for e in page["data"])
    one = await carrier.get(f"event/{page['data'][0]['id']}/")
    assert one == page["data"][0]


async def test_cancel_and_delete_are_events_too(carrier: Carrier) -> None:
    await carrier.faults(event_consolidate_seconds=0)
    sms = await carrier.send(status="outbox", text="oops", remote_phone="+12125551234", send_in=30)
    await carrier.put(sms["id"], status="draft")
    await carrier.http.delete(f"activity/sms/{sms['id']}/")
    events = (await _events(carrier, object_id=sms["id"], object_type="activity.sms"))["data"]
    assert [e["action"] for e in events] == ["deleted", "updated", "created"]
    assert events[1]["previous_data"]["status"] == "outbox"
    assert events[0]["previous_data"]["text"] == "oops"
