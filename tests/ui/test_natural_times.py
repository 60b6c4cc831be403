"""Times the rep means (issue 13, item 5): phrases, the lead's own morning, the resolved time shown."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input, OptionList

from sms_tui.ui.screens.quick_times import WhenError, parse_when
from sms_tui.ui.screens.schedule import ScheduleDialog
from sms_tui.ui.screens.snooze import SnoozeDialog
from tests.ui._composer_host import context
from tests.ui.test_dialogs import _UNSET, DialogHost

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
#: Tuesday 10 March 2026, 14:30 in New York (18:30 UTC).
NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def ny(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tomorrow 3pm", ny(2026, 3, 11, 15, 0)),
        ("in 2h", ny(2026, 3, 10, 16, 30)),
        ("in 2 hours", ny(2026, 3, 10, 16, 30)),
        ("mon 9:30", ny(2026, 3, 16, 9, 30)),
        ("fri 10am", ny(2026, 3, 13, 10, 0)),
        ("next week", ny(2026, 3, 16, 9, 0)),  # Monday 9:00, like the preset
        ("9am", ny(2026, 3, 11, 9, 0)),  # 9:00 has passed today: tomorrow's
        ("2026-03-12 09:00", ny(2026, 3, 12, 9, 0)),
        ("16:45", ny(2026, 3, 10, 16, 45)),
    ],
)
def test_phrases_resolve_in_the_reps_zone(typed: str, expected: datetime) -> None:
    assert parse_when(typed, NOW, NEW_YORK) == expected


def test_unreadable_and_impossible_times_say_why() -> None:
    with pytest.raises(WhenError, match="Could not read that time. Try tomorrow 3pm"):
        parse_when("when pigs fly", NOW, NEW_YORK)
    with pytest.raises(WhenError, match="not a real date"):
        parse_when("2026-02-30 10:00", NOW, NEW_YORK)


def _london_lead_dialog(rep_zone: ZoneInfo = NEW_YORK) -> ScheduleDialog:
    # A UK mobile: the lead lives on London's clock, the rep on New York's.
    return ScheduleDialog(context(now=NOW, to_number="+447400123456"), rep_zone=rep_zone, text="Hi")


async def test_their_morning_is_a_preset_and_typed_phrases_show_the_resolved_time() -> None:
    app = DialogHost(_london_lead_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        picks = app.screen.query_one("#schedule-picks", OptionList)
        assert picks.option_count == 4
        assert "Tomorrow 9:00 their time — Wed 11 Mar 05:00" in str(picks.get_option_at_index(3).prompt)
        field = app.screen.query_one("#schedule-when", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"tomorrow 3pm")
        preview = app.text("#schedule-preview")
        assert "Wed 11 Mar 15:00 your time (America/New_York)" in preview
        assert "For the recipient: Wed 11 Mar 19:00 (Europe/" in preview
        assert app.result is _UNSET  # shown, not yet confirmed
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == ny(2026, 3, 11, 15, 0)


async def test_pick_4_is_9am_on_the_leads_clock() -> None:
    app = DialogHost(_london_lead_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("4")
        assert "For the recipient: Wed 11 Mar 09:00 (Europe/" in app.text("#schedule-preview")
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)


async def test_no_their_time_preset_when_the_clocks_agree() -> None:
    app = DialogHost(_london_lead_dialog(rep_zone=LONDON))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#schedule-picks", OptionList).option_count == 3


async def test_snooze_takes_a_typed_time_and_shows_it_first() -> None:
    app = DialogHost(SnoozeDialog(now=lambda: NOW, rep_zone=NEW_YORK))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("tab", *"yesterday")
        assert app.text("#snooze-preview").startswith("⛔ That time has passed")
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is _UNSET
        field = app.screen.query_one("#snooze-when", Input)
        field.value = ""
        await pilot.press(*"thu 8am")
        assert app.text("#snooze-preview") == "Back Thu 12 Mar 08:00"
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == ny(2026, 3, 12, 8, 0)
