"""The generated demo data obeys the carrier's own rules (what a rep sees on the demo's first screen).

Close only delivers a text when the sending number's country matches the recipient's
(core.phones.can_text); the demo history must not show conversations the carrier itself would
have refused, nor lead with unread replies the rep cannot answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from sms_tui.carrier import FakeClock, create_app
from sms_tui.core.phones import can_text, parse_phone

SEEDS = (1, 7, 42)


def _demo(seed: int) -> dict[str, Any]:
    carrier = create_app(api_key="k", seed=seed, clock=FakeClock()).carrier
    state = carrier.state
    return {
        "ours": [n["number"] for n in state.all("phone_number")],
        "leads": list(state.all("lead")),
        "contacts": list(state.all("contact")),
        "sms": list(state.all("sms")),
        "landlines": set(state.meta.get("landlines", [])),
        "opt_outs": list(state.meta.get("opt_outs", [])),
    }


@pytest.fixture(scope="module", params=SEEDS)
def demo(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _demo(request.param)


def _textable(demo: dict[str, Any], remote: str) -> bool:
    """One of our numbers can text it and the carrier knows of no landline there."""
    return remote not in demo["landlines"] and any(can_text(o, remote).ok for o in demo["ours"])


def _latest_by_lead(demo: dict[str, Any]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for sms in demo["sms"]:
        known = latest.get(sms["lead_id"])
        if known is None or sms["date_created"] > known["date_created"]:
            latest[sms["lead_id"]] = sms
    return latest


def test_every_sent_outbound_sms_could_have_been_sent(demo: dict[str, Any]) -> None:
    impossible = [
        (s["local_phone"], s["remote_phone"], can_text(s["local_phone"], s["remote_phone"]).code)
        for s in demo["sms"]
        if s["direction"] == "outbound"
        and s["status"] == "sent"
        and not can_text(s["local_phone"], s["remote_phone"]).ok
    ]
    assert impossible == []


def test_sends_to_numbers_we_cannot_text_fail_with_the_reason(demo: dict[str, Any]) -> None:
    attempts = [
        s
        for s in demo["sms"]
        if s["direction"] == "outbound"
        and s["status"] not in ("draft", "scheduled")
        and can_text(s["local_phone"], s["remote_phone"]).code in ("country_unsupported", "country_mismatch")
    ]
    assert attempts, "the demo shows a few refused sends on purpose"
    codes = {"country_unsupported": "Error 21408 ", "country_mismatch": "Error 21612 "}
    for sms in attempts:
        verdict = can_text(sms["local_phone"], sms["remote_phone"])
        assert sms["status"] == "error"
        assert sms["error_message"].startswith(codes[str(verdict.code)]), sms["error_message"]
        assert verdict.reason in sms["error_message"]  # names the country, as the live carrier does
        assert not sms["date_sent"] and not sms["cost"]  # refused before it left: never sent, no cost
    kinds = {can_text(s["local_phone"], s["remote_phone"]).code for s in attempts}
    assert kinds == {"country_unsupported", "country_mismatch"}


def test_unread_conversations_are_mostly_with_leads_we_can_answer(demo: dict[str, Any]) -> None:
    unread = [s for s in _latest_by_lead(demo).values() if s["direction"] == "inbound"]
    assert len(unread) >= 8
    answerable = [s for s in unread if _textable(demo, s["remote_phone"])]
    assert len(answerable) >= 0.85 * len(unread), [s["remote_country_iso"] for s in unread]


def test_the_demo_still_shows_every_case_the_issue_asks_for(demo: dict[str, Any]) -> None:
    sms = demo["sms"]
    phones = [p for c in demo["contacts"] for p in c["phones"]]
    with_phone = {c["lead_id"] for c in demo["contacts"] if c["phones"]}
    assert len(demo["leads"]) >= 200
    assert len(demo["leads"]) - len(with_phone) >= 2  # leads with no phone at all
    landlines = [p for p in phones if parse_phone(p["phone"]).line_type == "fixed_line"]
    assert len(landlines) + len(demo["landlines"]) >= 2
    assert sum(can_text(demo["ours"][0], p["phone"]).code == "country_unsupported" for p in phones) >= 2
    errors = [s["error_message"] for s in sms if s["status"] == "error"]
    for code in ("21408", "21612", "30006", "30007"):
        assert any(e.startswith(f"Error {code} ") for e in errors), code
    assert sum(s["status"] == "scheduled" for s in sms) >= 3
    assert sum(s["status"] == "draft" for s in sms) >= 3
    assert len(demo["opt_outs"]) >= 3
    sent = [s for s in sms if s["status"] == "sent" and s["direction"] == "outbound"]
    assert len(sent) >= 200
