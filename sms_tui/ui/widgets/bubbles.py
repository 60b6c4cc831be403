"""How one message looks in the conversation: its bubble, its status line, and the lead's header.

Pure functions from a `Message` (or `LeadHeader`), the clock and the keys to rich renderables,
with no widget: `MessageColumn` caches what they draw. Every string from a lead, a template or
the provider goes through `ui.text.literal` (a `rich.text.Text`, never markup), so `[bold]` or an
ANSI escape in a reply shows exactly as typed. Outbound messages say where they are: waiting
out the undo delay (with a countdown), sending, sent, scheduled, failed (label and the
provider's error message) or blocked (the guard's reason).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.align import Align
from rich.box import ROUNDED
from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from sms_tui.core import mms
from sms_tui.core.models import Attachment, Message
from sms_tui.ui.retry import retryable
from sms_tui.ui.text import clock_time, literal, seconds_left
from sms_tui.ui.widgets.conversation_view import LeadHeader

STATUS_LABELS = {
    "sending": "Sending…",
    "sent": "Sent",
    "error": "Failed",
    "blocked": "Blocked",
    "scheduled": "Scheduled",
    "outbox": "Waiting to send",
    "draft": "Draft",
    "inbox": "",
}


#: The SMS statuses Close documents; any other is shown as it came ("Close says: …").
KNOWN_STATUSES = frozenset({"inbox", "draft", "scheduled", "outbox", "sent", "error"})

#: Keys named in the status lines (the screen passes the remapped ones).
DEFAULT_KEYS = {"undo": "ctrl+z", "retry": "R", "cancel": "x"}


def _failure(label: str, why: str | None, message: Message, keys: dict[str, str]) -> Text:
    """The failed or blocked line: the label, the reason as data, and the retry key when a retry can help."""
    out = Text()
    out.append(label, style="bold red")
    if why:
        out.append(": ", style="red")
        out.append_text(literal(why, style="red"))
    if retryable(message):
        out.append(f" — {keys['retry']} to retry", style="dim")
    return out


def status_text(message: Message, now: datetime, tz: tzinfo, keys: dict[str, str] | None = None) -> Text:
    """One line under an outbound bubble saying what happens to it next."""
    keys = {**DEFAULT_KEYS, **(keys or {})}
    state = message.local_state
    if state == "outbox":
        left = seconds_left(message.send_at, now)
        if left > 0:
            return Text(f"Sending in {left} s — {keys['undo']} to undo", style="bold yellow")
    if state in ("outbox", "sending"):  # keys["offline"]: the screen says the provider is unreachable
        return Text("Queued — offline" if keys.get("offline") else "Sending…", style="italic")
    if state == "sent":
        if message.status is not None and message.status not in KNOWN_STATUSES:
            out = Text("Close says: ", style="dim")  # a status Close added later: shown as it came
            out.append_text(literal(message.status, style="dim italic"))
            return out
        return Text("✓ Sent" if message.status != "outbox" else "✓ Accepted, on its way", style="dim")
    if state == "scheduled":
        when = clock_time(message.date_scheduled, tz, now)
        return Text(f"◷ Scheduled for {when} — {keys['cancel']} to cancel", style="bold")
    if state == "error":
        return _failure("✗ Failed", message.error_message, message, keys)
    if state == "blocked":
        return _failure("⊘ Blocked", message.block_reason, message, keys)
    return Text(STATUS_LABELS.get(state, state), style="dim")


#: Border colour of a bubble by local state (outbound) — inbound bubbles are grey.
BORDER = {"outbox": "yellow", "error": "red", "blocked": "red", "scheduled": "cyan", "sending": "yellow"}


def attachment_line(attachment: Attachment) -> Text:
    """`📷 roof.jpg · 812 KB`: the icon by type, the file's name (outside text: one safe line), its size."""
    out = Text(mms.icon(attachment.content_type) + " ")
    out.append_text(literal(" ".join(attachment.filename.split()) or "(no name)", style="bold"))
    out.append(f" · {mms.size_text(attachment.size)}", style="dim")
    return out


def message_text(
    message: Message,
    now: datetime,
    tz: tzinfo,
    keys: dict[str, str] | None = None,
    previews: dict[str, Text] | None = None,
) -> Text:
    """A bubble's content: the literal text, each attachment (and its picture once the rep asked
    for it: `previews` by attachment key), then a dim line with time and (outbound) status."""
    meta = Text("\n")
    meta.append(clock_time(message.date_created, tz, now), style="dim")
    if message.direction == "outbound":
        meta.append("  ")
        meta.append_text(status_text(message, now, tz, keys))
    if not message.attachments:
        return Text.assemble(literal(message.text), meta)
    parts = [literal(message.text)] if message.text else []
    for attachment in message.attachments:
        parts.append(attachment_line(attachment))
        picture = previews.get(attachment_key(attachment)) if previews else None
        if picture is not None:
            parts.append(picture)
    return Text.assemble(Text("\n").join(parts), meta)


