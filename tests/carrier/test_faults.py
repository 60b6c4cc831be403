"""Faults on demand, in-process: 429 with Close's headers, 5xx, slow answers, drops after store."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from sms_tui.carrier import ConnectionDropped, FakeClock, create_app
from tests.carrier.conftest import KEY, ROOT, Carrier

RATE_LIMIT_RE = re.compile(r"^limit=(\d+), remaining=(\d+), reset=(\d+)$")


async def test_every_api_answer_carries_a_ratelimit_header(carrier: Carrier) -> None:
    r = await carrier.http.get("me/")
    assert RATE_LIMIT_RE.match(r.headers["ratelimit"])


async def test_429_has_closes_headers_and_nothing_happens(carrier: Carrier) -> None:
    await carrier.faults(next_429=1, retry_after=3)
    before = len((await carrier.state())["sms"])
    r = await carrier.post_sms(status="outbox", text="x", remote_phone="+12125551234")
    assert r.status_code == 429
    match = RATE_LIMIT_RE.match(r.headers["RateLimit"])
    assert match is not None and match.groups() == ("100", "0", "3")
    assert r.headers["Retry-After"] == "3"
    assert r.json()["rate_reset"] == 3
    assert len((await carrier.state())["sms"]) == before  # refused, not stored
    r = await carrier.post_sms(status="outbox", text="x", remote_phone="+12125551234")
    assert r.status_code == 200  # only the next one


@pytest.mark.parametrize("code", [500, 502, 503, 504])
async def test_injected_server_errors(carrier: Carrier, code: int) -> None:
    await carrier.faults(next_5xx=2, status_5xx=code)
    assert (await carrier.http.get("me/")).status_code == code
    assert (await carrier.http.get("lead/")).status_code == code
    assert (await carrier.http.get("me/")).status_code == 200


async def test_faults_never_hit_the_control_endpoints(carrier: Carrier) -> None:
    await carrier.faults(rate_429=1, rate_5xx=1)
    assert (await carrier.state())["faults"]["rate_429"] == 1
    assert (await carrier.http.get("me/")).status_code == 429


async def test_rates_are_drawn_from_the_seed(carrier: Carrier) -> None:
    await carrier.faults(rate_5xx=0.5)
    codes = [(await carrier.http.get("me/")).status_code for _ in range(40)]
    assert 5 < codes.count(503) < 35 and codes.count(200) > 5


async def test_slow_answers_use_the_injected_sleeper() -> None:
    slept: list[float] = []

    async def sleeper(seconds: float) -> None:
        slept.append(seconds)

    app = create_app(api_key=KEY, seed=1, clock=FakeClock(), sleep=sleeper)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        await c.post(ROOT + "_carrier/faults", json={"next_slow": 1, "slow_seconds": 12.5})
        assert (await c.get(ROOT + "api/v1/me/")).status_code == 200
        assert (await c.get(ROOT + "api/v1/me/")).status_code == 200
    assert slept == [12.5]


async def test_drop_after_store_raises_a_transport_error_but_the_sms_exists(carrier: Carrier) -> None:
    await carrier.faults(next_drop_after_store=1)
    with pytest.raises(httpx.TransportError) as err:
        await carrier.post_sms(status="outbox", text="did it go?", remote_phone="+12125551234")
    assert isinstance(err.value, ConnectionDropped)
    await carrier.advance(10)
    stored = [s for s in (await carrier.state())["sms"] if s["text"] == "did it go?"]
    assert len(stored) == 1 and stored[0]["status"] == "sent"  # the client must reconcile, not resend


async def test_drops_only_hit_changes(carrier: Carrier) -> None:
    await carrier.faults(next_drop_after_store=1)
    assert (await carrier.http.get("me/")).status_code == 200
    assert (await carrier.state())["faults"]["next_drop_after_store"] == 1
    with pytest.raises(httpx.TransportError):
        await carrier.http.delete(f"activity/sms/{(await carrier.send(status='draft', text='x'))['id']}/")


@pytest.mark.parametrize(
    "body",
    [{"rate_429": 2}, {"rate_5xx": "often"}, {"next_429": 1.5}, {"status_5xx": 418}, {"no_such_fault": 1}],
)
async def test_bad_fault_settings_are_400(carrier: Carrier, body: dict[str, Any]) -> None:
    r = await carrier.http.post(ROOT + "_carrier/faults", json=body)
    assert r.status_code == 400 and list(body)[0] in r.json()["field-errors"]


async def test_reset_restores_the_seed_and_clears_faults(carrier: Carrier) -> None:
    original = await carrier.state()
    await carrier.send(status="draft", text="scratch")
    await carrier.faults(rate_429=0.5)
    r = await carrier.http.post(ROOT + "_carrier/reset")
    assert r.status_code == 200
    after = await carrier.state()
    assert after["faults"]["rate_429"] == 0
    assert after["sms"] == original["sms"]


async def test_slow_after_store_holds_the_answer_of_a_stored_change() -> None:
    slept: list[float] = []

    async def sleeper(seconds: float) -> None:
        slept.append(seconds)
        assert any(s["text"] == "slow one" for s in app.carrier.state.all("sms"))  # already stored

    app = create_app(api_key=KEY, seed=1, clock=FakeClock(), sleep=sleeper)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), auth=(KEY, "")) as c:
        await c.post(ROOT + "_carrier/faults", json={"next_slow_after_store": 1, "slow_seconds": 40})
        assert (await c.get(ROOT + "api/v1/me/")).status_code == 200  # reads are not held
        r = await c.post(ROOT + "api/v1/activity/sms/", json={"status": "draft", "text": "slow one"})
        assert r.status_code == 200
    assert slept == [40]
