"""A tiny host app for Pilot tests of the composer: records what the composer posts."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, TypeVar

from textual.app import App, ComposeResult
from textual.message import Message
from textual.notifications import Notify
from textual.widgets import Static

from sms_tui.ui.widgets.composer import Composer
from sms_tui.ui.widgets.composer_context import ComposerContext

M = TypeVar("M", bound=Message)

#: Monday 23 Nov 2026 16:00 UTC = 10:00 in Chicago: inside every quiet-hours window.
DAYTIME = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
#: 05:00 UTC = 23:00 the evening before in Chicago: quiet hours.
NIGHT = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)

CHICAGO_MOBILE = "+13125550123"
OUR_US_NUMBER = "+14155550100"


def context(lead_id: str = "lead_1", *, now: datetime = DAYTIME, **overrides: object) -> ComposerContext:
    values: dict[str, object] = {
        "lead_id": lead_id,
        "contact_id": "cont_1",
        "to_number": CHICAGO_MOBILE,
        "from_number": OUR_US_NUMBER,
        "contact_name": "Bob Smith",
        "user_name": "Dana",
        "org_name": "Acme",
        "now": lambda: now,
    }
    values.update(overrides)
    return ComposerContext(**values)  # type: ignore[arg-type]


class Host(App[None]):
    """One composer, focused, and a log of every message it (or a notify) produced."""

    def __init__(self, ctx: ComposerContext | None = None, draft: str = "") -> None:
        super().__init__()
        self.ctx = ctx
        self.draft = draft
        self.posted: list[Message] = []

    def compose(self) -> ComposeResult:
        yield Static("conversation above")
        yield Composer(id="composer")

    def on_mount(self) -> None:
        composer = self.composer
        composer.set_context(self.ctx, self.draft)
        composer.focus()

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    def record(self, message: Message) -> None:
        """message_hook: each message once (a bubbling message is seen at every node)."""
        if not any(message is seen for seen in self.posted):
            self.posted.append(message)

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.posted if isinstance(m, kind)]

    def notes(self) -> list[str]:
        return [m.notification.message for m in self.posted if isinstance(m, Notify)]

    def line(self, selector: str) -> str:
        return str(self.query_one(selector, Static).render())


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[^)]*line-(\d+)\)">(.*?)</text>'
)


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain lines (from the app's own SVG screenshot)."""
    rows: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for match in _SVG_TEXT.finditer(app.export_screenshot()):
        rows[int(match[2])].append((float(match[1]), html.unescape(match[3]).replace("\xa0", " ")))
    lines = []
    for row in sorted(rows):
        line = ""
        for x, chunk in sorted(rows[row]):
            line = line.ljust(round(x / 12.2)) + chunk
        lines.append(line.rstrip())
    return "\n".join(lines)
