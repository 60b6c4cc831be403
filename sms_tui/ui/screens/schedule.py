"""Schedule dialog: pick when a message goes out, in the rep's zone, seeing the lead's clock.

Returns an aware UTC datetime (or None on Escape). Quiet hours are judged by the one send
guard (`core.compliance.check_send` at the chosen moment), never re-implemented here; a
quiet-hours time needs a second Enter, a past time is refused.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from sms_tui.core.phones import PhoneError, parse_phone
from sms_tui.core.quiet_hours import zone
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.screens.quick_times import (
    PHRASE_EXAMPLES,
    WhenError,
    format_local,
    in_one_hour,
    next_monday_morning,
    parse_when,
    tomorrow_morning,
    zone_label,
)
from sms_tui.ui.text import safe
from sms_tui.ui.widgets.composer_context import QUIET_HOURS_CODE, ComposerContext, run_check

#: Most recipient zones listed (a +1 number without area detail can have many).
MAX_ZONES = 3


class ScheduleDialog(BaseDialog[datetime]):
    """Choose a send time: quick picks (1/2/3) or a typed `YYYY-MM-DD HH:MM`."""

    DEFAULT_CSS = """
    ScheduleDialog > Vertical {
        width: 72;
    }
    ScheduleDialog #schedule-picks {
        height: auto;
        max-height: 5;
    }
    ScheduleDialog .schedule--line {
        height: auto;
    }
    ScheduleDialog #schedule-warning {
        color: $text-warning;
    }
    ScheduleDialog #schedule-warning.-error {
        color: $text-error;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="schedule.cancel", tooltip="Close without scheduling."),
        Binding(
            "ctrl+o",
            "override",
            "Schedule anyway",
            show=False,
            id="schedule.override",
            tooltip="Schedule despite the quiet-hours warning (the same override key as the composer's).",
        ),
        Binding("1", "pick(0)", "In 1 h", show=False, id="schedule.pick_1h"),
        Binding("2", "pick(1)", "Tomorrow 9:00", show=False, id="schedule.pick_tomorrow"),
        Binding("3", "pick(2)", "Monday 9:00", show=False, id="schedule.pick_monday"),
        Binding("4", "pick(3)", "Tomorrow 9:00 their time", show=False, id="schedule.pick_their_morning"),
    ]

    def __init__(
        self,
        context: ComposerContext,
        *,
        rep_zone: tzinfo,
        text: str = "",
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own keyword
    ) -> None:
        super().__init__(name=name, id=id)
        self._ctx = context
        self._zone = rep_zone
        self._text = text
        self._chosen: datetime | None = None
        self._error: str | None = None
        self._quiet: str | None = None
        #: The moment a quiet-hours warning was shown for (ctrl+o then confirms it).
        self._armed: datetime | None = None
        self._recipient_zones = _recipient_zones(context)

    def compose(self) -> ComposeResult:
        now = self._ctx.now()
        picks = self._quick_picks(now)
        with Vertical():
            yield Static(self._title(), classes="schedule--line", id="schedule-title")
            yield OptionList(
                *[
                    Option(Content(f"{n}  {label} — {format_local(when, self._zone)}"), id=f"pick-{n}")
                    for n, (label, when) in enumerate(picks, start=1)
                ],
                id="schedule-picks",
            )
            yield Input(
                placeholder=f"or type a time: {PHRASE_EXAMPLES} (your time)",
                id="schedule-when",
            )
            yield Static(classes="schedule--line", id="schedule-preview")
            yield Static(classes="schedule--line", id="schedule-warning")
            yield Static(
                Content("1-4 pick · Enter schedule · Tab type a time · ctrl+o in quiet hours · Esc cancel"),
                classes="schedule--line dialog--hint",
                id="schedule-hint",
            )

    def on_mount(self) -> None:
        self._choose(self._quick_picks(self._ctx.now())[0][1])

    # -- choosing ---------------------------------------------------------------------

    def _quick_picks(self, now: datetime) -> list[tuple[str, datetime]]:
        picks = [
            ("In 1 hour", in_one_hour(now)),
            ("Tomorrow 9:00", tomorrow_morning(now, self._zone)),
            ("Monday 9:00", next_monday_morning(now, self._zone)),
        ]
        theirs = self._their_zone(now)
        if theirs is not None:  # the lead's morning, not the rep's (4:00 in New York is no time to text)
            picks.append(("Tomorrow 9:00 their time", tomorrow_morning(now, theirs)))
        return picks

    def _their_zone(self, now: datetime) -> tzinfo | None:
        """The recipient's clock when it is one clock (all its zones agree now) and not the rep's."""
        zones = self._recipient_zones
        offsets = {zone.utcoffset(now.astimezone(zone).replace(tzinfo=None)) for zone in zones}
        mine = self._zone.utcoffset(now.astimezone(self._zone).replace(tzinfo=None))
        if len(offsets) != 1 or mine in offsets:
            return None
        return zones[0]

    def action_pick(self, index: int) -> None:
        picks = self.query_one("#schedule-picks", OptionList)
        if index < picks.option_count:
            picks.highlighted = index

    @on(OptionList.OptionHighlighted, "#schedule-picks")
    def _on_pick_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._choose(self._quick_picks(self._ctx.now())[event.option_index][1])

    @on(OptionList.OptionSelected, "#schedule-picks")
    def _on_pick_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(self._quick_picks(self._ctx.now())[event.option_index][1])
        self._confirm()

    @on(Input.Changed, "#schedule-when")
    def _on_typed(self, event: Input.Changed) -> None:
        if not event.value.strip():
            return
        try:
            moment = parse_when(event.value, self._ctx.now(), self._zone)
        except WhenError as exc:
            self._chosen = None
            self._show(error=str(exc))
            return
        self._choose(moment, from_input=True)

    @on(Input.Submitted, "#schedule-when")
    def _on_submitted(self) -> None:
        self._confirm()

    def _choose(self, moment: datetime, *, from_input: bool = False) -> None:
        self._chosen = moment
        if not from_input:
            local = moment.astimezone(self._zone)
            with self.prevent(Input.Changed):
                self.query_one("#schedule-when", Input).value = f"{local:%Y-%m-%d %H:%M}"
        now = self._ctx.now()
        if moment <= now:
            self._show(
                error=f"That time has passed (it is {format_local(now, self._zone)} now). Pick a later time."
            )
            return
        check = run_check(self._text or ".", self._ctx, at=moment)
        quiet = [issue.message for issue in check.warnings if issue.code == QUIET_HOURS_CODE]
        self._show(quiet=quiet[0] if quiet else None)

    def _show(self, *, error: str | None = None, quiet: str | None = None) -> None:
        self._error, self._quiet = error, quiet
        if self._armed is not None and self._armed != self._chosen:
            self._armed = None
        self.query_one("#schedule-preview", Static).update(self._preview())
        warning = self.query_one("#schedule-warning", Static)
        warning.set_class(error is not None, "-error")
        if error:
            warning.update(Content("⛔ " + error))
        elif quiet:
            warning.update(Content("⚠ " + quiet))
        else:
            warning.update(Content(""))

    def _preview(self) -> Content:
        moment = self._chosen
        if moment is None:
            return Content("")
        mine = f"Sends {format_local(moment, self._zone)} your time ({zone_label(self._zone, moment)})"
        if not self._recipient_zones:
            return Content(mine + " · recipient's time zone unknown")
        theirs = ", ".join(
            f"{format_local(moment, zone)} ({zone_label(zone, moment)})" for zone in self._recipient_zones
        )
        return Content(f"{mine}\nFor the recipient: {theirs}")

    # -- finishing ----------------------------------------------------------------------

    def _confirm(self) -> None:
        moment = self._chosen
        if moment is None or self._error:
            self.notify(self._error or "Pick a time first.", severity="error", markup=False)
            return
        if moment <= self._ctx.now():  # the clock moved while the dialog was open
            self._choose(moment)
            return
        if self._quiet and self._armed != moment:
            self._armed = moment
            self.query_one("#schedule-warning", Static).update(
                Content(f"⚠ {self._quiet} Press ctrl+o to schedule anyway.")
            )
            return
        if self._quiet:
            return  # one override key everywhere: ctrl+o, not Enter again
        self.dismiss(moment)

    def action_override(self) -> None:
        """Schedule at the chosen time despite the quiet-hours warning (never past an error)."""
        moment = self._chosen
        if moment is None or self._error or moment <= self._ctx.now():
            self._confirm()
            return
        self.dismiss(moment)

    def _title(self) -> Content:
        who = self._ctx.contact_name or safe(self._ctx.to_number or "this lead", one_line=True)
        return Content.assemble(("Schedule a text to ", "bold"), (who, "bold"))


def _recipient_zones(context: ComposerContext) -> list[tzinfo]:
    if not context.to_number:
        return []
    try:
        info = parse_phone(context.to_number)
    except PhoneError:
        return []
    zones = [zone(name) for name in info.time_zones[:MAX_ZONES]]
    return [z for z in zones if z is not None]
