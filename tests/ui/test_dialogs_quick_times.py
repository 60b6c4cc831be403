"""The wall-clock arithmetic behind the schedule and snooze dialogs (pure, no app)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sms_tui.ui.screens.quick_times import (
    WhenError,
    in_one_hour,
    local_to_utc,
    next_monday_morning,
    parse_local,
    tomorrow_morning,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def test_tomorrow_morning_is_nine_on_the_reps_wall_clock_across_a_dst_change() -> None:
    # Saturday 7 March 2026, 12:00 UTC; the US springs forward on Sunday 8 March.
    now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert tomorrow_morning(now, NEW_YORK) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)  # 09:00 EDT
    assert tomorrow_morning(now, LONDON) == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)


def test_tomorrow_is_the_reps_tomorrow_not_utcs() -> None:
    # 03:00 UTC on the 24th is still the evening of the 23rd in New York.
    now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert tomorrow_morning(now, NEW_YORK) == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("today", "monday"),
    [(23, 30), (24, 30), (28, 30), (29, 30)],  # Mon 23 … Sun 29 Nov 2026 → Mon 30 Nov
)
def test_next_monday_is_strictly_after_today(today: int, monday: int) -> None:
    now = datetime(2026, 11, today, 17, 0, tzinfo=UTC)
    assert next_monday_morning(now, NEW_YORK) == datetime(2026, 11, monday, 14, 0, tzinfo=UTC)


def test_in_one_hour_drops_seconds() -> None:
    now = datetime(2026, 11, 23, 16, 0, 42, 5, tzinfo=UTC)
    assert in_one_hour(now) == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_a_time_skipped_by_dst_is_refused() -> None:
    with pytest.raises(WhenError, match="does not exist"):
        local_to_utc(datetime(2026, 3, 8, 2, 30), NEW_YORK)


def test_a_repeated_time_takes_the_first_occurrence() -> None:
    # 1 Nov 2026 01:30 happens twice in New York; the first is EDT (UTC-4).
    assert local_to_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_parse_local_forms_and_errors() -> None:
    today = date(2026, 11, 23)
    assert parse_local("2026-11-24 07:05", today) == datetime(2026, 11, 24, 7, 5)
    assert parse_local(" 9:30 ", today) == datetime(2026, 11, 23, 9, 30)
    with pytest.raises(WhenError, match="YYYY-MM-DD HH:MM"):
        parse_local("next tuesday", today)
    with pytest.raises(WhenError, match="not a real date"):
        parse_local("2026-02-30 10:00", today)
    with pytest.raises(WhenError, match="not a real date"):
        parse_local("2026-02-03 25:00", today)
