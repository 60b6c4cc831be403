"""Pilot tests of the modal dialogs: template picker, schedule, snooze (each in a tiny host app)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from sms_tui.core.models import Template
from sms_tui.core.templates import template_context
from sms_tui.ui.screens.schedule import ScheduleDialog
from sms_tui.ui.screens.snooze import SnoozeDialog
from sms_tui.ui.screens.template_picker import TemplatePicker
from sms_tui.ui.text import safe
from tests.ui._composer_host import DAYTIME, context, screen_text

NEW_YORK = ZoneInfo("America/New_York")
_UNSET = object()

TEMPLATES = [
    Template(
        "tmpl_1",
        "Intro [Offer] [/]",
        "Hi {{ contact.first_name }}, this is {{ user.first_name }} from {{ organization.name }}. "
        "Reply STOP to opt out.",
    ),
    Template("tmpl_2", "Follow up", "Just checking in, {{ contact.first_name }}!"),
    Template("tmpl_3", "Shoes", "Which size, {{ contact.shoe_size }}?"),
    Template("tmpl_4", "Retired", "old text", is_active=False),
]
BOB = template_context(contact_first_name="Bob", user_first_name="Dana", organization_name="Acme")


class DialogHost(App[None]):
    """Pushes one dialog at start and keeps what it was dismissed with."""

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.result: object = _UNSET

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._done)

    def _done(self, result: object) -> None:
        self.result = result

    def text(self, selector: str) -> str:
        return str(self.screen.query_one(selector, Static).render())


# -- template picker ---------------------------------------------------------------------------


async def test_template_filter_and_enter_returns_the_rendered_text() -> None:
    app = DialogHost(TemplatePicker(TEMPLATES, BOB))
    async with app.run_test() as pilot:
        await pilot.pause()
        options = app.screen.query_one("#template-list", OptionList)
        assert options.option_count == 3  # the inactive one is not offered
        await pilot.press(*"follow")
        assert options.option_count == 1
        assert "2 segment" not in app.text("#template-info")
        assert app.text("#template-info").startswith("Rendered for this lead: 1 segment · GSM-7")
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "Just checking in, Bob!"


async def test_template_merge_fields_and_arrow_keys_while_typing() -> None:
    app = DialogHost(TemplatePicker(TEMPLATES, BOB))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.text("#template-preview") == ("Hi Bob, this is Dana from Acme. Reply STOP to opt out.")
        await pilot.press("down", "up", "down")  # focus stays in the filter
        assert isinstance(app.focused, Input)
        assert app.text("#template-preview") == "Just checking in, Bob!"
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "Just checking in, Bob!"


async def test_template_missing_value_is_flagged_in_preview_and_flags() -> None:
    no_name = template_context(user_first_name="Dana", organization_name="Acme")
    app = DialogHost(TemplatePicker(TEMPLATES, no_name))
    async with app.run_test() as pilot:
        await pilot.press(*"follow")
        assert app.text("#template-preview") == "Just checking in, ⟨contact.first_name⟩!"
        assert "No value for contact.first_name" in app.text("#template-flags")
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == "Just checking in, !"  # render leaves the gap; the rep saw the flag


async def test_template_unknown_variable_is_flagged() -> None:
    app = DialogHost(TemplatePicker(TEMPLATES, BOB))
    async with app.run_test() as pilot:
        await pilot.press(*"shoes")
        assert app.text("#template-preview") == "Which size, ⟨contact.shoe_size⟩?"
        assert "Unknown variable contact.shoe_size" in app.text("#template-flags")


async def test_template_names_and_text_are_data_not_markup() -> None:
    app = DialogHost(TemplatePicker(TEMPLATES, BOB))
    async with app.run_test() as pilot:
        await pilot.pause()
        options = app.screen.query_one("#template-list", OptionList)
        prompt = options.get_option_at_index(0).prompt
        assert str(prompt).startswith("Intro [Offer] [/]")
        shown = screen_text(app)
        assert "─ Intro [Offer] [/] ─" in shown  # the preview's border title
        assert "Intro [Offer] [/]  Hi {{ contact.first_name }}" in shown  # the option


async def test_template_escape_cancels() -> None:
    app = DialogHost(TemplatePicker(TEMPLATES, BOB))
    async with app.run_test() as pilot:
        await pilot.press("f", "escape")
        await pilot.pause()
        assert app.result is None


async def test_template_filter_without_match_says_so_and_enter_does_nothing() -> None:
    app = DialogHost(TemplatePicker(TEMPLATES, BOB))
    async with app.run_test() as pilot:
        await pilot.press(*"zzz", "enter")
        await pilot.pause()
        assert app.text("#template-preview") == "No template matches the filter."
        assert app.result is _UNSET


# -- schedule ------------------------------------------------------------------------------------


def schedule_dialog(text: str = "Hi Bob") -> ScheduleDialog:
    # Rep in New York, lead in Chicago; now is Monday 23 Nov 2026 11:00 in New York.
    return ScheduleDialog(context(now=DAYTIME), rep_zone=NEW_YORK, text=text)


async def test_schedule_typed_local_time_returns_utc_and_shows_recipient_time() -> None:
    app = DialogHost(schedule_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#schedule-when", Input).focus()
        app.screen.query_one("#schedule-when", Input).value = ""
        await pilot.press(*"2026-11-24 10:30")
        preview = app.text("#schedule-preview")
        assert "Tue 24 Nov 10:30 your time (America/New_York)" in preview
        assert "For the recipient: Tue 24 Nov 09:30 (America/Chicago)" in preview
        assert app.text("#schedule-warning") == ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.result == datetime(2026, 11, 24, 15, 30, tzinfo=UTC)


async def test_schedule_warns_in_quiet_hours_and_needs_the_override_key() -> None:
    app = DialogHost(schedule_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#schedule-when", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"2026-11-24 07:30")  # 06:30 in Chicago
        assert app.text("#schedule-warning").startswith("⚠ Quiet hours: it is 06:30 on Tuesday")
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is _UNSET
        assert "Press ctrl+o to schedule anyway" in app.text("#schedule-warning")
        await pilot.press("enter")  # Enter again is not the override
        await pilot.pause()
        assert app.result is _UNSET
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.result == datetime(2026, 11, 24, 12, 30, tzinfo=UTC)


async def test_schedule_refuses_a_past_time() -> None:
    app = DialogHost(schedule_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#schedule-when", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"2026-11-23 10:59", "enter")
        await pilot.pause()
        assert app.text("#schedule-warning").startswith("⛔ That time has passed")
        assert app.result is _UNSET


async def test_schedule_refuses_nonsense() -> None:
    app = DialogHost(schedule_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#schedule-when", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"tomorrow-ish", "enter")
        await pilot.pause()
        assert "YYYY-MM-DD HH:MM" in app.text("#schedule-warning")
        assert app.result is _UNSET


async def test_schedule_quick_picks_by_key() -> None:
    expected = {
        "1": datetime(2026, 11, 23, 17, 0, tzinfo=UTC),  # in 1 h
        "2": datetime(2026, 11, 24, 14, 0, tzinfo=UTC),  # tomorrow 9:00 New York
        "3": datetime(2026, 11, 30, 14, 0, tzinfo=UTC),  # next Monday 9:00 (today is a Monday)
    }
    for key, when in expected.items():
        app = DialogHost(schedule_dialog())
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press(key)
            local = when.astimezone(NEW_YORK)
            assert app.screen.query_one("#schedule-when", Input).value == f"{local:%Y-%m-%d %H:%M}"
            await pilot.press("enter")
            await pilot.pause()
            assert app.result == when, key


async def test_schedule_escape_cancels() -> None:
    app = DialogHost(schedule_dialog())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None


# -- snooze --------------------------------------------------------------------------------------


async def test_snooze_choices_by_key() -> None:
    expected = {
        "1": datetime(2026, 11, 23, 17, 0, tzinfo=UTC),
        "2": datetime(2026, 11, 24, 14, 0, tzinfo=UTC),
        "3": datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
    }
    for key, when in expected.items():
        app = DialogHost(SnoozeDialog(now=lambda: DAYTIME, rep_zone=NEW_YORK, lead_name=safe("Bob [VIP]")))
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.text("#snooze-title") == "Snooze Bob [VIP]"
            await pilot.press(key)
            await pilot.pause()
            assert app.result == when, key


async def test_snooze_enter_on_highlighted_and_escape() -> None:
    app = DialogHost(SnoozeDialog(now=lambda: DAYTIME, rep_zone=NEW_YORK))
    async with app.run_test() as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.result == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)

    app = DialogHost(SnoozeDialog(now=lambda: DAYTIME, rep_zone=NEW_YORK))
    async with app.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None
