"""Leads reply: after a delay, deterministic per seed, sometimes with markup, ANSI, emoji or keywords."""

from __future__ import annotations

import random

import httpx

from sms_tui.carrier import FakeClock, create_app
from sms_tui.carrier.replies import ANSI, MARKUP, STOP_REPLY, pick_reply
from sms_tui.core.compliance import classify_keyword
from tests.carrier.conftest import KEY, ROOT, Carrier


async def test_a_sent_sms_gets_a_reply_later(carrier: Carrier) -> None:
    await carrier.faults(reply_rate=1)
    lead, contact = await carrier.lead()
    sms = await carrier.send(
        status="outbox", text="Still interested?", lead_id=lead["id"], contact_id=contact["id"]
    )
    await carrier.advance(5)  # sent, but nobody answers that fast
    thread = (await carrier.get("activity/sms/", lead_id=lead["id"]))["data"]
    assert thread[0]["id"] == sms["id"] and thread[0]["status"] == "sent"
    await carrier.advance(60)
    reply = (await carrier.get("activity/sms/", lead_id=lead["id"]))["data"][0]
    assert (reply["direction"], reply["status"]) == ("inbound", "inbox")
    assert reply["remote_phone"] == sms["remote_phone"] and reply["contact_id"] == contact["id"]
    assert reply["date_created"] > thread[0]["date_sent"]
    created = await carrier.get("event/", object_type="activity.sms", action="created", _limit=1)
    assert created["data"][0]["object_id"] == reply["id"]  # a poller finds it with one request


async def test_no_replies_when_the_rate_is_zero(carrier: Carrier) -> None:
    lead, contact = await carrier.lead()
    await carrier.send(status="outbox", text="hello?", lead_id=lead["id"], contact_id=contact["id"])
    before = len((await carrier.state())["sms"])
    await carrier.advance(3600)
    assert len((await carrier.state())["sms"]) == before


async def _replies_for(seed: int) -> list[str]:
    app = create_app(api_key=KEY, seed=seed, clock=FakeClock())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ROOT, auth=(KEY, "")) as c:
        await c.post("_carrier/faults", json={"reply_rate": 1, "carrier_error_rate": 0})
        for i in range(12):
            await c.post(
                "api/v1/activity/sms/",
                json={"status": "outbox", "text": f"msg {i}", "remote_phone": f"+1212555{4000 + i}"},
            )
        await c.post("_carrier/clock", json={"advance": 3 * 3600})
        sms = (await c.get("_carrier/state")).json()["sms"]
    return [
        s["text"] for s in sms if s["remote_phone"].startswith("+1212555") and s["direction"] == "inbound"
    ]


async def test_replies_are_deterministic_per_seed() -> None:
    a, b, c = await _replies_for(21), await _replies_for(21), await _replies_for(22)
    assert len(a) >= 12 and a == b and a != c


def test_reply_mix_is_realistic() -> None:
    rng = random.Random(1)
    texts = [pick_reply(rng) for _ in range(2000)]
    kinds = [classify_keyword(t) for t in texts]
    assert 0.02 < kinds.count("opt_out") / len(texts) < 0.15
    assert kinds.count("help") > 0
    assert sum(t in MARKUP for t in texts) > 20 and sum(t in ANSI for t in texts) > 10
    assert any("\x1b[" in t for t in texts) and any("[/" in t for t in texts)
    assert any(ord(ch) > 0x1F000 for t in texts for ch in t)  # emoji
    assert kinds.count(None) / len(texts) > 0.7  # mostly ordinary text


async def test_a_stop_reply_blocks_and_sometimes_comes_back_with_start() -> None:
    """Across seeds, simulated leads STOP (blocked + confirmed) and some later text START.

    Which sends draw a STOP depends on the SMS ids, hence on the size of the demo history: enough
    sends (40 a seed, ~15 STOPs in all) that a START shows up whatever the demo data looks like.
    """
    stops = starts = 0
    for seed in range(30, 36):
        app = create_app(api_key=KEY, seed=seed, clock=FakeClock())
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=ROOT, auth=(KEY, "")
        ) as c:
            await c.post("_carrier/faults", json={"reply_rate": 1, "carrier_error_rate": 0})
            for i in range(40):
                await c.post(
                    "api/v1/activity/sms/",
                    json={"status": "outbox", "text": "hi", "remote_phone": f"+1312555{5000 + i}"},
                )
            await c.post("_carrier/clock", json={"advance": 4 * 3600})
            st = (await c.get("_carrier/state")).json()
        ours = [s for s in st["sms"] if s["remote_phone"].startswith("+1312555")]
        for s in ours:
            if s["direction"] == "inbound" and classify_keyword(s["text"]) == "opt_out":
                stops += 1
                assert any(o["text"] == STOP_REPLY and o["remote_phone"] == s["remote_phone"] for o in ours)
            if s["direction"] == "inbound" and s["text"] == "START":
                starts += 1
    assert stops > 0 and starts > 0
