"""What a screen may ask of the app, as a Protocol: screens never import the app class.

`SmsApp` (`ui/app.py`) satisfies `AppServices`; screens reach it through `services(self.app)`.
The app imports its screens, so this interface is what keeps the arrows one-way
(app -> screens -> services).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, Protocol, cast

from textual.app import App

from sms_tui.store import Store
from sms_tui.ui.notice import TerminalNotices
from sms_tui.ui.sync_worker import SyncRunner
from sms_tui.ui.widgets.lead_pages import HeadRead


class AppServices(Protocol):
    """The injected services of the running app (see `SmsApp.__init__`)."""

    store: Store
    now: Callable[[], datetime]
    undo_seconds: float
    keymap: dict[str, str]
    rep_tz: tzinfo
    rules: Any
    title: str
    sync: SyncRunner
    notices: TerminalNotices
    #: The lead list's first page, read since the command started (taken by the list; else None).
    first_rows: HeadRead | None

    def push_after(self, delay: float) -> None: ...

    def push_now(self) -> None: ...

    def poll_now(self) -> None: ...

    def release_memory(self) -> None: ...


def services(app: App[Any]) -> AppServices:
    """The app as its services (a typed view of `self.app`; nothing is checked at run time)."""
    return cast(AppServices, app)
