"""`BaseDialog`: the frame every modal dialog of the inbox shares (schedule, snooze, templates).

A centred box with a thick border on the surface colour, a muted hint line (class `dialog--hint`),
and Escape's `cancel` action dismissing with None. Each dialog sets its own width and keeps its own
bindings (their ids are what the `[keys]` config remaps).
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class BaseDialog(ModalScreen[ResultType | None]):
    """A modal box that dismisses with a `ResultType`, or None when cancelled."""

    DEFAULT_CSS = """
    BaseDialog {
        align: center middle;
    }
    BaseDialog > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    BaseDialog .dialog--hint {
        color: $text-muted;
    }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)
