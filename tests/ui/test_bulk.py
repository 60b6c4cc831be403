"""Bulk texting as the rep does it: mark leads, compose once, preview every message, create the
campaign, then pause and cancel it from the campaigns screen.

The seeded inbox (tests/ui/seed.py) at its fixed clock: Ada, Bob, Cyd (UK) and Eve were texted before
and are in business hours; Dee opted out (STOP); Fay never got a text from us (first message: the
guard warns when the text has no opt-out line and does not say who writes).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static, TextArea

from sms_tui.core.bulk_spec import CampaignSpec
from sms_tui.core.campaign import Recipient
from sms_tui.store.campaign_rows import NewRecipient
from sms_tui.ui.app import SmsApp
from sms_tui.ui.screens.bulk_compose import BulkComposeScreen
from sms_tui.ui.screens.bulk_preview import BulkPreviewScreen
from sms_tui.ui.screens.bulk_send import SendModeDialog
from sms_tui.ui.screens.campaigns import CampaignsScreen
from sms_tui.ui.widgets.preview_list import PreviewList
from sms_tui.ui.widgets.search_bar import FilterBar
from tests.ui.harness import inbox, seeded_app, settle, until
from tests.ui.seed import NOW

TEXT = "Hi {{ contact.first_name }}, our spring offer is live this week."


def static_text(app: SmsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def ready(pilot: Pilot[None]) -> None:
    await until(pilot, lambda: inbox(pilot.app).leads.total == 6)  # type: ignore[arg-type]
    await settle(pilot)


async def mark_all_and_preview(pilot: Pilot[None], text: str = TEXT) -> BulkPreviewScreen:
    app: SmsApp = pilot.app  # type: ignore[assignment]
    await ready(pilot)
    await pilot.press("asterisk")
    await until(pilot, lambda: len(inbox(app).leads.marked) == 6)
    await pilot.press("b")
    await until(pilot, lambda: isinstance(app.screen, BulkComposeScreen))
    app.screen.query_one("#bulk-text", TextArea).insert(text)
    await pilot.press("ctrl+j")
    await until(pilot, lambda: isinstance(app.screen, BulkPreviewScreen) and app.screen.done)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, BulkPreviewScreen)
    return screen


async def test_space_marks_star_marks_the_search_and_the_count_is_shown(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        screen = inbox(app)
        bar = screen.query_one(FilterBar)
        await pilot.press("2")  # unread: Ada and Bob
        await until(pilot, lambda: screen.leads.total == 2)
        await settle(pilot)
        await pilot.press("asterisk")
        await until(pilot, lambda: bar.marked == 2)
        assert set(screen.leads.marked) == {"lead_ada", "lead_bob"}
        assert "✓2 marked" in str(bar.render())
        await pilot.press("1")  # every lead: the marks stay
        await until(pilot, lambda: screen.leads.total == 6)
        await settle(pilot)
        first = screen.leads.selected
        assert first is not None
        await pilot.press("space")  # toggles the cursor lead and moves down
        assert bar.marked == (1 if first.lead_id in ("lead_ada", "lead_bob") else 3)
        assert screen.leads.cursor == 1
        await pilot.press("2")
        await until(pilot, lambda: screen.leads.total == 2)
        await settle(pilot)
        before = bar.marked
        await pilot.press("asterisk")  # the whole search again: marks what is missing
        await until(pilot, lambda: bar.marked != before)
        assert {"lead_ada", "lead_bob"} <= set(screen.leads.marked)
        await pilot.press("asterisk")  # all marked already: unmarks them
        await until(pilot, lambda: not {"lead_ada", "lead_bob"} & set(screen.leads.marked))


async def test_nothing_marked_empty_or_long_text_say_why_and_keep_the_text(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert not isinstance(app.screen, BulkComposeScreen)
        assert any("No leads are marked" in n.message for n in app._notifications)
        await pilot.press("space")
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, BulkComposeScreen))
        await pilot.press("ctrl+j")
        assert "empty" in static_text(app, "#bulk-error")
        area = app.screen.query_one("#bulk-text", TextArea)
        area.insert("x" * 1001)
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert "1,001 characters" in static_text(app, "#bulk-error")
        assert isinstance(app.screen, BulkComposeScreen)
        await pilot.press("escape")  # back to the inbox: the text is kept for next time
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, BulkComposeScreen))
        assert app.screen.query_one("#bulk-text", TextArea).text == "x" * 1001


async def test_preview_shows_blocked_warned_and_ok_then_approve_clean_and_create(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await mark_all_and_preview(pilot)
        plan = screen.plan
        verdicts = {p.lead_id: p.verdict for p in plan.previews}
        assert verdicts == {
            "lead_ada": "ok",
            "lead_bob": "ok",
            "lead_cyd": "ok",
            "lead_dee": "block",
            "lead_eve": "ok",
            "lead_fay": "warn",
        }
        ada = plan.get("lead_ada")
        assert ada is not None and ada.text == "Hi Ada, our spring offer is live this week."
        totals = static_text(app, "#preview-totals")
        assert "Recipients 6 · ok 4 · warnings 1 · blocked 1" in totals and "approved 0" in totals
        rows = screen.query_one(PreviewList)
        await pilot.press("2")  # blocked only
        assert [plan.previews[i].lead_id for i in rows.rows] == ["lead_dee"]
        assert "opted out" in static_text(app, "#preview-details")
        await pilot.press("space")  # a blocked lead cannot be approved
        assert plan.decision("lead_dee") is None
        await pilot.press("A")
        await settle(pilot)
        assert "approved 4 · 4 segments · est. $0.07" in static_text(app, "#preview-totals")  # Cyd: UK
        await pilot.press("3")  # warnings: Fay, first message
        assert [plan.previews[i].lead_id for i in rows.rows] == ["lead_fay"]
        details = static_text(app, "#preview-details")
        assert "first text" in details
        await pilot.press("e")  # her own text, with an opt-out line and who writes
        await until(pilot, lambda: app.screen.query("#edit-text").first() is not None)
        editor = app.screen.query_one("#edit-text", TextArea)
        editor.text = "Hi Fay, Sam from Acme: our spring offer is live. Reply STOP to opt out."
        await pilot.press("ctrl+j")
        await settle(pilot)
        fay = plan.get("lead_fay")
        assert fay is not None and fay.edited and fay.verdict == "ok"
        await pilot.press("4")
        await pilot.press("end")
        await pilot.press("space")  # approve Fay (the last ok row)
        assert plan.decision("lead_fay") == "approved"
        await pilot.press("1")
        await pilot.press("home")
        await pilot.press("s")  # skip Ada after all
        assert plan.decision("lead_ada") == "skipped"
        await pilot.press("ctrl+j")
        await until(pilot, lambda: isinstance(app.screen, SendModeDialog))
        await pilot.press("ctrl+j")  # "now" is the default choice
        await until(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        await settle(pilot)
        (campaign,) = app.store.campaigns()
        assert campaign.spec.mode == "now" and campaign.spec.text == TEXT
        progress = app.store.campaign_progress(campaign.id)
        assert (progress.counts["skipped"], progress.counts["blocked"]) == (1, 1)
        assert progress.counts["pending"] + progress.counts["queued"] + progress.counts["sent"] == 4
        fay_row = next(
            r for r in app.store.campaign_recipients(campaign.id, limit=10) if r.lead_id == "lead_fay"
        )
        assert fay_row.text.startswith("Hi Fay, Sam from Acme")
        assert not inbox(app).leads.marked  # a created campaign clears the marks


async def test_schedule_their_time_bad_input_keeps_the_form(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await mark_all_and_preview(pilot)
        await pilot.press("A")
        await pilot.press("ctrl+j")
        await until(pilot, lambda: isinstance(app.screen, SendModeDialog))
        dialog = app.screen
        assert isinstance(dialog, SendModeDialog)
        await pilot.press("down", "down", "enter")  # "At a time in each lead's own zone"
        assert dialog.choice == "local"
        dialog.query_one("#send-when").value = "25:99"  # type: ignore[attr-defined]
        await pilot.press("ctrl+j")
        assert "not a time of day" in static_text(app, "#send-error")
        dialog.query_one("#send-when").value = "9:30am"  # type: ignore[attr-defined]
        await pilot.press("ctrl+j")
        await until(pilot, lambda: isinstance(app.screen, CampaignsScreen))
        (campaign,) = app.store.campaigns()
        assert campaign.spec.mode == "schedule" and str(campaign.spec.local_time) == "09:30:00"


def _campaign(app: SmsApp, name: str = "Spring offer") -> int:
    store = app.store
    rows = [
        NewRecipient(f"lead_{n}", f"+1415555010{i}", "+14155550000", f"Hi {n}", display_name=n)
        for i, n in enumerate(("ada", "bob", "cyd", "eve"), start=1)
    ]
    spec = CampaignSpec(name, text="Hi {{ contact.first_name }}", mode="drip", drip_count=2, drip_minutes=30)
    return store.create_campaign(spec, rows, now=NOW)


async def test_campaigns_screen_pauses_and_cancels(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        cid = _campaign(app)
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, CampaignsScreen) and bool(app.screen.views))
        await settle(pilot)
        shown = app.screen.query_one("#campaigns", OptionList).get_option_at_index(0).prompt
        assert "Spring offer" in str(shown) and "DRIP 2 EVERY 30 MIN" in str(shown).upper()
        await pilot.press("p")
        await until(pilot, lambda: app.store.campaign(cid).state == "paused")  # type: ignore[union-attr]
        await pilot.press("r")
        await until(pilot, lambda: app.store.campaign(cid).state == "running")  # type: ignore[union-attr]
        await pilot.press("x")
        await settle(pilot)
        assert app.store.campaign(cid).state == "running"  # type: ignore[union-attr]  # once only warns
        await pilot.press("x")
        await until(pilot, lambda: app.store.campaign(cid).state == "cancelled")  # type: ignore[union-attr]
        await settle(pilot)
        assert any("4 messages had not left" in n.message for n in app._notifications)


async def test_export_writes_the_report_csv(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        cid = _campaign(app, "Export me")
        app.push_screen(
            CampaignsScreen(app.store, app.now, app.rep_tz, export_dir=tmp_path, refresh_seconds=0)
        )
        await until(pilot, lambda: isinstance(app.screen, CampaignsScreen) and bool(app.screen.views))
        await pilot.press("c")
        path = tmp_path / f"sms-tui-campaign-{cid}.csv"
        await until(pilot, lambda: path.exists() and path.stat().st_size > 0)
        await settle(pilot)
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("lead_id,") and len(lines) == 5
        assert any(f"Exported 4 recipients to {path}" in n.message for n in app._notifications)


async def test_outside_text_reaches_the_screen_only_through_the_safe_path(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await mark_all_and_preview(pilot, "Hi {{ contact.first_name }} \x1b[31mred\x1b[0m [b]x[/b]")
        rows = screen.query_one(PreviewList)
        drawn = "".join(
            segment.text for y in range(rows.size.height) for segment in list(rows.render_line(y))
        )
        assert "\x1b" not in drawn and "␛[31mred" in drawn and "[b]x[/b]" in drawn
        assert "Bob's Bikes [VIP] [/]" in drawn  # a name with markup shows as typed
        details = static_text(app, "#preview-details")
        assert "\x1b" not in details


async def test_ctrl_j_while_the_leads_are_still_being_read_previews_each_lead_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rep picks a template and presses ctrl+j at once: the preview starts on the leads read so
    far, takes the rest as the read-ahead reads them, and judges every marked lead exactly once."""
    from sms_tui.ui.screens import inbox_bulk

    monkeypatch.setattr(inbox_bulk, "READ_SLICE", 2)
    app = seeded_app(tmp_path)
    hold, calls = threading.Event(), []
    real = app.store.preview_recipients

    def slow(ids: Sequence[str]) -> list[Recipient]:
        calls.append(list(ids))
        if len(calls) == 2:  # the read-ahead's second slice waits until the preview is open
            hold.wait(10)
        return real(ids)

    monkeypatch.setattr(app.store, "preview_recipients", slow)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("asterisk")
        await until(pilot, lambda: len(inbox(app).leads.marked) == 6)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, BulkComposeScreen) and len(calls) == 2)
        app.screen.query_one("#bulk-text", TextArea).insert(TEXT)
        await pilot.press("ctrl+j")
        await until(pilot, lambda: isinstance(app.screen, BulkPreviewScreen) and app.screen.loaded == 2)
        screen = app.screen
        assert isinstance(screen, BulkPreviewScreen) and not screen.done
        assert "judging 2 of 6" in static_text(app, "#preview-totals")
        await pilot.pause()  # (not settle: it waits for the judging, held here)
        await pilot.pause()
        totals = screen.query_one("#preview-totals", Static)
        assert totals.size.height == 2  # at 100 columns the line with "judging …" wraps
        hold.set()
        await until(pilot, lambda: screen.done)
        await settle(pilot)
        assert "judging" not in static_text(app, "#preview-totals")
        assert totals.size.height == 1  # and the final one fits a line: laid out again
        assert sorted(p.lead_id for p in screen.plan.previews) == sorted(inbox(app).leads.marked)
        assert len(screen.plan.previews) == 6
        assert len(calls) == 3  # read once, by the read-ahead: the preview read nothing again
