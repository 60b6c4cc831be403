"""The recipient picker: which contact and phone of the lead to text, and from which of our numbers.

The "To" list holds every phone of every contact on the lead with its line type, country and
whether it can be texted (and why not); the "From" list holds our SMS numbers in the highlighted
phone's country. Enter uses the highlighted pair; the screen remembers it for the lead.
Three keys pick another phone: open (ctrl+f), move (↓), Enter. Returns a `Route`, or None on Escape.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sms_tui.core import phones
from sms_tui.core.models import OurNumber
from sms_tui.ui.route import PhoneChoice, Route, senders_for, with_sender
from sms_tui.ui.text import Safe, safe, safe_content


def phone_label(choice: PhoneChoice) -> Content:
    """One row of the To list: who, which phone, what line, and whether we can text it."""
    name = safe(choice.contact_name or "(no name)", one_line=True)
    number = safe(phones.format_phone(choice.phone), one_line=True)
    what = ", ".join(p for p in (choice.label, choice.line_type, choice.country_name) if p)
    verdict = "✓ can text" if choice.textable else f"⛔ {choice.why_not}"
    return safe_content(
        Safe(f"{name} · {number} · {safe(what, one_line=True)}\n   {safe(verdict, one_line=True)}")
    )


def sender_label(number: OurNumber) -> Content:
    shown = safe(phones.format_phone(number.number), one_line=True)
    label = f" · {safe(number.label, one_line=True)}" if number.label else ""
    return safe_content(Safe(f"{shown}{label} ({safe(phones.country_name(number.country), one_line=True)})"))


class RoutePicker(ModalScreen[Route | None]):
    """Pick the recipient phone and our sending number for one lead."""

    DEFAULT_CSS = """
    RoutePicker {
        align: center middle;
    }
    RoutePicker > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    RoutePicker OptionList {
        height: auto;
        max-height: 10;
    }
    RoutePicker .route-picker--hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="route.cancel", tooltip="Close; keep the current route."),
        Binding(
            "enter", "use", "Use", id="route.use", priority=True, tooltip="Text this phone from this number."
        ),
    ]

    def __init__(
        self,
        choices: tuple[PhoneChoice, ...],
        numbers: tuple[OurNumber, ...],
        current: Route,
        lead_name: Safe | None = None,
    ) -> None:
        super().__init__()
        self._choices = choices
        self._numbers = numbers
        self._current = current
        self._lead_name = lead_name or Safe("")
        self._senders: tuple[OurNumber, ...] = ()

    def compose(self) -> ComposeResult:
        title = f"Text {self._lead_name}" if self._lead_name else "Text"
        with Vertical():
            yield Static(safe_content(Safe(title)), markup=False)
            yield Static("To", classes="route-picker--hint")
            yield OptionList(*[Option(phone_label(c)) for c in self._choices], id="route-to")
            yield Static("From", classes="route-picker--hint")
            yield OptionList(id="route-from")
            yield Static(
                "↑↓ phone · tab: from number · enter: use · esc: cancel",
                classes="route-picker--hint",
                id="route-hint",
            )

    def on_mount(self) -> None:
        to = self.query_one("#route-to", OptionList)
        index = next((i for i, c in enumerate(self._choices) if c.phone == self._current.to_number), 0)
        if self._choices:
            to.highlighted = index
        self._show_senders(index, self._current.from_number)
        to.focus()

    @property
    def phone(self) -> PhoneChoice | None:
        index = self.query_one("#route-to", OptionList).highlighted
        return self._choices[index] if index is not None and index < len(self._choices) else None

    def _show_senders(self, index: int, keep: str | None) -> None:
        choice = self._choices[index] if index < len(self._choices) else None
        senders = senders_for(self._numbers, choice.phone if choice else None)
        self._senders = senders
        lst = self.query_one("#route-from", OptionList)
        lst.clear_options()
        if not senders:
            lst.add_option(Option("— we have no sending number for this country", disabled=True))
            return
        lst.add_options([Option(sender_label(n)) for n in senders])
        if choice is not None:
            wanted = with_sender(choice, self._numbers, keep).from_number
            lst.highlighted = next((i for i, n in enumerate(senders) if n.number == wanted), 0)

    @on(OptionList.OptionHighlighted, "#route-to")
    def _phone_moved(self, event: OptionList.OptionHighlighted) -> None:
        self._show_senders(event.option_index, self._current.from_number)

    def action_use(self) -> None:
        choice = self.phone
        if choice is None:
            self.dismiss(None)
            return
        index = self.query_one("#route-from", OptionList).highlighted
        sender = self._senders[index].number if index is not None and index < len(self._senders) else None
        self.dismiss(Route(choice.contact_id, choice.phone, sender))

    def action_cancel(self) -> None:
        self.dismiss(None)
