"""The `?` screen: every key, generated from the same table as the command palette."""

from __future__ import annotations

from itertools import groupby

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from sms_tui.ui.palette import ActionEntry
from sms_tui.ui.text import safe, safe_text


class HelpScreen(ModalScreen[None]):
    """Keys grouped by where they work; Escape, q or ? closes."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, entries: list[ActionEntry], note: str = "") -> None:
        super().__init__()
        self._entries = entries
        self._note = note

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc closes · ctrl+p finds any action"
            yield Static(self._table())

    def _table(self) -> Table:
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column(ratio=1)
        for group, entries in groupby(self._entries, key=lambda e: e.group):
            table.add_row(Text(group, style="bold underline"), "")
            for entry in entries:
                description = safe_text(safe(entry.description))
                if entry.tooltip:
                    description.append(f" — {safe(entry.tooltip)}", style="dim")
                table.add_row(safe_text(safe(entry.keys, one_line=True)), description)  # rep's config
            table.add_row("", "")
        if self._note:
            table.add_row("", safe_text(safe(self._note), style="dim"))
        return table
