"""The lead at a glance, second part: status, owner, emails with their opt-out state, custom fields
and the link to the lead in Close (ctrl+l opens it or copies it, and says which)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sms_tui.core.models import Contact, ContactEmail, ContactPhone, Lead, LeadProfile
from sms_tui.store import Store
from sms_tui.store.schema import CURRENT_VERSION, migrate
from sms_tui.ui.app import SmsApp
from sms_tui.ui.lead_link import link_action, web_url
from sms_tui.ui.screens.lead_details import LeadDetails
from tests.ui.harness import Clock, open_lead, seeded_app, settle, shown, until
from tests.ui.seed import NOW
from tests.ui.test_route_picker import US_MOBILE, add_two_contact_lead

URL = "https://app.close.com/lead/lead_two/"


def _recorder(opened: list[str]) -> Callable[[str], bool]:
    def opener(url: str) -> bool:
        opened.append(url)
        return True

    return opener


def _with_profile(store: Store, *, html_url: str = URL) -> None:
    add_two_contact_lead(store, history=True)
    detail = store.lead_detail("lead_two").lead
    una, sam = detail.contacts
    una = Contact(
        id=una.id,
        lead_id=una.lead_id,
        name=una.name,
        phones=una.phones,
        emails=(ContactEmail("una@example.co.uk", "office", unsubscribed=True),),
    )
    sam = Contact(
        id=sam.id,
        lead_id=sam.lead_id,
        name=sam.name,
        phones=(ContactPhone(US_MOBILE, "mobile"),),
        emails=(ContactEmail("sam@example.com", "office"), ContactEmail("sam\x1b]0;x\x07@evil.test", "home")),
    )
    store.upsert_leads(
        [
            Lead(
                id="lead_two",
                display_name=detail.display_name,
                contacts=(una, sam),
                date_created=NOW,
                profile=LeadProfile(
                    status="Qualified",
                    owner="Jane Rep",
                    created_by="Bob Admin",
                    html_url=html_url,
                    custom=(("Industry", "SaaS [b]x[/b]"), ("Seats", "40")),
                ),
            )
        ]
    )


def _app(tmp_path: Path, **kw: Any) -> SmsApp:
    app = seeded_app(tmp_path, clock=Clock())
    _with_profile(app.store, **kw)
    return app


async def _open(pilot: Pilot[None], app: SmsApp) -> LeadDetails:
    await open_lead(pilot, "lead_two")
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, LeadDetails) and app.screen.lead is not None)
    await settle(pilot)
    assert isinstance(app.screen, LeadDetails)
    return app.screen


async def test_i_shows_status_owner_emails_custom_fields_and_the_link(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _open(pilot, app)
        text = shown(panel.query_one("#details-text"))
        assert text.startswith("Two Contacts Co\nStatus: Qualified · Owner: Jane Rep · created by Bob Admin")
        assert "Una [b]UK[/b]: una@example.co.uk (office)  [unsubscribed]" in text
        assert "Sam US: sam@example.com (office)\n" in text
        assert "sam␛]0;x␇@evil.test (home)" in text and "\x1b" not in text  # the safe path
        assert "Custom fields:\n  Industry: SaaS [b]x[/b]\n  Seats: 40" in text
        assert f"In Close: {URL}  (ctrl+l)" in text
        assert "+1 415-555-0199 · mobile" in text  # the contacts part is still there


async def test_ctrl_l_opens_the_lead_in_the_browser_and_says_so(tmp_path: Path) -> None:
    app = _app(tmp_path)
    opened: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _open(pilot, app)
        panel._opener = _recorder(opened)
        panel._env = {"DISPLAY": ":0"}
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert opened == [URL]
        assert [n.message for n in app._notifications] == [f"Opened in your browser: {URL}"]
        assert app.clipboard == ""


async def test_ctrl_l_copies_the_link_over_ssh_and_says_so(tmp_path: Path) -> None:
    app = _app(tmp_path)
    opened: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _open(pilot, app)
        panel._opener = _recorder(opened)
        panel._env = {"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert opened == []  # a text browser must not take over the terminal
        assert app.clipboard == URL
        assert [n.message for n in app._notifications] == [f"Copied the link (no browser here): {URL}"]


async def test_a_browser_that_fails_falls_back_to_copying(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _open(pilot, app)
        panel._opener = lambda url: False
        panel._env = {"WAYLAND_DISPLAY": "wayland-0"}
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert app.clipboard == URL


async def test_a_hostile_link_is_neither_opened_nor_copied(tmp_path: Path) -> None:
    app = _app(tmp_path, html_url="javascript:alert(1)//\x1b]52;c;AAAA\x07")
    opened: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        panel = await _open(pilot, app)
        panel._opener = _recorder(opened)
        panel._env = {"DISPLAY": ":0"}
        assert "In Close:" not in shown(panel.query_one("#details-text"))
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert opened == [] and app.clipboard == ""
        assert [n.message for n in app._notifications] == ["Close gave no link for this lead."]


def test_which_link_action() -> None:
    assert link_action({}, "darwin") == "open"
    assert link_action({"SSH_TTY": "/dev/pts/1"}, "darwin") == "copy"
    assert link_action({}, "linux") == "copy"
    assert link_action({"DISPLAY": ":1"}, "linux") == "open"
    assert web_url(URL) == URL
    assert web_url("https://app.close.com/lead/a b/") is None
    assert web_url("file:///etc/passwd") is None


def test_a_v5_cache_migrates_and_keeps_its_leads(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=5)
    conn.execute("INSERT INTO leads (id, display_name) VALUES ('lead_old', 'Old Lead')")
    conn.execute("INSERT INTO contacts (id, lead_id, name) VALUES ('cont_old', 'lead_old', 'Ann')")
    conn.close()
    store = Store.open(path)
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION >= 6
    lead = store.lead_detail("lead_old").lead
    assert lead.display_name == "Old Lead" and lead.profile == LeadProfile()
    assert [(c.name, c.emails) for c in lead.contacts] == [("Ann", ())]
