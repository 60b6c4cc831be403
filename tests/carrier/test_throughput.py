"""The carrier's per-number limits (bulk texting): throughput, the same recipient too often, a daily cap.

Over a limit the SMS fails at send time with Twilio's code, nothing sent and no cost; under it nothing
changes. Off by default, so every other test and the demo are unaffected.
"""

from __future__ import annotations

from typing import Any

from tests.carrier.conftest import Carrier

US_MOBILES = [f"+1650555{n:04d}" for n in range(2000, 2040)]


async def _burst(carrier: Carrier, count: int, *, remote: str | None = None, gap: float = 0.0) -> list[Any]:
    ours = await carrier.us_number()
    sent = []
    for i in range(count):
        sent.append(
            await carrier.send(status="outbox", text=f"Offer {i}", local_phone=ours,
                               remote_phone=remote or US_MOBILES[i])
        )  # fmt: skip
        if gap:
            await carrier.advance(gap)
    await carrier.advance(30)
    return [await carrier.sms(s["id"]) for s in sent]


async def test_limits_are_off_by_default(carrier: Carrier) -> None:
    final = await _burst(carrier, 20)
    assert [s["status"] for s in final] == ["sent"] * 20


async def test_a_long_code_over_its_throughput_gets_30022_and_is_not_charged(carrier: Carrier) -> None:
    await carrier.faults(throughput_long_code=1, throughput_burst_seconds=2)
    final = await _burst(carrier, 20)  # 20 at once: the carrier's delays spread them over ~5 s
    refused = [s for s in final if s["status"] == "error"]
    assert refused and len(refused) < 20
    assert all(
        s["error_message"].startswith('Error 30022 "US A2P 10DLC - Rate Limits Exceeded"') for s in refused
    )
    assert all(s["cost"] is None and s["date_sent"] is None for s in refused)


async def test_sending_at_the_allowed_pace_is_never_refused(carrier: Carrier) -> None:
    await carrier.faults(throughput_long_code=1, throughput_burst_seconds=5)
    final = await _burst(carrier, 15, gap=1.0)
    assert [s["status"] for s in final] == ["sent"] * 15


async def test_too_many_to_one_person_gets_14107(carrier: Carrier) -> None:
    await carrier.faults(to_number_per_minute=2)
    final = await _burst(carrier, 4, remote=US_MOBILES[0], gap=1.0)
    # the carrier's 0.5-5 s delays may reorder them: two go, two are refused
    assert sorted(s["status"] for s in final) == ["error", "error", "sent", "sent"]
    refused = [s for s in final if s["status"] == "error"]
    assert all(s["error_message"].startswith('Error 14107 "SMS send rate limit exceeded"') for s in refused)


async def test_a_daily_cap_gets_30023_until_the_next_day(carrier: Carrier) -> None:
    await carrier.faults(daily_cap=3)
    final = await _burst(carrier, 5, gap=1.0)
    assert sorted(s["status"] for s in final) == ["error"] * 2 + ["sent"] * 3
    refused = [s for s in final if s["status"] == "error"]
    assert all(
        s["error_message"].startswith('Error 30023 "US A2P 10DLC - Daily Message Cap') for s in refused
    )
    await carrier.advance(24 * 3600)
    [tomorrow] = await _burst(carrier, 1)
    assert tomorrow["status"] == "sent"


async def test_bad_limit_values_are_refused(carrier: Carrier) -> None:
    r = await carrier.http.post("http://carrier.test/_carrier/faults", json={"daily_cap": -1})
    assert r.status_code == 400 and "daily_cap" in r.text
    r = await carrier.http.post("http://carrier.test/_carrier/faults", json={"throughput_long_code": "fast"})
    assert r.status_code == 400 and "throughput_long_code" in r.text
