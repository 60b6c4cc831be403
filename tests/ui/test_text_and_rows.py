"""Pure helpers of the UI: visible control characters, ages, countdowns, lead rows, sender numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.style import Style

from sms_tui.core.models import LeadRow, OurNumber
from sms_tui.ui.loaders import pick_from_number
from sms_tui.ui.text import one_line, relative_time, seconds_left, visible
from sms_tui.ui.widgets.lead_row import markers, name_line, preview_line

NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)


def plain_style(_: str) -> Style:
    return Style()


def test_escape_sequences_become_visible_and_nothing_is_dropped() -> None:
    raw = "a\x1b[31mred\x1b[0m\x07\x7f\x9bz"
    shown = visible(raw)
    assert shown == "a␛[31mred␛[0m␇␡\\x9bz"
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
    assert one_line("two\nlines\r\n\tand tab") == "two lines and tab"


def test_relative_time_steps() -> None:
    assert relative_time(NOW - timedelta(seconds=30), NOW) == "now"
    assert relative_time(NOW - timedelta(minutes=5), NOW) == "5m"
    assert relative_time(NOW - timedelta(hours=3), NOW) == "3h"
    assert relative_time(NOW - timedelta(days=2), NOW) == "Sun"
    assert relative_time(NOW - timedelta(days=40), NOW) == "Jan 29"
    assert relative_time(datetime(2024, 5, 1, tzinfo=UTC), NOW) == "2024"
    assert relative_time(None, NOW) == ""


def test_countdown_rounds_up_and_stops_at_zero() -> None:
    assert seconds_left(NOW + timedelta(seconds=4.2), NOW) == 5
    assert seconds_left(NOW + timedelta(seconds=4), NOW) == 4
    assert seconds_left(NOW - timedelta(seconds=1), NOW) == 0


def test_rows_keep_their_width_with_wide_characters_and_markup() -> None:
    row = LeadRow(
        lead_id="l1",
        display_name="[b]Zoë 😀 Ltd[/b] with a very long name that will not fit",
        preview="🙏🙏 [red]x[/red] \x1b[1m",
        unread=3,
        failed_count=1,
        opted_out=True,
        has_draft=True,
        has_scheduled=True,
    )
    for width in (20, 26, 40):
        top = name_line(row, width, plain_style, compact=False, when="5m")
        bottom = preview_line(row, width, plain_style)
        assert top.cell_len <= width and bottom.cell_len <= width
        assert top.plain.startswith("● [b]Zo")
        assert top.plain.rstrip().endswith("!⊘✎◷ 5m")
        assert "…" in top.plain
        assert bottom.plain.rstrip().endswith(" 3")
    assert preview_line(row, 40, plain_style).plain.startswith("  🙏🙏 [red]x[/red] ␛[1m")
    assert markers(LeadRow(lead_id="l2", display_name="x"), plain_style).plain == ""
    compact = name_line(row, 26, plain_style, compact=True)
    assert compact.plain.rstrip().endswith("!⊘✎◷ 3")


def test_sender_number_follows_the_recipients_country() -> None:
    numbers = [
        OurNumber(id="1", number="+14155550000", country="US"),
        OurNumber(id="2", number="+442071838750", country="GB"),
        OurNumber(id="3", number="+61299999999", country="AU", sms_enabled=False),
    ]
    assert pick_from_number(numbers, "+447400123456") == "+442071838750"
    assert pick_from_number(numbers, "+16135550123") == "+14155550000"  # Canada: same plan as the US
    assert pick_from_number(numbers, "+61480976855") is None  # our AU number cannot text
    assert pick_from_number(numbers, "not a number") is None
