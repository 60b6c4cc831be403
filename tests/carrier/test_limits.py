"""Close's limits in Close's shapes (issue 8, item 2): per-resource `_limit` maxima and `_skip` caps
answered `400 {"error": "... max_skip = N ..."}`, `has_more` on every list, and rate limits per endpoint
group and API key with the organization at 3x, with `RateLimit` and `Retry-After`."""

from __future__ import annotations

import re

import pytest

from tests.carrier.conftest import Carrier

LISTS = ["lead/", "contact/", "phone_number/", "sms_template/", "activity/sms/"]


@pytest.mark.parametrize(
    ("path", "biggest"),
    [
        ("activity/sms/", 100),
        ("lead/", 200),
        ("contact/", 100),
        ("phone_number/", 100),
        ("sms_template/", 100),
    ],
)
async def test_limit_maxima_per_resource(carrier: Carrier, path: str, biggest: int) -> None:
    assert (await carrier.http.get(path, params={"_limit": biggest})).status_code == 200
    r = await carrier.http.get(path, params={"_limit": biggest + 1})
    assert r.status_code == 400
    assert r.json() == {
        "error": f"The maximum _limit for this resource is {biggest} (max_limit = {biggest})."
    }


@pytest.mark.parametrize(
    ("path", "cap"), [("activity/sms/", 250_000), ("lead/", 50_000), ("contact/", 50_000)]
)
async def test_skip_past_the_cap_is_closes_400(carrier: Carrier, path: str, cap: int) -> None:
    at_cap = await carrier.http.get(path, params={"_skip": cap})
    assert at_cap.status_code == 200 and at_cap.json() == {"data": [], "has_more": False}
    r = await carrier.http.get(path, params={"_skip": cap + 1})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"error"}  # not field-errors: Close puts it in `error`
    assert re.search(rf"max_skip = {cap}\b", body["error"]), body


async def test_skip_cap_is_configurable_and_deep_pages_end_with_has_more_false(carrier: Carrier) -> None:
    await carrier.faults(max_skip_activity=150)
    page = await carrier.get("activity/sms/", _skip=150, _limit=100)
    assert "has_more" in page
    r = await carrier.http.get("activity/sms/", params={"_skip": 151})
    assert r.status_code == 400 and "max_skip = 150" in r.json()["error"]
    # the cap is on _skip, not on the rows: a date window reaches what lies deeper
    oldest = page["data"][-1]["date_created"]
    deeper = await carrier.get("activity/sms/", date_created__lt=oldest, _limit=100)
    assert deeper["data"] and all(s["date_created"] < oldest for s in deeper["data"])


@pytest.mark.parametrize("path", LISTS)
async def test_has_more_is_always_there(carrier: Carrier, path: str) -> None:
    for params in ({}, {"_limit": 1}, {"_skip": 10_000 if path != "activity/sms/" else 200_000}):
        body = await carrier.get(path, **params)
        assert isinstance(body["has_more"], bool), (path, params)
    empty = await carrier.get("activity/sms/", lead_id="lead_nobody")
    assert empty == {"data": [], "has_more": False}


async def _status(carrier: Carrier, path: str, key: str | None = None) -> tuple[int, dict[str, str]]:
    auth = (key, "") if key else None
    r = await (carrier.http.get(path, auth=auth) if auth else carrier.http.get(path))
    return r.status_code, dict(r.headers)


async def test_rate_limit_per_key_and_endpoint_group(carrier: Carrier) -> None:
    await carrier.faults(key_limit=3)
    for expected_remaining in (2, 1, 0):
        code, headers = await _status(carrier, "lead/")
        assert code == 200
        assert headers["ratelimit"] == f"limit=3, remaining={expected_remaining}, reset=1"
    code, headers = await _status(carrier, "lead/")
    assert code == 429
    assert headers["ratelimit"] == "limit=3, remaining=0, reset=1" and headers["retry-after"] == "1"
    assert (await _status(carrier, "activity/sms/"))[0] == 200  # another endpoint group
    assert (
        await carrier.http.post("activity/sms/", json={"status": "draft", "text": "x"})
    ).status_code == 200
    await carrier.advance(1)
    assert (await _status(carrier, "lead/"))[0] == 200


async def test_a_refused_request_stores_nothing(carrier: Carrier) -> None:
    await carrier.faults(key_limit=1)
    before = len((await carrier.state())["sms"])
    assert (
        await carrier.http.post("activity/sms/", json={"status": "draft", "text": "a"})
    ).status_code == 200
    r = await carrier.http.post("activity/sms/", json={"status": "draft", "text": "b"})
    assert r.status_code == 429 and r.json()["rate_reset"] == 1
    assert len((await carrier.state())["sms"]) == before + 1
