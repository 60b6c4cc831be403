"""Fixtures: a carrier on a FakeClock, reached in-process through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sms_tui.carrier import CarrierApp, FakeClock, create_app

KEY = "test-key-123"
SEED = 7
ROOT = "http://carrier.test/"


class Carrier:
    """Test helper: an API client plus the control endpoints, all through the ASGI app."""

    def __init__(self, app: CarrierApp, clock: FakeClock, client: httpx.AsyncClient) -> None:
        self.app, self.clock, self.http = app, clock, client

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.http.get(path, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def post_sms(self, **body: Any) -> httpx.Response:
        return await self.http.post("activity/sms/", json=body)

    async def send(self, **body: Any) -> Any:
        r = await self.post_sms(**body)
        assert r.status_code == 200, r.text
        return r.json()

    async def sms(self, sms_id: str) -> Any:
        r = await self.http.get(f"activity/sms/{sms_id}/")
        assert r.status_code == 200, r.text
        return r.json()

    async def put(self, sms_id: str, **body: Any) -> httpx.Response:
        return await self.http.put(f"activity/sms/{sms_id}/", json=body)

    async def advance(self, seconds: float) -> Any:
        r = await self.http.post(ROOT + "_carrier/clock", json={"advance": seconds})
        assert r.status_code == 200, r.text
        return r.json()

    async def faults(self, **changes: Any) -> Any:
        r = await self.http.post(ROOT + "_carrier/faults", json=changes)
        assert r.status_code == 200, r.text
        return r.json()

    async def inbound(self, frm: str, to: str, text: str) -> Any:
        r = await self.http.post(ROOT + "_carrier/inbound", json={"from": frm, "to": to, "text": text})
        assert r.status_code == 200, r.text
        return r.json()

    async def state(self, **params: Any) -> Any:
        r = await self.http.get(ROOT + "_carrier/state", params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def numbers(self) -> Any:
        return (await self.get("phone_number/"))["data"]

    async def us_number(self) -> Any:
        return next(n["number"] for n in await self.numbers() if n["country"] == "US")

    async def gb_number(self) -> Any:
        return next(n["number"] for n in await self.numbers() if n["country"] == "GB")

    async def lead(
        self, *, country: str = "US", textable: bool = True
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A demo lead and its contact whose first phone is in `country` (and not special)."""
        st = await self.state(sms="false")
        landlines = set(st["landlines"])
        opted = {o["remote_phone"] for o in st["opt_outs"]}
        leads = (await self.get("lead/", _limit=200))["data"]
        for lead in leads:
            for contact in lead["contacts"]:
                phones = contact["phones"]
                if not phones or phones[0]["country"] != country:
                    continue
                phone = phones[0]["phone"]
                plain = phone not in landlines and phone not in opted and "5550" not in phone
                if plain == textable and phones[0]["type"] != "office":
                    return lead, contact
        raise AssertionError("no such lead in the demo data")


async def _make(seed: int = SEED) -> tuple[CarrierApp, FakeClock]:
    clock = FakeClock()
    return create_app(api_key=KEY, seed=seed, clock=clock), clock


@pytest.fixture
async def carrier() -> AsyncIterator[Carrier]:
    app, clock = await _make()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ROOT + "api/v1/", auth=(KEY, "")) as client:
        c = Carrier(app, clock, client)
        # quiet by default (no replies, no random failures, every event visible at once); tests turn them on
        await c.faults(reply_rate=0, carrier_error_rate=0, event_delay_rate=0)
        yield c
