"""Recipient and sender (issue 13, item 1): pick the contact, phone and our number; kept per lead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sms_tui.core.models import Contact, ContactPhone, Lead, Message, OurNumber
from sms_tui.store import Store
from sms_tui.ui.app import SmsApp
from sms_tui.ui.route import (
    Route,
    decode_route,
    default_route,
    encode_route,
    phone_choices,
    route_key,
    senders_for,
)
from sms_tui.ui.screens.route_picker import RoutePicker
from tests.ui.harness import Clock, inbox, open_lead, seeded_app, settle, shown, until
from tests.ui.seed import NOW

UK_LANDLINE = "+442071234567"  # London 020 7123 4567: a fixed line
US_MOBILE = "+14155550199"
NUMBERS = [
    OurNumber(id="pn_us", number="+14155550000", country="US"),
    OurNumber(id="pn_us2", number="+16505550000", country="US", label="Sales team"),
    OurNumber(id="pn_gb", number="+442071838750", country="GB"),
]


def add_two_contact_lead(store: Store, *, history: bool) -> None:
    """Lead `lead_two`: first contact has a UK landline, second a US mobile."""
    store.upsert_our_numbers(NUMBERS)
    landline = Contact(
        id="cont_uk",
        lead_id="lead_two",
        name="Una [b]UK[/b]",
        phones=(ContactPhone(phone=UK_LANDLINE, type="office"),),
    )
    mobile = Contact(
        id="cont_us", lead_id="lead_two", name="Sam US", phones=(ContactPhone(US_MOBILE, "mobile"),)
    )
    store.upsert_leads(
        [Lead(id="lead_two", display_name="Two Contacts Co", contacts=(landline, mobile), date_created=NOW)]
    )
    if history:  # the thread last went to the landline (and failed): that is the default
        when = NOW - timedelta(minutes=5)
        store.apply_remote_messages(
            [
                Message(
                    local_id=0,
                    lead_id="lead_two",
                    direction="outbound",
                    local_state="inbox",
                    text="Hello?",
                    remote_id="acti_two1",
                    contact_id="cont_uk",
                    status="error",
                    local_phone="+442071838750",
                    remote_phone=UK_LANDLINE,
                    date_created=when,
                    error_message="Landline",
                )
            ],
            unread_inbound=False,
            now=NOW,
        )


def app_with_two(tmp_path: Path, *, history: bool) -> SmsApp:
    app = seeded_app(tmp_path, clock=Clock())
    add_two_contact_lead(app.store, history=history)
    return app


def route_line(app: SmsApp) -> str:
    return shown(inbox(app).composer.query_one("#composer-route"))


async def test_the_mobile_of_the_second_contact_in_three_keys(tmp_path: Path) -> None:
    app = app_with_two(tmp_path, history=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_two")
        screen = inbox(app)
        context = screen.composer.context
        assert context is not None and context.to_number == UK_LANDLINE  # the thread's last number
        await pilot.press("ctrl+f")  # 1
        await until(pilot, lambda: isinstance(app.screen, RoutePicker))
        await pilot.press("down")  # 2
        await pilot.press("enter")  # 3
        await until(pilot, lambda: (c := screen.composer.context) is not None and c.to_number == US_MOBILE)
        context = screen.composer.context
        assert context is not None
        assert context.contact_id == "cont_us" and context.from_number == "+14155550000"
        assert "From +1 415-555-0000" in route_line(app) and "Sam US" in route_line(app)
        # It is remembered for the lead, in the cache.
        assert decode_route(app.store.kv_get(route_key("lead_two"))) == Route(
            "cont_us", US_MOBILE, "+14155550000"
        )
        # And the text goes to the mobile, from the US number.
        screen.composer.focus()
        await pilot.press(*"Hi Sam, Sam from Acme. Reply STOP to opt out.")
        await pilot.press("ctrl+j")
        await settle(pilot)
        queued = [m for m in app.store.outbox() if m.lead_id == "lead_two"]
        assert [(m.remote_phone, m.local_phone, m.contact_id) for m in queued] == [
            (US_MOBILE, "+14155550000", "cont_us")
        ]


async def test_without_history_the_first_textable_phone_is_the_default(tmp_path: Path) -> None:
    app = app_with_two(tmp_path, history=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_two")
        context = inbox(app).composer.context
        assert context is not None
        assert (context.to_number, context.from_number) == (US_MOBILE, "+14155550000")


async def test_picker_lists_every_phone_with_why_and_filters_our_numbers(tmp_path: Path) -> None:
    app = app_with_two(tmp_path, history=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_two")
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, RoutePicker))
        picker = app.screen
        to_list = picker.query_one("#route-to")
        from_list = picker.query_one("#route-from")
        lines = [str(o.prompt) for o in to_list.options]  # type: ignore[attr-defined]
        assert "Una [b]UK[/b]" in lines[0] and "landline" in lines[0] and "United Kingdom" in lines[0]
        assert "Sam US" in lines[1] and "✓ can text" in lines[1]
        # Highlighting the UK landline offers only our UK number; the US mobile both US numbers.
        assert [str(o.prompt) for o in from_list.options] == ["+44 20 7183 8750 (United Kingdom)"]  # type: ignore[attr-defined]
        await pilot.press("down")
        await settle(pilot)
        assert len(from_list.options) == 2  # type: ignore[attr-defined]
        await pilot.press("tab", "down", "enter")  # the Sales team number
        await until(pilot, lambda: not isinstance(app.screen, RoutePicker))
        await settle(pilot)
        context = inbox(app).composer.context
        assert context is not None and context.from_number == "+16505550000"
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, RoutePicker))
        await pilot.press("escape")  # Escape keeps the route
        await settle(pilot)
        assert decode_route(app.store.kv_get(route_key("lead_two"))) == Route(
            "cont_us", US_MOBILE, "+16505550000"
        )


def test_defaults_and_the_stored_route() -> None:
    flags: dict[str, tuple[bool, bool]] = {}
    landline = Contact(id="c1", lead_id="l", name="A", phones=(ContactPhone(UK_LANDLINE, "office"),))
    opted = Contact(id="c2", lead_id="l", name="B", phones=(ContactPhone("+14155550111", "mobile"),))
    mobile = Contact(id="c3", lead_id="l", name="C", phones=(ContactPhone(US_MOBILE, "mobile"),))
    flags["+14155550111"] = (True, False)
    choices = phone_choices([landline, opted, mobile], NUMBERS, lambda p: flags.get(p, (False, False)))
    assert [c.textable for c in choices] == [False, False, True]
    assert choices[1].why_not == "opted out (replied STOP)"
    assert default_route(choices, NUMBERS) == Route("c3", US_MOBILE, "+14155550000")
    saved = Route("c3", US_MOBILE, "+16505550000")
    assert default_route(choices, NUMBERS, saved=saved) == saved
    # A saved phone that left the lead, or a sender we lost, falls back.
    assert default_route(choices, NUMBERS, saved=Route("c9", "+14155559999", None)).to_number == US_MOBILE
    gone = Route("c3", US_MOBILE, "+19995550000")
    assert default_route(choices, NUMBERS, saved=gone).from_number == "+14155550000"
    assert [n.number for n in senders_for(NUMBERS, UK_LANDLINE)] == ["+442071838750"]
    assert decode_route(encode_route(saved)) == saved
    assert decode_route("not json") is None and decode_route('["x"]') is None and decode_route(None) is None


def test_picker_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    async def open_picker(pilot: Pilot[None]) -> None:
        await open_lead(pilot, "lead_two")
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(pilot.app.screen, RoutePicker))
        await settle(pilot)

    assert snap_compare(app_with_two(tmp_path, history=True), terminal_size=(80, 24), run_before=open_picker)


async def test_i_shows_every_contact_and_phone_of_the_lead(tmp_path: Path) -> None:
    from sms_tui.ui.screens.lead_details import LeadDetails

    app = app_with_two(tmp_path, history=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_two")
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, LeadDetails))
        text = shown(app.screen.query_one("#details-text"))
        assert text.startswith("Two Contacts Co")
        assert "Una [b]UK[/b]" in text and "Sam US" in text  # names as typed, markup inert
        assert "+44 20 7123 4567" in text and "is a landline" in text
        assert "+1 415-555-0199 · mobile" in text and "✓ can text" in text and "their time" in text
        assert "Messages shown: 1 · 0 received · 1 sent · 1 failed · 0 scheduled" in text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, LeadDetails))


def test_details_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    async def open_details(pilot: Pilot[None]) -> None:
        await open_lead(pilot, "lead_two")
        await pilot.press("i")
        await settle(pilot)

    assert snap_compare(app_with_two(tmp_path, history=True), terminal_size=(80, 24), run_before=open_details)
