"""The composer's peer: a bare Textual TextArea whose every change rewrites one counter line
("N/1000 ·"), as the composer's counter does (without segments, warnings or drafts).

    python -m benchmarks.apps.peer_composer
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static, TextArea


class PeerComposer(App[None]):
    CSS = "TextArea { height: 6; } #counter { height: 1; }"

    def compose(self) -> ComposeResult:
        yield TextArea(id="text")
        yield Static("0/1000 ·", id="counter")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        # what would be sent, as the composer counts it: the text without its outer spaces
        self.query_one("#counter", Static).update(f"{len(event.text_area.text.strip())}/1000 ·")


if __name__ == "__main__":
    PeerComposer().run()
