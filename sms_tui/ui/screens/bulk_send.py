"""The two small dialogs of the bulk preview: how the campaign sends, and one lead's own text.

`SendModeDialog` dismisses with a checked `CampaignSpec` (now / at a moment / at a time in each
lead's zone / drip N every M, and an optional daily cap per sending number), or None. Bad fields
get a sentence under the form and keep what was typed. `EditTextDialog` dismisses with the new
text, "" to go back to the campaign's text, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, tzinfo
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, RadioButton, RadioSet, Static, TextArea

from sms_tui.core.bulk_spec import CampaignSpec, SendMode, SpecError
from sms_tui.core.campaign import MAX_TEXT_CHARS, BulkMessage
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.screens.quick_times import WhenError, parse_when
from sms_tui.ui.text import Safe, safe
from sms_tui.ui.widgets.composer_input import ComposerInput

# --- the send mode --------------------------------------------------------------------------------

SendChoice = Literal["now", "at", "local", "drip"]
SEND_CHOICES: tuple[tuple[SendChoice, str], ...] = (
    ("now", "Now (throttled per sending number)"),
    ("at", "At one moment (your time)"),
    ("local", "At a time in each lead's own zone"),
    ("drip", "Drip: N messages every M minutes"),
)
_CLOCK = re.compile(r"^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_clock(text: str) -> time:
    """ "9:30", "9.30", "17:00", "9am", "9:30 pm" -> a wall-clock time; SpecError with a sentence."""
    m = _CLOCK.match(text)
    if m is None:
        raise SpecError(f"Could not read {text.strip()!r} as a time of day: write 9:30, 17:00 or 9am.")
    hour, minute, half = int(m[1]), int(m[2] or 0), (m[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise SpecError(f"{hour}{half} is not a time: with am/pm the hour is 1 to 12.")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SpecError(f"{text.strip()!r} is not a time of day (00:00 to 23:59).")
    return time(hour, minute)


def _count(text: str, what: str, *, optional: bool = False) -> int | None:
    text = text.strip()
    if not text and optional:
        return None
    if not text.isdigit() or int(text) < 1:
        raise SpecError(f"{what} must be a whole number of 1 or more (got {text or 'nothing'}).")
    return int(text)


def build_spec(
    *,
    name: str,
    message: BulkMessage,
    choice: SendChoice,
    when: str,
    drip_n: str,
    drip_m: str,
    daily_cap: str,
    now: datetime,
    rep_tz: tzinfo,
) -> CampaignSpec:
    """The campaign spec of the send-mode dialog's fields; SpecError (a sentence) when they cannot run."""
    cap = _count(daily_cap, "The daily cap", optional=True)
    at: datetime | None = None
    local: time | None = None
    n = m = 0
    mode: SendMode = "now"
    if choice == "at":
        mode = "schedule"
        if not when.strip():
            raise SpecError("Say when: 2026-05-04 09:30, tomorrow 9am, in 2h…")
        try:
            at = parse_when(when, now, rep_tz)
        except WhenError as error:
            raise SpecError(str(error)) from error
        if at <= now:
            raise SpecError("That moment has passed: pick a later one.")
    elif choice == "local":
        mode = "schedule"
        local = parse_clock(when or "")
    elif choice == "drip":
        mode = "drip"
        n = _count(drip_n, "N (messages per step)") or 0
        m = _count(drip_m, "M (minutes between steps)") or 0
    spec = CampaignSpec(
        name=name.strip() or f"Bulk text {now.astimezone(rep_tz):%Y-%m-%d %H:%M}",
        text=message.text,
        template_id=message.template_id,
        mode=mode,
        at=at,
        local_time=local,
        drip_count=n,
        drip_minutes=m,
        daily_cap=cap,
    )
    spec.check()
    return spec


