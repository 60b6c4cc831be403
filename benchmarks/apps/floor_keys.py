"""The key floor: a bare Textual app where `j` changes one Static's text (what a key costs in any
Textual app on this machine: input thread, message queue, binding, one widget's refresh, the
screen's next frame on its update timer, the write).

    python -m benchmarks.apps.floor_keys
"""

from textual.app import App, ComposeResult
from textual.widgets import Static


class FloorKeys(App[None]):
    BINDINGS = [("j", "next", "Next")]

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0

    def compose(self) -> ComposeResult:
        yield Static("FLOOR KEY 0000", id="line")

    def action_next(self) -> None:
        self.presses += 1
        self.query_one("#line", Static).update(f"FLOOR KEY {self.presses:04d}")


if __name__ == "__main__":
    FloorKeys().run()
