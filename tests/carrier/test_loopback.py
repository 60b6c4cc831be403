"""Over a real socket (uvicorn on an ephemeral port): the official Close client and raw httpx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import closeio_api
import httpx
import pytest
import requests

from sms_tui.carrier import FakeClock, RunningCarrier, create_app, start_background
from tests.carrier.conftest import KEY


@pytest.fixture(scope="module")
def running() -> Iterator[RunningCarrier]:
    carrier = start_background(api_key=KEY, seed=5, clock=FakeClock())
    try:
        yield carrier
    finally:
        carrier.stop()


@pytest.fixture
def control(running: RunningCarrier) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=running.root_url + "_carrier/", auth=(KEY, "")) as client:
        client.post("reset").raise_for_status()
        client.post("faults", json={"reply_rate": 0, "carrier_error_rate": 0}).raise_for_status()
        yield client


@pytest.fixture
def api(running: RunningCarrier, control: httpx.Client) -> closeio_api.API:
    return closeio_api.API(running.base_url, api_key=KEY, tz_offset="0")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """closeio_api sleeps between retries; record instead of waiting."""
    slept: list[float] = []
    monkeypatch.setattr(closeio_api.time, "sleep", slept.append)
    return slept


def test_urls(running: RunningCarrier) -> None:
    assert running.base_url == f"http://127.0.0.1:{running.port}/api/v1/"
    assert running.port > 0


def test_closeio_pages_through_leads(api: closeio_api.API) -> None:
    ids: list[str] = []
    skip = 0
    while True:
        page = api.get("lead", params={"_skip": skip, "_limit": 60, "_fields": "id,display_name"})
        ids += [lead["id"] for lead in page["data"]]
        skip += len(page["data"])
        if not page["has_more"]:
            break
    assert len(ids) >= 200 and len(set(ids)) == len(ids)


def _us_contact(api: closeio_api.API) -> tuple[str, str, str]:
    for lead in api.get("lead", params={"_limit": 100})["data"]:
        for contact in lead["contacts"]:
            phones = contact["phones"]
            if (
                phones
                and phones[0]["country"] == "US"
                and phones[0]["type"] == "mobile"
                and "5550" not in phones[0]["phone"]
            ):
                return lead["id"], contact["id"], phones[0]["phone"]
    raise AssertionError("no US mobile contact")


def test_closeio_sends_an_sms_and_sees_it_sent(api: closeio_api.API, control: httpx.Client) -> None:
    lead_id, contact_id, phone = _us_contact(api)
    me = api.get("me")
    local = next(n["number"] for n in me["phone_numbers"] if n["country"] == "US")
    sms = api.post(
        "activity/sms",
        {
            "status": "outbox",
            "text": "Hi from the official client",
            "lead_id": lead_id,
            "contact_id": contact_id,
            "local_phone": local,
            "remote_phone": phone,
        },
    )
    assert sms["status"] == "outbox"
    control.post("clock", json={"advance": 10}).raise_for_status()
    assert api.get(f"activity/sms/{sms['id']}")["status"] == "sent"
    thread = api.get("activity/sms", params={"lead_id": lead_id})["data"]
    assert thread[0]["id"] == sms["id"]  # newest first
    assert all(s["lead_id"] == lead_id for s in thread)


def test_closeio_rides_out_429s(api: closeio_api.API, control: httpx.Client, sleeps: list[float]) -> None:
    control.post("faults", json={"next_429": 3, "retry_after": 1}).raise_for_status()
    me = api.get("me")
    assert me["first_name"] == "Alex"
    assert sleeps == [1.0, 1.0, 1.0]  # it read reset= from the RateLimit header each time


def test_closeio_retries_503(api: closeio_api.API, control: httpx.Client, sleeps: list[float]) -> None:
    control.post("faults", json={"next_5xx": 1, "status_5xx": 503}).raise_for_status()
    assert api.get("sms_template")["data"]
    assert len(sleeps) == 1


def test_closeio_sees_validation_errors(api: closeio_api.API) -> None:
    draft = api.post("activity/sms", {"status": "draft", "text": "x"})
    with pytest.raises(closeio_api.ValidationError) as err:
        api.put(f"activity/sms/{draft['id']}", {"status": "sent"})
    assert err.value.errors and "status" in err.value.field_errors
    with pytest.raises(closeio_api.APIError) as missing:
        api.get("lead/lead_nope")
    assert missing.value.response.status_code == 404
    assert api.delete(f"activity/sms/{draft['id']}") == {}


def test_dropped_connection_over_the_socket(running: RunningCarrier, control: httpx.Client) -> None:
    control.post("faults", json={"next_drop_after_store": 1}).raise_for_status()
    with httpx.Client(base_url=running.base_url, auth=(KEY, "")) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("activity/sms/", json={"status": "draft", "text": "lost answer"})
        stored = client.get("activity/sms/", params={"_limit": 5}).json()["data"]
    assert [s["text"] for s in stored].count("lost answer") == 1


def test_closeio_resends_blindly_after_a_drop(
    api: closeio_api.API, control: httpx.Client, sleeps: list[float]
) -> None:
    """Why clients must reconcile: the official client retries a POST on ConnectionError -> two SMS."""
    control.post("faults", json={"next_drop_after_store": 1}).raise_for_status()
    api.post("activity/sms", {"status": "draft", "text": "sent twice?"})
    texts = [s["text"] for s in api.get("activity/sms", params={"_limit": 10})["data"]]
    assert texts.count("sent twice?") == 2 and sleeps == [2]


def test_bad_key_over_the_socket(running: RunningCarrier) -> None:
    r = requests.get(running.base_url + "me/", auth=("wrong", ""), timeout=5)
    assert r.status_code == 401 and set(r.json()) == {"error"}


async def test_in_process_and_loopback_agree(running: RunningCarrier, control: httpx.Client) -> None:
    # the fixture reset the loopback carrier, which regenerated its seed at its clock's time
    app = create_app(api_key=KEY, seed=5, clock=FakeClock(running.app.carrier.now()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        inproc = (await c.get("http://x/api/v1/lead/", params={"_limit": 20})).json()
    with httpx.Client(auth=(KEY, "")) as c:
        wire = c.get(running.base_url + "lead/", params={"_limit": 20}).json()
    assert inproc == wire


def test_status_table_over_the_socket(running: RunningCarrier, control: httpx.Client) -> None:
    """The same allowed/refused transitions as the in-process tests, through uvicorn."""
    from tests.carrier.test_sms_lifecycle import ALLOWED, REFUSED

    base = {"text": "hello", "remote_phone": "+14155551234"}
    setups: dict[str, dict[str, Any]] = {
        "draft": {"status": "draft"},
        "scheduled": {"status": "scheduled", "date_scheduled": "2030-01-01T00:00:00Z"},
        "outbox": {"status": "outbox", "send_in": 50},
        "sent": {"status": "sent"},
        "inbox": {"status": "inbox"},
        "error": {"status": "outbox", "remote_phone": "+14155550105"},
    }
    with httpx.Client(base_url=running.base_url, auth=(KEY, "")) as c:
        for start, body in ALLOWED + REFUSED:
            sms = c.post("activity/sms/", json=base | setups[start]).json()
            if start == "error":
                control.post("clock", json={"advance": 60}).raise_for_status()
            assert c.get(f"activity/sms/{sms['id']}/").json()["status"] == start
            r = c.put(f"activity/sms/{sms['id']}/", json=body)
            expected = 200 if (start, body) in ALLOWED else 400
            assert r.status_code == expected, (start, body, r.text)
