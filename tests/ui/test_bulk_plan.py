"""The bulk preview's decisions and the send-mode fields, without a screen."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from sms_tui.core.bulk_spec import SpecError
from sms_tui.core.campaign import BulkMessage, Recipient
from sms_tui.core.models import Contact, ContactPhone, OurNumber
from sms_tui.ui.bulk import BulkPlan
from sms_tui.ui.screens.bulk_send import build_spec, parse_clock

NOW = datetime(2026, 1, 14, 16, 0, tzinfo=UTC)  # 11:00 in New York
NY = ZoneInfo("America/New_York")
MESSAGE = BulkMessage("Hi {{ contact.first_name }}, Dana from Acme here. Reply STOP to opt out.", "tmpl_1",
                      "Dana", org_name="Acme")  # fmt: skip


def lead(n: int, *, opted: bool = False, first: str = "Ada", phone: bool = True) -> Recipient:
    number = f"+1212736{5000 + n}"
    phones = (ContactPhone(number),) if phone else ()
    contact = Contact(f"c{n}", f"l{n}", first, first_name=first, phones=phones)
    return Recipient(f"l{n}", f"Lead {n}", (contact,), opted_out=frozenset({number} if opted else ()))


def plan_of(*recipients: Recipient) -> BulkPlan:
    plan = BulkPlan(MESSAGE, [OurNumber("n", "+14155552671", "US")])
    plan.add(recipients, plan.compute(recipients, NOW))
    return plan


def test_only_approved_leads_go_and_blocked_ones_cannot_be_approved() -> None:
    plan = plan_of(lead(1), lead(2, first=""), lead(3, opted=True), lead(4), lead(5, phone=False))
    assert [p.verdict for p in plan.previews] == ["ok", "warn", "block", "ok", "block"]
    assert plan.approve_all_clean() == 2
    assert plan.toggle("l3") is not None and plan.decision("l3") is None
    assert plan.toggle("l2") is None and plan.decision("l2") == "approved"
    plan.skip("l4")
    t = plan.totals()
    assert (t.recipients, t.ok, t.warned, t.blocked, t.approved, t.skipped) == (5, 2, 1, 2, 2, 1)
    assert t.segments == 2 and t.cost_cents == Decimal(2)
    rows, left_out = plan.new_recipients()
    assert left_out == 1  # no phone: the store keeps no row without one
    states = {r.lead_id: ("skipped" if r.skipped else r.verdict) for r in rows}
    assert states == {"l1": "ok", "l2": "warn", "l3": "block", "l4": "skipped"}
    assert plan.approve_all_clean() == 0  # a skipped clean lead stays skipped


def test_editing_one_text_judges_it_again_and_drops_an_approval_it_breaks() -> None:
    plan = plan_of(lead(1), lead(2))
    plan.approve_all_clean()
    edited = plan.edit("l1", "Hi {{ oops", NOW)
    assert edited is not None and edited.verdict == "block" and edited.edited
    assert plan.decision("l1") is None and plan.decision("l2") == "approved"
    back = plan.edit("l1", None, NOW)
    assert back is not None and back.text.startswith("Hi Ada,") and not back.edited
    assert plan.visible("block") == [] and plan.visible("ok") == [0, 1]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9:30", time(9, 30)), ("9.30", time(9, 30)), ("17:00", time(17)), ("9am", time(9)),
     ("12am", time(0)), ("9:30 PM", time(21, 30))],
)  # fmt: skip
def test_clock_times(typed: str, expected: time) -> None:
    assert parse_clock(typed) == expected


@pytest.mark.parametrize("typed", ["", "25:00", "9:75", "13pm", "noonish"])
def test_bad_clock_times_say_so(typed: str) -> None:
    with pytest.raises(SpecError):
        parse_clock(typed)


def spec(**fields: str) -> object:
    values = {"name": "", "when": "", "drip_n": "", "drip_m": "", "daily_cap": ""} | fields
    choice = values.pop("choice", "now")
    return build_spec(message=MESSAGE, choice=choice, now=NOW, rep_tz=NY, **values)  # type: ignore[arg-type]


def test_send_modes_become_specs() -> None:
    now = spec()
    assert now.mode == "now" and now.name == "Bulk text 2026-01-14 11:00"  # type: ignore[attr-defined]
    assert now.template_id == "tmpl_1" and now.text == MESSAGE.text  # type: ignore[attr-defined]
    at = spec(choice="at", when="2026-01-15 09:30", name="Spring")
    assert at.at == datetime(2026, 1, 15, 14, 30, tzinfo=UTC) and at.name == "Spring"  # type: ignore[attr-defined]
    local = spec(choice="local", when="9:30")
    assert local.mode == "schedule" and local.local_time == time(9, 30)  # type: ignore[attr-defined]
    drip = spec(choice="drip", drip_n="5", drip_m="10", daily_cap="200")
    assert (drip.drip_count, drip.drip_minutes, drip.daily_cap) == (5, 10, 200)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fields", "words"),
    [({"choice": "at", "when": ""}, "Say when"), ({"choice": "at", "when": "2026-01-13 09:00"}, "passed"),
     ({"choice": "drip", "drip_n": "0", "drip_m": "10"}, "N .messages per step"),
     ({"choice": "drip", "drip_n": "5", "drip_m": "x"}, "M .minutes"), ({"daily_cap": "-3"}, "daily cap")],
)  # fmt: skip
def test_bad_send_fields_get_a_sentence(fields: dict[str, str], words: str) -> None:
    with pytest.raises(SpecError, match=words):
        spec(**fields)
