"""The lead at a glance (`i`): every contact and phone with what we know of it, and the counts.

Shows what the cache holds: the lead's name, each contact (opted out / do not text), each phone
with Close's label, the line type and country the numbering plan gives, the local time there and
whether we can text it (and why not), and the conversation's counts; then, read from the cache
in a worker, the lead's status, owner, emails (with their opt-out state), custom fields and its
link in Close, which `ctrl+l` opens in the browser or copies (`ui/lead_link.py`).
All outside text goes through the one safe path. Escape or `i` closes.
"""

from __future__ import annotations

import os
import webbrowser
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from sms_tui.core import phones
from sms_tui.core.models import Lead, Message
from sms_tui.ui.lead_link import link_action, web_url
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
    return Safe("\n".join(lines))


def profile_text(lead: Lead) -> Safe:
    """Status, owner, emails with their opt-out state, custom fields and the link (all through `safe`)."""
    p = lead.profile

    def one(text: str) -> str:
        return safe(text, one_line=True)

    head = [f"Status: {one(p.status) or '—'}", f"Owner: {one(p.owner) or '—'}"]
    if p.created_by:
        head.append(f"created by {one(p.created_by)}")
    lines = [" · ".join(head)]
    emails = [(c, e) for c in lead.contacts for e in c.emails]
    if emails:
        lines.append("Emails:")
        for contact, e in emails:
            kind = f" ({one(e.type)})" if e.type else ""
            state = "  [unsubscribed]" if e.unsubscribed else ""
            lines.append(f"  {one(contact.name or '(no name)')}: {one(e.email)}{kind}{state}")
    else:
        lines.append("Emails: none")
    if p.custom:
        lines.append("Custom fields:")
        lines.extend(f"  {one(name)}: {one(value)}" for name, value in p.custom)
    url = web_url(p.html_url)
    if url:
        lines.append(f"In Close: {url}  (ctrl+l)")
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
        Binding(
            "ctrl+l",
            "open_in_close",
            "Open in Close",
            id="details.open_in_close",
            tooltip="Open the lead in Close in your browser (copied where no browser can open).",
        ),
    ]

    def __init__(
        self,
        text: Safe,
        load: Callable[[], Lead] | None = None,
        *,
        opener: Callable[[str], bool] = webbrowser.open,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._text = text
        self._load = load
        self._opener = opener
        self._env = os.environ if environ is None else environ
        self.lead: Lead | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="details-body"):
                yield Static(safe_content(self._text), id="details-text", markup=False)
            yield Static(Content("↑↓ scroll · ctrl+l open in Close · Esc or i close"), classes="dialog--hint")

    def on_mount(self) -> None:
        if self._load is not None:
            self.run_worker(self._load, thread=True, group="details", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "details" or event.state != WorkerState.SUCCESS:
            return
        lead = event.worker.result
        if not isinstance(lead, Lead):
            return
        self.lead = lead
        first, _, rest = self._text.partition("\n")
        text = Safe(f"{first}\n{profile_text(lead)}\n{rest}")
        self.query_one("#details-text", Static).update(safe_content(text))

    def action_open_in_close(self) -> None:
        url = web_url(self.lead.profile.html_url) if self.lead is not None else None
        if url is None:
            self.notify("Close gave no link for this lead.", markup=False, timeout=3)
            return
        if link_action(self._env) == "open":
            try:
                opened = self._opener(url)
            except Exception:  # a broken browser setup must not take the app down
                opened = False
            if opened:
                self.notify(f"Opened in your browser: {url}", markup=False, timeout=4)
                return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied the link (no browser here): {url}", markup=False, timeout=6)
