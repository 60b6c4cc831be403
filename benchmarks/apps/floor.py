"""The floor: a bare Textual app that paints one line (what any Textual app costs to start)."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("FLOOR READY")


if __name__ == "__main__":
    Floor().run()