class SendModeDialog(BaseDialog[CampaignSpec]):
    """Name the campaign and choose when it sends."""

    DEFAULT_CSS = """
    SendModeDialog > Vertical { width: 72; }
    SendModeDialog Input { height: 1; border: none; padding: 0 1; background: $boost; margin-bottom: 1; }
    SendModeDialog Horizontal { height: auto; }
    SendModeDialog Horizontal > Input { width: 1fr; }
    SendModeDialog #send-error { color: $text-error; height: auto; }
    SendModeDialog RadioSet { width: 100%; margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="bulk_send.cancel"),
        Binding(
            "ctrl+j,alt+enter,ctrl+enter", "create", "Create campaign", priority=True, id="bulk_send.create"
        ),
    ]

    def __init__(
        self, summary: str, message: BulkMessage, now: Callable[[], datetime], rep_tz: tzinfo
    ) -> None:
        super().__init__()
        self._summary = summary
        self._message = message
        self._now = now
        self._tz = rep_tz

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self._summary), id="send-summary")
            yield Input(placeholder="Campaign name (optional)", id="send-name")
            with RadioSet(id="send-mode"):
                for i, (_, label) in enumerate(SEND_CHOICES):
                    yield RadioButton(label, value=i == 0)
            yield Input(
                placeholder="When: 2026-05-04 09:30, tomorrow 9am… or 9:30 (their time)", id="send-when"
            )
            with Horizontal():
                yield Input(placeholder="Drip N", id="send-drip-n")
                yield Input(placeholder="every M minutes", id="send-drip-m")
                yield Input(placeholder="Daily cap per number (optional)", id="send-cap")
            yield Static("", id="send-error")
            yield Static("ctrl+j creates the campaign · Escape goes back", classes="dialog--hint")

    def on_mount(self) -> None:
        self.query_one("#send-mode", RadioSet).focus()

    @property
    def choice(self) -> SendChoice:
        index = self.query_one("#send-mode", RadioSet).pressed_index
        return SEND_CHOICES[max(0, index)][0]

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_create()

    def action_create(self) -> None:
        try:
            spec = build_spec(
                name=self._value("#send-name"),
                message=self._message,
                choice=self.choice,
                when=self._value("#send-when"),
                drip_n=self._value("#send-drip-n"),
                drip_m=self._value("#send-drip-m"),
                daily_cap=self._value("#send-cap"),
                now=self._now(),
                rep_tz=self._tz,
            )
        except SpecError as error:
            self.query_one("#send-error", Static).update(Content(safe(str(error))))
            return
        self.dismiss(spec)


class EditTextDialog(BaseDialog[str]):
    """One lead's own text (it stops following the campaign's)."""

    DEFAULT_CSS = """
    EditTextDialog > Vertical { width: 80; }
    EditTextDialog TextArea { height: 8; }
    EditTextDialog #edit-error { color: $text-error; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="bulk_edit.cancel"),
        Binding("ctrl+j,alt+enter,ctrl+enter", "save", "Use this text", priority=True, id="bulk_edit.save"),
        Binding("ctrl+r", "reset", "Campaign's text", id="bulk_edit.reset"),
    ]

    def __init__(self, lead_name: Safe, text: str) -> None:
        super().__init__()
        self._lead = lead_name
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.assemble("Text for ", (self._lead, "bold")))
            yield ComposerInput(self._text, id="edit-text", soft_wrap=True)
            yield Static("", id="edit-error")
            yield Static(
                "ctrl+j uses it · ctrl+r back to the campaign's text · Escape", classes="dialog--hint"
            )

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        if not text.strip():
            self._error("The text is empty: write one, or ctrl+r for the campaign's text.")
            return
        if len(text) > MAX_TEXT_CHARS:
            self._error(f"The text is {len(text):,} characters; Close accepts at most {MAX_TEXT_CHARS:,}.")
            return
        self.dismiss(text)

    def action_reset(self) -> None:
        self.dismiss("")

    def _error(self, sentence: str) -> None:
        self.query_one("#edit-error", Static).update(Content(sentence))
