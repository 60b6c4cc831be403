"""The peer: a DataTable lead list over the same store (first 2,000 leads), with a header line
that shows the highlighted lead's number, as the inbox's conversation header does.

    python -m benchmarks.apps.peer_table CACHE
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from sms_tui.core.phones import PhoneError, parse_phone
from sms_tui.store import Store


class Peer(App[None]):
    CSS = "#header { height: 1; } DataTable { height: 1fr; }"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.store = Store.open(path)
        self.phones: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="header")
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Lead", "Last message", "Unread")
        page = self.store.lead_page(limit=2000, now=datetime.now(UTC))
        for row in page.rows:
            self.phones.append(row.phone or "")
            table.add_row(Text(row.display_name), Text(row.preview[:60]), str(row.unread))
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        phone = self.phones[event.cursor_row]

        try:
            shown = parse_phone(phone).international if phone else "no number"
        except PhoneError:
            shown = phone
        self.query_one("#header", Static).update(Text(f"PEER {shown}"))


if __name__ == "__main__":
    Peer(sys.argv[1]).run()
