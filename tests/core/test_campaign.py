"""The bulk preview: what each recipient would receive, the route chosen, the verdict, the totals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sms_tui.core.campaign import (
    DEFAULT_PRICES,
    BulkMessage,
    Prices,
    Recipient,
    choose_route,
    compose_problem,
    format_cents,
    preview,
    preview_one,
    totals,
    with_text,
)
from sms_tui.core.compliance import sender_names
from sms_tui.core.models import Contact, ContactPhone, OurNumber

NY = ZoneInfo("America/New_York")
# Wednesday 14 January 2026, 11:00 in New York: inside every window.
NOON_NY = datetime(2026, 1, 14, 11, 0, tzinfo=NY)
US_OURS = OurNumber("pn_us", "+14155552671", "US")
GB_OURS = OurNumber("pn_gb", "+447400123999", "GB")
NUMBERS = (US_OURS, GB_OURS)
NY_MOBILE = "+12127365000"
NY_OTHER = "+12127365001"
GB_MOBILE = "+447400123456"
LANDLINE_GB = "+442079460000"
MESSAGE = BulkMessage(
    "Hi {{ contact.first_name }}, this is Dana from Acme. Reply STOP to opt out.",
    user_first_name="Dana",
    user_last_name="Rep",
    org_name="Acme Inc.",
)


def lead(
    lead_id: str = "lead_1",
    *phones: ContactPhone,
    first: str = "Ada",
    **kw: object,
) -> Recipient:
    contact = Contact(f"cont_{lead_id}", lead_id, f"{first} Lovelace", first_name=first, phones=phones)
    return Recipient(lead_id, f"{first}'s company", (contact,), **kw)  # type: ignore[arg-type]


def test_clean_lead_gets_its_name_and_costs_one_segment() -> None:
    p = preview_one(lead("l1", ContactPhone(NY_MOBILE)), MESSAGE, NUMBERS, now=NOON_NY)
    assert p.text == "Hi Ada, this is Dana from Acme. Reply STOP to opt out."
    assert p.verdict == "ok", p.codes
    assert (p.encoding, p.segments, p.chars) == ("GSM-7", 1, len(p.text))
    assert p.cost_cents == Decimal(1)
    assert (p.to_number, p.from_number, p.contact_id) == (NY_MOBILE, US_OURS.number, "cont_l1")
    assert p.local_time == NOON_NY and p.time_zone == "America/New_York"
    assert p.reason == ""


def test_opted_out_lead_is_blocked_with_the_reason_and_costs_nothing() -> None:
    r = lead("l2", ContactPhone(NY_MOBILE), opted_out=frozenset({NY_MOBILE}))
    p = preview_one(r, MESSAGE, NUMBERS, now=NOON_NY)
    assert p.verdict == "block"
    assert "opted_out" in p.codes and "opted out" in p.reason
    assert p.cost_cents == 0


def test_quiet_hours_and_missing_first_name_are_warnings() -> None:
    late = datetime(2026, 1, 14, 22, 30, tzinfo=NY)
    p = preview_one(lead("l3", ContactPhone(NY_MOBILE), first=""), MESSAGE, NUMBERS, now=late)
    assert p.verdict == "warn"
    assert set(p.codes) >= {"quiet_hours", "missing_field"}
    assert p.text.startswith("Hi , this is")
    assert p.local_time is not None and p.local_time.hour == 22


def test_mobile_is_preferred_to_an_earlier_landline_and_the_sender_matches_its_country() -> None:
    r = lead("l4", ContactPhone(LANDLINE_GB, type="office"), ContactPhone(GB_MOBILE, type="mobile"))
    p = preview_one(r, MESSAGE, NUMBERS, now=NOON_NY)
    assert (p.to_number, p.from_number) == (GB_MOBILE, GB_OURS.number)
    assert p.cost_cents == DEFAULT_PRICES.default
    assert p.time_zone.startswith("Europe/")


def test_preferred_route_wins_while_textable_and_opted_out_phone_is_passed_over() -> None:
    phones = (ContactPhone(NY_MOBILE), ContactPhone(NY_OTHER))
    assert choose_route(lead("l5", *phones, preferred_to=NY_OTHER), NUMBERS).to_number == NY_OTHER
    r = lead("l5", *phones, preferred_to=NY_OTHER, opted_out=frozenset({NY_OTHER}))
    assert choose_route(r, NUMBERS).to_number == NY_MOBILE


def test_only_landline_is_blocked_and_no_phone_says_so() -> None:
    p = preview_one(lead("l6", ContactPhone(LANDLINE_GB, type="office")), MESSAGE, NUMBERS, now=NOON_NY)
    assert p.verdict == "block" and "landline" in p.reason
    bare = preview_one(Recipient("l7", "No phone Inc"), MESSAGE, NUMBERS, now=NOON_NY)
    assert bare.verdict == "block" and bare.codes[0] == "no_phone"
    assert bare.reason == "This lead has no phone number to text."


def test_no_sending_number_in_the_country_is_explained() -> None:
    p = preview_one(lead("l8", ContactPhone(GB_MOBILE)), MESSAGE, (US_OURS,), now=NOON_NY)
    assert p.verdict == "block"
    assert "no_sender" in p.codes or "not_textable" in p.codes
    assert "United Kingdom" in p.reason


def test_edited_text_replaces_the_campaign_text_for_that_lead_only() -> None:
    r = with_text(lead("l9", ContactPhone(NY_MOBILE)), "Ada — call me? Dana, Acme. Reply STOP to opt out")
    p = preview_one(r, MESSAGE, NUMBERS, now=NOON_NY)
    assert p.edited and p.encoding == "UCS-2" and p.text.startswith("Ada —")
    assert not preview_one(with_text(r, None), MESSAGE, NUMBERS, now=NOON_NY).edited


def test_first_message_without_opt_out_line_warns_but_a_later_one_does_not() -> None:
    plain = BulkMessage("Quick question about your order", user_first_name="Dana", org_name="Acme")
    first = preview_one(lead("la", ContactPhone(NY_MOBILE)), plain, NUMBERS, now=NOON_NY)
    later = preview_one(lead("la", ContactPhone(NY_MOBILE), first_message=False), plain, NUMBERS, now=NOON_NY)
    assert {"no_opt_out", "no_sender_id"} <= set(first.codes)
    assert later.verdict == "ok"


def test_unrendered_template_syntax_blocks() -> None:
    broken = BulkMessage("Hi {{ contact.first_name, Reply STOP to opt out. Dana")
    p = preview_one(lead("lb", ContactPhone(NY_MOBILE)), broken, NUMBERS, now=NOON_NY)
    assert p.verdict == "block" and "unrendered" in p.codes


def test_totals_count_what_leaves_and_skipped_leads_cost_nothing() -> None:
    recipients = [
        lead("t1", ContactPhone(NY_MOBILE)),
        lead("t2", ContactPhone(GB_MOBILE)),
        lead("t3", ContactPhone(NY_MOBILE), first=""),  # warned: no first name
        lead("t4", ContactPhone(NY_MOBILE), opted_out=frozenset({NY_MOBILE})),
        lead("t5", ContactPhone(NY_OTHER)),
    ]
    previews = preview(recipients, MESSAGE, NUMBERS, now=NOON_NY)
    assert [p.lead_id for p in previews] == ["t1", "t2", "t3", "t4", "t5"]
    t = totals(previews, skipped={"t5"})
    assert (t.recipients, t.ok, t.warned, t.blocked, t.skipped) == (5, 2, 1, 1, 1)
    assert t.segments == 3 and t.sending == 3
    assert t.cost_cents == Decimal(1 + 4 + 1)
    assert t.cost_text() == "$0.06"


def test_prices_are_configurable() -> None:
    prices = Prices({"US": Decimal("0.79")}, default=Decimal(5))
    long_text = BulkMessage("x" * 200 + " Dana, Acme. Reply STOP to opt out.")
    p = preview_one(lead("p1", ContactPhone(NY_MOBILE)), long_text, NUMBERS, now=NOON_NY, prices=prices)
    assert p.segments == 2 and p.cost_cents == Decimal("1.58")
    assert format_cents(Decimal(123456)) == "$1,234.56"


def test_json_is_plain_and_round_trips() -> None:
    hostile = lead("j1", ContactPhone(NY_MOBILE), first='Bob "[red]x[/red]')
    p = preview_one(hostile, MESSAGE, NUMBERS, now=NOON_NY)
    data = json.loads(json.dumps(p.as_json()))
    assert data["verdict"] == p.verdict and data["to"] == NY_MOBILE
    assert data["text"].startswith('Hi Bob "[red]x[/red],')
    assert data["local_time"] == "2026-01-14T11:00:00-05:00"


def test_compose_problems_are_sentences() -> None:
    assert compose_problem("hello", 0) is not None and "No leads are marked" in str(compose_problem("hi", 0))
    assert "empty" in str(compose_problem("   ", 3))
    assert "1,001 characters" in str(compose_problem("x" * 1001, 3))
    assert compose_problem("x" * 1000, 3) is None
    assert "at most 25,000" in str(compose_problem("hi", 25_001)) and compose_problem("hi", 25_000) is None


def test_sender_names_drop_legal_suffixes() -> None:
    assert sender_names("Dana Rep", "Acme Inc.") == ("Dana Rep", "Dana", "Rep", "Acme Inc.", "Acme")


def test_needs_an_aware_clock() -> None:
    import pytest

    with pytest.raises(ValueError):
        preview_one(lead("n1", ContactPhone(NY_MOBILE)), MESSAGE, NUMBERS, now=datetime(2026, 1, 1))
    assert preview_one(lead("n1", ContactPhone(NY_MOBILE)), MESSAGE, NUMBERS, now=datetime.now(UTC))