def attachment_key(attachment: Attachment) -> str:
    """What identifies a file across reloads: Close's media id, else its url, else the local file."""
    return attachment.media_id or attachment.url or attachment.local_path or attachment.filename


def border_colour(message: Message) -> str:
    """A bubble's border: by local state when outbound (`BORDER`, else blue); grey when inbound."""
    outbound = message.direction == "outbound"
    return BORDER.get(message.local_state, "blue" if outbound else "grey50")


def bubble(message: Message, body: Text, width: int, console: Console) -> Align:
    """One message as a rounded panel: inbound on the left, outbound on the right, at most 85% of
    the `width` the pane gives (narrower when the text is short)."""
    outbound = message.direction == "outbound"
    panel_width = _panel_width(body, width, console, console.options)
    panel = Panel(body, box=ROUNDED, border_style=border_colour(message), padding=(0, 1), width=panel_width)
    return Align(panel, align="right" if outbound else "left", width=width)


def _panel_width(body: Text, width: int, console: Console, options: ConsoleOptions) -> int:
    """A bubble's width: the text's and its borders and padding, at most 85% of the pane (12 at least)."""
    cap = max(12, int(width * 0.85))
    inner = Measurement.get(console, options.update_width(max(1, cap - 4)), body).maximum
    return min(cap, inner + 4)


def bubble_lines(
    message: Message, body: Text, width: int, console: Console, options: ConsoleOptions, base: Style
) -> list[list[Segment]] | None:
    """`bubble(...)` drawn on `base` as lines of `width` cells, segment for segment what Rich draws
    for `Styled(bubble(...), base)`, at about a fifth of the cost: the text is wrapped and rendered
    by Rich (`Text.wrap`, `Text.render`) as the panel would; the borders, padding and alignment are
    put around its lines here instead of through `Align`, `Panel` and `Padding`'s generic
    renderers. `None` for a pane too narrow for a bubble's minimum (draw those with `bubble`).

    `tests/ui/test_bubble_lines.py` holds this to Rich's output for every kind of message."""
    if width < 12:  # narrower than a bubble's minimum (`_panel_width`)
        return None
    panel = _panel_width(body, width, console, options)
    content = panel - 4
    if content < 1:
        return None
    justify = body.justify or options.justify or "default"
    overflow = body.overflow or options.overflow or "fold"
    no_wrap = body.no_wrap if body.no_wrap is not None else bool(options.no_wrap)
    tab_size = console.tab_size if body.tab_size is None else body.tab_size
    wrapped = body.wrap(
        console, content, justify=justify, overflow=overflow, tab_size=tab_size or 8, no_wrap=no_wrap
    )
    rendered = Text("\n").join(wrapped).render(console, end=body.end)
    null = Style()
    apply = base.__add__
    outbound = message.direction == "outbound"
    border = apply(console.get_style(border_colour(message)))
    box = ROUNDED.substitute(options, safe=console.safe_box)
    pad = Segment(" ", base)
    excess = width - panel
    gap = Segment(" " * excess, base) if excess > 0 else None
    side_l, side_r = Segment(box.mid_left, border), Segment(box.mid_right, border)

    def framed(middle: list[Segment]) -> list[Segment]:
        if gap is None:
            return middle
        return [gap, *middle] if outbound else [*middle, gap]

    lines = [framed([Segment(box.get_top([panel - 2]), border)])]
    for line in Segment.split_and_crop_lines(
        rendered, content, include_new_lines=False, pad=True, style=null
    ):
        lines.append(framed([side_l, pad, *[Segment(t, apply(s), c) for t, s, c in line], pad, side_r]))
    lines.append(framed([Segment(box.get_bottom([panel - 2]), border)]))
    return lines


def header_text(header: LeadHeader) -> Text:
    """Two lines: the lead (and contact) name; number, country, line type, local time, opt-out."""
    out = Text()
    out.append_text(literal(header.name or "(no name)", style="bold"))
    if header.contact_name and header.contact_name != header.name:
        out.append("  ·  ", style="dim")
        out.append_text(literal(header.contact_name))
    if header.opted_out:
        out.append("   ⊘ OPTED OUT", style="bold red")
    if header.do_not_text:
        out.append("   ⊘ DO NOT TEXT", style="bold red")
    out.append("\n")
    parts = [literal(p) for p in (header.number, header.country, header.line_type) if p]
    if header.local_time:
        parts.append(Text(f"their time {header.local_time}"))
    if header.note:
        parts.append(literal(header.note, style="italic"))
    out.append_text(Text(" · ", style="dim").join(parts) if parts else Text("no number", style="dim"))
    return out
