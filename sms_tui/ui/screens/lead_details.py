"""The lead at a glance (`i`): every contact and phone with what we know of it, and the counts.

Shows what the cache holds: the lead's name, each contact (opted out / do not text), each phone
with Close's label, the line type and country the numbering plan gives, the local time there and
whether we can text it (and why not), and the conversation's counts. Lead status, owner, emails
and custom fields are not in the cache yet (the sync does not fetch them), so they are not shown.
All outside text goes through the one safe path. Escape or `i` closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from sms_tui.core import phones
from sms_tui.core.models import Message
from sms_tui.ui.route import PhoneChoice
from sms_tui.ui.screens.dialog import BaseDialog
from sms_tui.ui.text import Safe, safe, safe_content


def local_time(number: str, now: datetime) -> str:
    """`15:07 EST` on the phone's clock ("" when its zone is unknown or ambiguous)."""
    try:
        zones = phones.parse_phone(number).time_zones
    except phones.PhoneError:
        return ""
    if not zones:
        return ""
    try:
        local = now.astimezone(ZoneInfo(zones[0]))
    except (KeyError, ValueError):
        return ""
    return f"{local:%H:%M} {local.tzname() or ''}".strip()


def details_text(
    lead_name: str,
    choices: Sequence[PhoneChoice],
    messages: Sequence[Message],
    now: datetime,
    texting: str | None,
) -> Safe:
    """The panel's text (plain, every outside string through `safe`)."""
    lines = [safe(lead_name or "(no name)", one_line=True), ""]
    contact_ids: list[str] = []
    for choice in choices:
        if choice.contact_id not in contact_ids:
            contact_ids.append(choice.contact_id)
    if not choices:
        lines.append("No phone numbers on this lead.")
    for contact_id in contact_ids:
        mine = [c for c in choices if c.contact_id == contact_id]
        name = safe(mine[0].contact_name or "(no name)", one_line=True)
        flags = [
            f for f, on in (("opted out", mine[0].opted_out), ("do not text", mine[0].do_not_text)) if on
        ]
        lines.append(f"{name}" + (f"  [{', '.join(flags)}]" if flags else ""))
        for c in mine:
            marker = "→" if c.phone == texting else " "
            what = ", ".join(p for p in (c.label, c.line_type, c.country_name) if p)
            clock = local_time(c.phone, now)
            lines.append(
                f" {marker} {safe(phones.format_phone(c.phone), one_line=True)} · {safe(what, one_line=True)}"
                + (f" · their time {clock}" if clock else "")
            )
            lines.append(
                "     " + ("✓ can text" if c.textable else f"⛔ {safe(c.why_not or '', one_line=True)}")
            )
        lines.append("")
    inbound = sum(1 for m in messages if m.direction == "inbound")
    outbound = [m for m in messages if m.direction == "outbound"]
    failed = sum(1 for m in outbound if m.local_state in ("error", "blocked"))
    scheduled = sum(1 for m in outbound if m.local_state == "scheduled")
    lines.append(
        f"Messages shown: {len(messages)} · {inbound} received · {len(outbound)} sent"
        f" · {failed} failed · {scheduled} scheduled"
    )
    lines.append("Status, owner, emails and custom fields: not in the cache yet.")
    return Safe("\n".join(lines))


class LeadDetails(BaseDialog[None]):
    """A read-only panel about the lead in the conversation."""

    DEFAULT_CSS = """
    LeadDetails > Vertical {
        width: 80;
    }
    LeadDetails #details-body {
        height: auto;
        max-height: 20;
    }
    """

    BINDINGS = [
        Binding("escape,i", "cancel", "Close", id="details.close", tooltip="Close the lead details."),
    ]

    def __init__(self, text: Safe) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="details-body"):
                yield Static(safe_content(self._text), id="details-text", markup=False)
            yield Static(Content("↑↓ scroll · Esc or i close"), classes="dialog--hint")
