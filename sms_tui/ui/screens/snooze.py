"""Snooze dialog: hide a lead until later — 1 h, tomorrow 9:00, next week (Monday 9:00), or a
typed time ("tomorrow 3pm", "in 2h", "mon 9:30"; resolved time shown before Enter). When the
lead's phone has one clock that is not the rep's, `4` and `5` are the same mornings on the lead's
clock ("Tomorrow 9:00 their time"), shown in the rep's time too.

One key per choice (1/2/3) because snoozing is triage: it should cost one keystroke after
the one that opened the dialog. Returns an aware UTC datetime, or None on Escape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from sms_tui.core import phones
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.screens.quick_times import (
    PHRASE_EXAMPLES,
    WhenError,
    format_local,
    in_one_hour,
    next_monday_morning,
    parse_when,
    tomorrow_morning,
)
from sms_tui.ui.text import Safe, safe_content


def their_zone(phone: str | None, now: datetime, rep_zone: tzinfo) -> tzinfo | None:
    """The lead's clock from its phone, when the number has one clock (all its zones agree now)
    and it is not the rep's; else None (no "their time" presets to offer)."""
    if not phone:
        return None
    try:
        names = phones.parse_phone(phone).time_zones
    except phones.PhoneError:
        return None
    zones: list[tzinfo] = []
    for name in names:
        try:
            zones.append(ZoneInfo(name))
        except (KeyError, ValueError):
            continue
    if not zones:
        return None
    offsets = {z.utcoffset(now.astimezone(z).replace(tzinfo=None)) for z in zones}
    mine = rep_zone.utcoffset(now.astimezone(rep_zone).replace(tzinfo=None))
    if len(offsets) != 1 or mine in offsets:
        return None
    return zones[0]


class SnoozeDialog(BaseDialog[datetime]):
    """Pick when the lead comes back to the inbox."""

    DEFAULT_CSS = """
    SnoozeDialog #snooze-choices {
        height: auto;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="snooze.cancel", tooltip="Close without snoozing."),
        Binding("1", "choose(0)", "1 hour", id="snooze.1h", tooltip="Snooze for one hour."),
        Binding("2", "choose(1)", "Tomorrow 9:00", id="snooze.tomorrow", tooltip="Until 9:00 tomorrow."),
        Binding("3", "choose(2)", "Next week", id="snooze.next_week", tooltip="Until Monday 9:00."),
        Binding(
            "4", "choose(3)", "Tomorrow 9:00 their time", id="snooze.their_tomorrow", tooltip="Their morning."
        ),
        Binding(
            "5", "choose(4)", "Monday 9:00 their time", id="snooze.their_next_week", tooltip="Their Monday."
        ),
    ]

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        rep_zone: tzinfo,
        lead_name: Safe | None = None,
        lead_phone: str | None = None,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own keyword
    ) -> None:
        super().__init__(name=name, id=id)
        self._now = now
        self._zone = rep_zone
        self._lead_name = lead_name or Safe("")
        self._lead_phone = lead_phone

    def choices(self) -> list[tuple[str, datetime]]:
        """The choices, computed from the injected clock when asked (not when built)."""
        now = self._now()
        picks = [
            ("1 hour", in_one_hour(now)),
            ("Tomorrow 9:00", tomorrow_morning(now, self._zone)),
            ("Next week (Monday 9:00)", next_monday_morning(now, self._zone)),
        ]
        theirs = their_zone(self._lead_phone, now, self._zone)
        if theirs is not None:
            picks += [
                ("Tomorrow 9:00 their time", tomorrow_morning(now, theirs)),
                ("Monday 9:00 their time", next_monday_morning(now, theirs)),
            ]
        return picks

    def compose(self) -> ComposeResult:
        title = f"Snooze {self._lead_name}" if self._lead_name else "Snooze"
        with Vertical():
            yield Static(safe_content(Safe(title), "bold"), id="snooze-title")  # name is Safe
            yield OptionList(
                *[
                    Option(Content(f"{n}  {label} — {format_local(when, self._zone)}"))
                    for n, (label, when) in enumerate(self.choices(), start=1)
                ],
                id="snooze-choices",
            )
            yield Input(placeholder=f"or type a time: {PHRASE_EXAMPLES}", id="snooze-when")
            yield Static(id="snooze-preview", markup=False)
            yield Static(
                Content("1-5 or Enter choose · Tab type a time · Esc cancel"),
                id="snooze-hint",
                classes="dialog--hint",
            )

    def _typed(self) -> datetime | str:
        """The typed time (aware UTC), or why it cannot be used."""
        now = self._now()
        try:
            moment = parse_when(self.query_one("#snooze-when", Input).value, now, self._zone)
        except WhenError as exc:
            return str(exc)
        if moment <= now:
            return f"That time has passed (it is {format_local(now, self._zone)} now)."
        return moment

    @on(Input.Changed, "#snooze-when")
    def _on_typed(self, event: Input.Changed) -> None:
        preview = self.query_one("#snooze-preview", Static)
        if not event.value.strip():
            preview.update("")
            return
        typed = self._typed()
        preview.update(
            f"Back {format_local(typed, self._zone)}" if isinstance(typed, datetime) else f"⛔ {typed}"
        )

    @on(Input.Submitted, "#snooze-when")
    def _on_submitted(self) -> None:
        typed = self._typed()
        if isinstance(typed, datetime):
            self.dismiss(typed)
        else:
            self.query_one("#snooze-preview", Static).update(f"⛔ {typed}")

    def action_choose(self, index: int) -> None:
        choices = self.choices()
        if index < len(choices):  # 4 and 5 only when the lead's clock differs
            self.dismiss(choices[index][1])

    @on(OptionList.OptionSelected, "#snooze-choices")
    def _on_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option_index)
