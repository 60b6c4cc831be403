"""Auth, 404s, and bad requests: always Close's error shape, never a 500."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sms_tui.carrier import FakeClock, create_app
from tests.carrier.conftest import KEY, ROOT, Carrier


def _basic(user: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        _basic("wrong-key"),
        _basic(KEY, "a-password"),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": f"Token {KEY}"},
    ],
)
@pytest.mark.parametrize("path", ["api/v1/me/", "api/v1/activity/sms/", "_carrier/state", "api/v1/nope/"])
async def test_without_the_right_key_401(carrier: Carrier, headers: dict[str, Any], path: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=carrier.app)) as anon:
        r = await anon.get(ROOT + path, headers=headers)
    assert r.status_code == 401
    assert set(r.json()) == {"error"}
    assert r.headers["www-authenticate"].startswith("Basic")
    assert KEY not in r.text


async def test_bearer_token_is_accepted(carrier: Carrier) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=carrier.app)) as anon:
        r = await anon.get(ROOT + "api/v1/me/", headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200


async def test_unknown_route_and_method(carrier: Carrier) -> None:
    r = await carrier.http.get("no_such_thing/")
    assert r.status_code == 404 and set(r.json()) == {"error"}
    r = await carrier.http.patch("activity/sms/")
    assert r.status_code == 405 and set(r.json()) == {"error"}


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", None),
        (b"[1, 2, 3]", None),
        (b'"just a string"', None),
        (b"\xff\xfe\x00garbage", None),
        (json.dumps({"status": "outbox", "text": 5}).encode(), "text"),
        (json.dumps({"status": 3}).encode(), "status"),
        (json.dumps({"status": "delivered"}).encode(), "status"),
        (json.dumps({"status": "draft", "colour": "red"}).encode(), "colour"),
        (json.dumps({"status": "draft", "date_scheduled": "tomorrow"}).encode(), "date_scheduled"),
        (json.dumps({"status": "draft", "attachments": "x"}).encode(), "attachments"),
        (json.dumps({"status": "draft", "send_in": True}).encode(), "send_in"),
        (json.dumps({"text": "no status"}).encode(), "status"),
        (b"[" * 100_000, None),
    ],
)
async def test_bad_bodies_are_400_with_closes_shape(
    carrier: Carrier, content: bytes, field: str | None
) -> None:
    r = await carrier.http.post(
        "activity/sms/", content=content, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"errors", "field-errors"}
    if field is None:
        assert body["errors"]
    else:
        assert field in body["field-errors"]


async def test_huge_body_is_400(carrier: Carrier) -> None:
    r = await carrier.http.post("activity/sms/", json={"status": "draft", "text": "x" * 200_000})
    assert r.status_code == 400
    assert "too large" in r.json()["errors"][0]


async def test_put_validates_like_post(carrier: Carrier) -> None:
    sms = await carrier.send(status="draft", text="x")
    r = await carrier.put(sms["id"], status="draft", text=["not", "a", "string"])
    assert r.status_code == 400 and "text" in r.json()["field-errors"]
    r = await carrier.put(sms["id"], direction="inbound")
    assert r.status_code == 400 and "direction" in r.json()["field-errors"]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
_fields = st.sampled_from(
    ["status", "text", "lead_id", "contact_id", "remote_phone", "local_phone", "send_in", "date_scheduled",
     "template_id", "attachments", "direction", "source", "activity_at", "user_id"]
)  # fmt: skip
_statuses = st.sampled_from(["inbox", "draft", "scheduled", "outbox", "sent", "error"])


_FUZZ_APP = create_app(api_key=KEY, seed=3, clock=FakeClock())  # shared: state piles up, which is fine


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(_fields, _json | _statuses, max_size=6))
async def test_fuzzed_sms_bodies_never_500(body: dict[str, Any]) -> None:
    app = _FUZZ_APP
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        raw = json.dumps(body)  # allows NaN/Infinity, which Python's json also reads back
        r = await c.post(ROOT + "api/v1/activity/sms/", content=raw)
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert set(r.json()) == {"errors", "field-errors"}
        else:
            r = await c.put(ROOT + f"api/v1/activity/sms/{r.json()['id']}/", content=raw)
            assert r.status_code in (200, 400), r.text


@pytest.mark.parametrize(
    "raw",
    [
        '{"status": "draft", "attachments": [{"url": "u", "filename": "f", "content_type": "image/png",'
        ' "size": NaN}]}',
        '{"status": "draft", "attachments": [{"url": "u", "filename": "f", "content_type": "text/x-evil"}]}',
        '{"status": "draft", "attachments": [1, 2]}',
        '{"status": "outbox", "text": "x", "remote_phone": "+12125551234", "send_in": Infinity}',
        '{"status": "scheduled", "text": "x", "remote_phone": "+12125551234",'
        ' "date_scheduled": "9999-12-31T23:59:59-23:59"}',
        '{"status": "draft", "activity_at": "0001-01-01T00:00:00+23:59"}',
    ],
)
async def test_edge_values_are_400_not_500(carrier: Carrier, raw: str) -> None:
    r = await carrier.http.post("activity/sms/", content=raw)
    assert r.status_code == 400, r.text
    assert set(r.json()) == {"errors", "field-errors"}


@pytest.mark.parametrize("raw", ['{"slow_seconds": NaN}', '{"rate_429": Infinity}', "[]", "{oops"])
async def test_fault_settings_edge_values(carrier: Carrier, raw: str) -> None:
    r = await carrier.http.post(ROOT + "_carrier/faults", content=raw)
    assert r.status_code == 400, r.text
