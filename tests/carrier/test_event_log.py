"""The event log as Close keeps it (issue 8, item 3): consolidation of recent changes, events that
show up late (out of order), 30-day retention, `data` hidden from non-admin keys after an hour,
a 400 for keys without event-log access, lead and contact events. Each is a knob, on by default."""

from __future__ import annotations

from typing import Any

from sms_tui.carrier.faults import Faults
from tests.carrier.conftest import KEY, Carrier

JORDAN, SAM = f"{KEY}.jordan", f"{KEY}.sam"


async def _events(carrier: Carrier, key: str = KEY, **params: Any) -> Any:
    r = await carrier.http.get("event/", params=params, auth=(key, ""))
    assert r.status_code == 200, r.text
    return r.json()


def test_close_behaviours_are_on_by_default() -> None:
    f = Faults()
    assert f.event_consolidate_seconds > 0 and f.event_delay_rate > 0
    assert f.event_retention_days == 30 and f.event_hide_after_seconds == 3600


async def test_a_quick_change_is_merged_into_the_same_event(carrier: Carrier) -> None:
    draft = await carrier.send(status="draft", text="first")
    created = (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"]
    assert [e["action"] for e in created] == ["created"]
    await carrier.advance(20)
    await carrier.put(draft["id"], text="second")
    again = (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"]
    assert [e["id"] for e in again] == [created[0]["id"]]  # the same event, not a new one
    ev = again[0]
    assert ev["date_created"] == created[0]["date_created"]
    assert ev["date_updated"] > created[0]["date_updated"]
    assert ev["data"]["text"] == "second"
    await carrier.advance(120)  # past the window: a change is its own event again
    await carrier.put(draft["id"], text="third")
    later = (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"]
    assert [e["action"] for e in later] == ["updated", "created"]
    assert later[0]["previous_data"] == {"text": "second"} and later[0]["changed_fields"] == ["text"]


async def test_updates_merge_their_changed_fields_and_keep_the_oldest_previous_values(
    carrier: Carrier,
) -> None:
    draft = await carrier.send(status="draft", text="a", remote_phone="+12125551234")
    await carrier.advance(120)
    await carrier.put(draft["id"], text="b")
    await carrier.advance(5)
    await carrier.put(draft["id"], text="c", date_scheduled=None)
    await carrier.advance(5)
    r = await carrier.put(draft["id"], status="scheduled", date_scheduled="2099-01-01T00:00:00+00:00")
    assert r.status_code == 200, r.text
    events = (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"]
    assert [e["action"] for e in events] == ["updated", "created"]
    assert events[0]["previous_data"]["text"] == "a" and events[0]["data"]["text"] == "c"
    assert {"text", "status", "date_scheduled"} <= set(events[0]["changed_fields"])


async def test_consolidation_can_be_switched_off(carrier: Carrier) -> None:
    await carrier.faults(event_consolidate_seconds=0)
    draft = await carrier.send(status="draft", text="first")
    await carrier.put(draft["id"], text="second")
    events = (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"]
    assert [e["action"] for e in events] == ["updated", "created"]


async def test_some_events_show_up_late_but_in_the_right_order(carrier: Carrier) -> None:
    await carrier.faults(event_delay_rate=0.5, event_delay_seconds=20)
    us = await carrier.us_number()
    for i in range(12):
        await carrier.inbound(f"+1212555{4000 + i}", us, f"late {i}")
    params: dict[str, Any] = {"object_type": "activity.sms", "action": "created", "_limit": 50}
    now = [e["data"]["text"] for e in (await _events(carrier, **params))["data"] if e["data"]]
    visible_now = [t for t in now if t.startswith("late ")]
    assert 0 < len(visible_now) < 12  # some are not there yet
    await carrier.advance(21)
    after = [e for e in (await _events(carrier, **params))["data"] if e["data"]["text"].startswith("late ")]
    assert [e["data"]["text"] for e in after] == [f"late {i}" for i in reversed(range(12))]
    dates = [e["date_updated"] for e in after]
    assert dates == sorted(dates, reverse=True)  # the order the API gives is still right


async def test_sent_and_deleted_actions(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    sms = await carrier.send(status="outbox", text="hello", contact_id=contact["id"])
    await carrier.advance(10)
    sent = (await _events(carrier, object_type="activity.sms", action="sent"))["data"]
    assert sent[0]["object_id"] == sms["id"] and sent[0]["data"]["status"] == "sent"
    draft = await carrier.send(status="draft", text="bye")
    await carrier.http.delete(f"activity/sms/{draft['id']}/")
    deleted = (await _events(carrier, object_type="activity.sms", action="deleted"))["data"]
    assert deleted[0]["object_id"] == draft["id"] and deleted[0]["previous_data"]["text"] == "bye"


async def test_lead_and_contact_events(carrier: Carrier) -> None:
    await carrier.inbound("+12125550199", await carrier.us_number(), "who is this")
    lead_ev = (await _events(carrier, object_type="lead", action="created"))["data"][0]
    contact_ev = (await _events(carrier, object_type="contact", action="created"))["data"][0]
    assert lead_ev["object_id"].startswith("lead_") and lead_ev["lead_id"] == lead_ev["object_id"]
    assert contact_ev["lead_id"] == lead_ev["object_id"]
    assert contact_ev["data"]["phones"][0]["phone"] == "+12125550199"
    mine = (await _events(carrier, lead_id=lead_ev["object_id"]))["data"]
    assert {e["object_type"] for e in mine} == {"lead", "contact", "activity.sms"}


async def test_events_older_than_30_days_are_gone(carrier: Carrier) -> None:
    draft = await carrier.send(status="draft", text="old news")
    ev = (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"][0]
    await carrier.advance(29 * 86400)
    assert (await carrier.http.get(f"event/{ev['id']}/")).status_code == 200
    await carrier.advance(2 * 86400)
    assert (await _events(carrier, object_id=draft["id"], object_type="activity.sms"))["data"] == []
    assert (await carrier.http.get(f"event/{ev['id']}/")).status_code == 404
    await carrier.faults(event_retention_days=0)  # keep everything
    assert (await carrier.http.get(f"event/{ev['id']}/")).status_code == 200


async def test_non_admins_lose_data_after_an_hour(carrier: Carrier) -> None:
    draft = await carrier.send(status="draft", text="private")
    params = {"object_id": draft["id"], "object_type": "activity.sms"}
    assert (await _events(carrier, JORDAN, **params))["data"][0]["data"]["text"] == "private"
    await carrier.advance(3601)
    hidden = (await _events(carrier, JORDAN, **params))["data"][0]
    assert hidden["data"] is None and hidden["previous_data"] is None
    assert hidden["object_id"] == draft["id"]  # the rest is still there
    shown = (await _events(carrier, KEY, **params))["data"][0]  # an admin still sees it
    assert shown["data"]["text"] == "private"
    await carrier.faults(event_hide_after_seconds=0)
    assert (await _events(carrier, JORDAN, **params))["data"][0]["data"]["text"] == "private"


async def test_a_key_without_event_log_access_gets_a_400(carrier: Carrier) -> None:
    for path in ("event/", "event/ev_anything/"):
        r = await carrier.http.get(path, auth=(SAM, ""))
        assert r.status_code == 400
        assert r.json() == {
            "error": "This API key does not have access to the event log; ask an admin of the organization."
        }
    assert (await carrier.http.get("activity/sms/", auth=(SAM, ""))).status_code == 200


async def test_knobs_are_switchable_over_http_and_validated(carrier: Carrier) -> None:
    body = await carrier.faults(event_delay_rate=0.2, event_retention_days=7)
    assert body["event_delay_rate"] == 0.2 and body["event_retention_days"] == 7
    r = await carrier.http.post(
        "http://carrier.test/_carrier/faults", json={"event_delay_rate": 2, "max_skip_lead": -1}
    )
    assert r.status_code == 400 and set(r.json()["field-errors"]) == {"event_delay_rate", "max_skip_lead"}


async def test_stop_and_start_log_a_contact_change(carrier: Carrier) -> None:
    _, contact = await carrier.lead()
    phone = contact["phones"][0]["phone"]
    await carrier.inbound(phone, await carrier.us_number(), "STOP")
    ev = (await _events(carrier, object_type="contact", action="updated"))["data"][0]
    assert ev["object_id"] == contact["id"] and ev["changed_fields"] == ["phones"]
    assert ev["previous_data"]["phones"][0]["outbound_sms_blocked"] is False
    assert ev["data"]["phones"][0]["outbound_sms_blocked"] is True
    shown = await carrier.get(f"contact/{contact['id']}/")
    assert shown["phones"][0]["outbound_sms_blocked"] is True  # the event says what the API shows
    await carrier.inbound(phone, await carrier.us_number(), "STOP")  # again: nothing changes
    again = (await _events(carrier, object_type="contact", action="updated"))["data"]
    assert [e["id"] for e in again] == [ev["id"]]
