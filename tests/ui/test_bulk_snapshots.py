"""Snapshots of bulk texting: the preview of six seeded leads (ok, warned, blocked; clean ones
approved) and a running drip campaign on the campaigns screen. Every time shown comes from the
injected clock and the seeded cache, so the SVGs are deterministic (`--snapshot-update` after a
deliberate change). `make screenshots` saves the same two screens for the README.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sms_tui.core.bulk_spec import CampaignSpec
from sms_tui.store import Store
from sms_tui.store.campaign_rows import NewRecipient
from sms_tui.ui.app import SmsApp
from sms_tui.ui.screens.campaigns import CampaignsScreen
from tests.ui.harness import inbox, seeded_app, settle, until
from tests.ui.seed import LEADS, NOW
from tests.ui.test_bulk import mark_all_and_preview

TEXT = "Hi {{ contact.first_name }}, our spring offer is live this week: 20% off the annual plan."


async def show_preview(pilot: Pilot[None]) -> None:
    app: SmsApp = pilot.app  # type: ignore[assignment]
    await mark_all_and_preview(pilot, TEXT)
    await pilot.press("A")
    await pilot.press("end")  # the cursor on the warned lead: its details say why
    app.clear_notifications()
    await settle(pilot)


def running_campaign(store: Store) -> int:
    """A drip of the six seeded leads: two sent, one blocked at preview, the rest planned."""
    rows = [
        NewRecipient(
            lead_id,
            phone,
            "+442071838750" if phone.startswith("+44") else "+14155550000",
            f"Hi {first}, our spring offer is live this week.",
            display_name=name,
            verdict="block" if lead_id == "lead_dee" else "ok",
            reason="This contact has opted out of texts." if lead_id == "lead_dee" else "",
            est_cost=1.0,
        )
        for lead_id, name, first, _, phone in LEADS
    ]
    spec = CampaignSpec("Spring offer", text=TEXT, mode="drip", drip_count=2, drip_minutes=30, daily_cap=200)
    cid = store.create_campaign(spec, rows, now=NOW - timedelta(hours=1))
    pending = store.pending_recipients(cid)
    for i, r in enumerate(pending[:2]):
        local_id = store.release(r.id, now=NOW - timedelta(minutes=50))
        assert local_id is not None
        store.mark_pushed(local_id, f"acti_bulk{i}", "sent", date_sent=NOW - timedelta(minutes=49), cost="1")
    store.sync_outcomes(now=NOW)
    later = store.pending_recipients(cid)
    store.plan_releases({r.id: NOW + timedelta(minutes=30 * (1 + i // 2)) for i, r in enumerate(later)})
    old = store.create_campaign(
        CampaignSpec("Winter check-in", text="Hi!", mode="now"), rows[:2], now=NOW - timedelta(days=2)
    )
    store.cancel_campaign(old, now=NOW - timedelta(days=2))
    return cid


def test_bulk_preview(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(seeded_app(tmp_path), terminal_size=(110, 32), run_before=show_preview)


def test_running_campaign(snap_compare: Any, tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    running_campaign(app.store)

    async def show_campaigns(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: inbox(app).leads.total == 6)
        await settle(pilot)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, CampaignsScreen) and len(app.screen.views) == 2)
        await settle(pilot)
        app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=(110, 32), run_before=show_campaigns)
