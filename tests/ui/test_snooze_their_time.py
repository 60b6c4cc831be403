"""Snooze presets on the lead's clock: 4 = tomorrow 9:00 their time, 5 = Monday 9:00 their time,
offered only when the lead's phone has one clock that is not the rep's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.widgets import OptionList

from sms_tui.ui.screens.snooze import SnoozeDialog, their_zone
from tests.ui.harness import inbox, open_lead, seeded_app, settle, until
from tests.ui.seed import NOW, REP_TZ

NEW_YORK = ZoneInfo(REP_TZ)


def test_their_zone_only_when_it_is_one_other_clock() -> None:
    assert their_zone("+14155550101", NOW, NEW_YORK) == ZoneInfo("America/Los_Angeles")
    assert their_zone("+12125550123", NOW, NEW_YORK) is None  # New York: the rep's own clock
    assert their_zone("+442071234567", NOW, NEW_YORK) == ZoneInfo("Europe/London")
    assert their_zone("+18005550100", NOW, NEW_YORK) is None  # toll-free: many clocks
    assert their_zone(None, NOW, NEW_YORK) is None
    assert their_zone("not a phone", NOW, NEW_YORK) is None


async def test_4_snoozes_until_9_on_the_leads_clock(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await open_lead(pilot, "lead_ada")  # +1 415: Pacific; the rep is in New York
        screen.leads.focus()
        await pilot.press("z")
        await until(pilot, lambda: isinstance(app.screen, SnoozeDialog))
        options = app.screen.query_one("#snooze-choices", OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        # 11:30 in California on Tue 10 Mar: tomorrow 9:00 there is 12:00 in New York.
        assert labels[3] == "4  Tomorrow 9:00 their time — Wed 11 Mar 12:00"
        assert labels[4].startswith("5  Monday 9:00 their time — Mon 16 Mar 12:00")
        await pilot.press("4")
        await settle(pilot)
        await until(pilot, lambda: screen.leads.total == 5)
        row = app.store.lead_row("lead_ada")
        assert row is not None and row.snoozed_until == datetime(2026, 3, 11, 16, 0, tzinfo=UTC)


async def test_no_their_time_presets_when_the_clock_is_the_reps(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_lead(pilot, "lead_ada")
        app.push_screen(SnoozeDialog(now=app.now, rep_zone=NEW_YORK, lead_phone="+12125550123"))
        await until(pilot, lambda: isinstance(app.screen, SnoozeDialog))
        await settle(pilot)
        assert app.screen.query_one("#snooze-choices", OptionList).option_count == 3
        await pilot.press("4")  # nothing to pick: the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, SnoozeDialog)
