"""With a database path the carrier survives a restart: records, opt-outs, pending sends, counters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from sms_tui.carrier import CarrierApp, FakeClock, create_app
from tests.carrier.conftest import KEY, ROOT


def _client(app: CarrierApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ROOT + "api/v1/", auth=(KEY, "")
    )


async def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "carrier.db"
    clock = FakeClock()
    app = create_app(api_key=KEY, seed=9, db_path=db, clock=clock)
    async with _client(app) as c:
        await c.post(ROOT + "_carrier/faults", json={"reply_rate": 0, "carrier_error_rate": 0})
        draft = (await c.post("activity/sms/", json={"status": "draft", "text": "keep me"})).json()
        later = (
            await c.post(
                "activity/sms/",
                json={"status": "scheduled", "text": "after the restart", "remote_phone": "+12125551234",
                      "date_scheduled": (clock.now() + timedelta(hours=1)).isoformat()},
            )
        ).json()  # fmt: skip
        await c.post(
            ROOT + "_carrier/inbound", json={"from": "+12125559876", "to": "+16503334444", "text": "STOP"}
        )
        before = (await c.get(ROOT + "_carrier/state")).json()
        leads = (await c.get("lead/", params={"_limit": 5})).json()["data"]
    app.carrier.close()

    clock2 = FakeClock(clock.now() + timedelta(minutes=5))
    app2 = create_app(api_key=KEY, seed=9, db_path=db, clock=clock2)
    async with _client(app2) as c:
        after = (await c.get(ROOT + "_carrier/state")).json()
        assert after["sms"] == before["sms"]
        assert after["opt_outs"] == before["opt_outs"] and after["jobs"] == before["jobs"]
        assert (await c.get("lead/", params={"_limit": 5})).json()["data"] == leads
        assert (await c.get(f"activity/sms/{draft['id']}/")).json()["text"] == "keep me"
        new = (await c.post("activity/sms/", json={"status": "draft", "text": "new"})).json()
        assert new["id"] not in {s["id"] for s in before["sms"]}  # counters continued
        clock2.advance(3600)
        await c.post(ROOT + "_carrier/clock", json={"advance": 0})
        assert (await c.get(f"activity/sms/{later['id']}/")).json()["status"] == "sent"
    app2.carrier.close()


async def test_deletes_persist(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    app = create_app(api_key=KEY, seed=9, db_path=db, clock=FakeClock())
    async with _client(app) as c:
        sms = (await c.post("activity/sms/", json={"status": "draft", "text": "gone"})).json()
        await c.delete(f"activity/sms/{sms['id']}/")
    app.carrier.close()
    app2 = create_app(api_key=KEY, seed=9, db_path=db, clock=FakeClock())
    async with _client(app2) as c:
        assert (await c.get(f"activity/sms/{sms['id']}/")).status_code == 404
    app2.carrier.close()


def test_a_database_belongs_to_its_seed(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    create_app(api_key=KEY, seed=1, db_path=db, clock=FakeClock()).carrier.close()
    with pytest.raises(ValueError, match="seed 1"):
        create_app(api_key=KEY, seed=2, db_path=db, clock=FakeClock())
