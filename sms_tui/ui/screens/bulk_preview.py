"""The bulk preview: what every marked lead would receive, and the rep's go or no-go for each.

Totals on top (recipients, ok / warnings / blocked, approved, segments and estimated cost of what is
approved), the filters (1 all · 2 blocked · 3 warnings · 4 ok), the virtual list
(`widgets/preview_list.py`) and, under it, the lead under the cursor in full: the text, every
block and warning of the guard. Keys: space approves / un-approves, s skips, A approves every clean
lead, e edits one lead's text, ctrl+j chooses how the campaign sends and creates it.

The previews are computed in a thread: the first rows at once (the first screen), then the rest in
chunks, each posted to the screen as a `Judged` message (the thread does not wait for the UI to
take it); the totals line counts them in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, tzinfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from sms_tui.core.bulk_spec import CampaignSpec, SpecError
from sms_tui.core.campaign import Preview, Recipient, format_cents
from sms_tui.core.phones import format_phone
from sms_tui.store import Store, StoreError
from sms_tui.ui import gc_pause
from sms_tui.ui.bulk import FILTER_LABELS, FILTERS, BulkPlan, Filter
from sms_tui.ui.read_ahead import ReadAhead
from sms_tui.ui.screens.bulk_send import EditTextDialog, SendModeDialog
from sms_tui.ui.text import one_line, safe, visible
from sms_tui.ui.widgets.composer_lines import update_line
from sms_tui.ui.widgets.preview_list import PreviewList, local_clock
from sms_tui.ui.widgets.steady_footer import SteadyFooter

#: The first chunk is small so the first screen shows at once; the rest come in larger chunks.
FIRST_CHUNK = 20
CHUNK = 1000
#: Seconds between two updates of the totals line while the verdicts come in.
TOTALS_EVERY = 0.3
#: At most this long (seconds) the judging waits for the first screen to be painted.
FIRST_PAINT_WAIT = 0.5


class Judged(Message):
    """A chunk of previews computed in the loading thread (`last`: every one is in)."""

    def __init__(
        self, recipients: list[Recipient], previews: list[Preview], seen: int, *, last: bool = False
    ):
        super().__init__()
        self.recipients = recipients
        self.previews = previews
        self.seen = seen
        self.last = last


class BulkPreviewScreen(Screen[None]):
    """Every recipient's message and verdict; approve, skip, edit, then create the campaign."""

    DEFAULT_CSS = """
    BulkPreviewScreen #preview-totals { height: auto; background: $panel; padding: 0 1; }
    BulkPreviewScreen #preview-filters { height: 1; padding: 0 1; }
    BulkPreviewScreen PreviewList { height: 1fr; }
    BulkPreviewScreen #preview-details {
        height: auto; max-height: 8; border-top: solid $secondary; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("ctrl+j,alt+enter", "send", "Send…", priority=True, id="preview.send"),
        Binding("space", "decide", "Approve", id="preview.toggle"),
        Binding("A,shift+a", "approve_clean", "Approve clean", id="preview.approve_clean"),
        Binding("s", "skip", "Skip", id="preview.skip"),
        Binding("e", "edit", "Edit", id="preview.edit"),
        Binding("1", "filter('all')", "All", show=False, id="preview.all"),
        Binding("2", "filter('block')", "Blocked", show=False, id="preview.blocked"),
        Binding("3", "filter('warn')", "Warnings", show=False, id="preview.warnings"),
        Binding("4", "filter('ok')", "OK", show=False, id="preview.ok"),
        Binding("escape", "back", "Back", id="preview.back"),
    ]

    def __init__(
        self,
        plan: BulkPlan,
        lead_ids: Sequence[str],
        store: Store,
        now: Callable[[], datetime],
        rep_tz: tzinfo,
        on_created: Callable[[int, str], None],
    ) -> None:
        super().__init__()
        self.plan = plan
        self.lead_ids = list(lead_ids)
        self.store = store
        self.now = now
        self.rep_tz = rep_tz
        self.on_created = on_created
        self.loaded = 0
        self.done = False
        self._totals_at = -TOTALS_EVERY
        self._first_painted = threading.Event()
        #: The recipients, when the inbox read them ahead (while the rep wrote): no store read then.
        self.read_ahead: ReadAhead | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-totals")
        yield Static("", id="preview-filters")
        yield PreviewList(self.plan, id="preview-list")
        yield Static("", id="preview-details")
        yield SteadyFooter()

    @property
    def rows(self) -> PreviewList:
        return self.query_one(PreviewList)

    def on_mount(self) -> None:
        self.rows.focus()
        self._show_totals()
        self._show_filters()
        self._load(self.now())

    # -- loading --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="bulk-preview", exit_on_error=False, description="Bulk preview")
    def _load(self, now: datetime) -> None:
        with gc_pause.paused():
            self._judge_all(now)

    def _judge_all(self, now: datetime) -> None:
        size, judged = FIRST_CHUNK, 0
        for piece in self._read():
            while piece:
                batch, piece = piece[:size], piece[size:]
                previews = self.plan.compute(batch, now)
                judged += len(batch)
                self.post_message(Judged(batch, previews, judged))
                if size == FIRST_CHUNK:
                    # the first screen paints with the interpreter to itself; then the rest
                    self._first_painted.wait(FIRST_PAINT_WAIT)
                size = CHUNK
        self.post_message(Judged([], [], len(self.lead_ids), last=True))

    def _read(self) -> Iterator[list[Recipient]]:
        """The recipients in slices: those read ahead as they come, then the rest read here (a first
        small slice so the first screen is there at once)."""
        rest: Sequence[str] = self.lead_ids
        if self.read_ahead is not None:
            yield from self.read_ahead.slices()
            rest = self.read_ahead.unread()
        start, size = 0, FIRST_CHUNK
        while start < len(rest):
            yield self.store.preview_recipients(rest[start : start + size])
            start, size = start + size, CHUNK

    @on(Judged)
    def _judged(self, message: Judged) -> None:
        self.plan.add(message.recipients, message.previews)
        if not self.loaded:
            self.call_after_refresh(self._first_painted.set)
        self.loaded = message.seen
        self.done = message.last
        self.rows.grew()
        # The totals line may wrap (a layout of the screen): while judging, at most a few a second
        now = time.monotonic()
        if message.last or now - self._totals_at >= TOTALS_EVERY:
            self._totals_at = now
            self._show_totals()

    # -- what the rep sees ----------------------------------------------------------------------

    def _show_totals(self) -> None:
        t = self.plan.totals()
        line = (
            f"Recipients {t.recipients:,} · ok {t.ok:,} · warnings {t.warned:,} · blocked {t.blocked:,}"
            f" │ approved {t.approved:,} · {t.segments:,} segments · est. {format_cents(t.cost_cents)}"
        )
        if not self.done:
            line += f" │ judging {self.loaded:,} of {len(self.lead_ids):,}…"
        elif len(self.plan) < len(self.lead_ids):
            line += f" │ {len(self.lead_ids) - len(self.plan):,} marked leads are no longer in the cache"
        update_line(self.query_one("#preview-totals", Static), Content(line))

    def _show_filters(self) -> None:
        current = self.rows.filter
        parts: list[tuple[str, str] | str] = []
        for i, which in enumerate(FILTERS, start=1):
            style = "bold reverse" if which == current else ""
            parts += [(str(i), "bold cyan"), (f" {FILTER_LABELS[which]}", style), "  "]
        parts.append(("space approves · A approves every clean lead", "dim"))
        self.query_one("#preview-filters", Static).update(Content.assemble(*parts))

    @on(PreviewList.Highlighted)
    def _highlighted(self, event: PreviewList.Highlighted) -> None:
        self._show_details(event.preview)

    def _show_details(self, p: Preview | None) -> None:
        details = self.query_one("#preview-details", Static)
        if p is None:
            details.update("" if self.done or self.loaded else "Reading the leads…")
            return
        to = format_phone(p.to_number) if p.to_number else "no phone"
        frm = format_phone(p.from_number) if p.from_number else "no number of ours"
        zone = f" {p.local_time:%Z}" if p.local_time is not None else ""
        decided = self.plan.decision(p.lead_id) or "not approved"
        clock = local_clock(p.local_time)
        head = (
            f"{p.verdict.upper()} · {decided} · {to} from {frm} · their time {clock}{zone}"
            f" · {p.chars} chars {p.encoding} {p.segments} seg · {format_cents(p.cost_cents)}"
        )
        lines = [Content.assemble((one_line(p.lead_name), "bold"), "  ", safe(head))]
        lines.append(Content(visible(p.text)))
        for issue in p.blocks:
            lines.append(Content.assemble(("⛔ ", "bold red"), safe(issue.message)))
        for issue in p.warnings:
            lines.append(Content.assemble(("⚠ ", "bold yellow"), safe(issue.message)))
        details.update(Content("\n").join(lines))

    def _redraw(self) -> None:
        self.rows.changed()
        self._show_totals()
        self._show_details(self.rows.selected)

    # -- actions --------------------------------------------------------------------------------

    def action_filter(self, which: Filter) -> None:
        self.rows.set_filter(which)
        self._show_filters()

    def action_decide(self) -> None:
        p = self.rows.selected
        if p is None:
            return
        refused = self.plan.toggle(p.lead_id)
        if refused:
            self.notify(safe(refused), severity="warning", markup=False)
        self._redraw()
        self.rows.move_to(self.rows.cursor + 1)

    def action_skip(self) -> None:
        p = self.rows.selected
        if p is None:
            return
        self.plan.skip(p.lead_id)
        self._redraw()
        self.rows.move_to(self.rows.cursor + 1)

    def action_approve_clean(self) -> None:
        n = self.plan.approve_all_clean()
        self._redraw()
        note = "" if self.done else " (more are still being judged: press A again when done)"
        self.notify(f"Approved {n:,} clean lead{'s' if n != 1 else ''}{note}.", markup=False, timeout=3)

    def action_edit(self) -> None:
        p = self.rows.selected
        if p is None:
            return

        def edited(text: str | None) -> None:
            if text is None:
                return
            self.plan.edit(p.lead_id, text or None, self.now())
            self._redraw()

        self.app.push_screen(EditTextDialog(one_line(p.lead_name), p.text), edited)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        if not self.done:
            self.notify(
                f"Still judging ({self.loaded:,} of {len(self.lead_ids):,}): wait for every verdict.",
                severity="warning",
                markup=False,
            )
            return
        t = self.plan.totals()
        if t.approved == 0:
            self.notify(
                "No lead is approved: A approves every clean one, space the one under the cursor.",
                severity="warning",
                markup=False,
            )
            return
        left = t.recipients - t.approved
        summary = (
            f"{t.approved:,} message{'s' if t.approved != 1 else ''} will go ({t.segments:,} segments, "
            f"est. {format_cents(t.cost_cents)}); {left:,} not approved or blocked will not."
        )
        self.app.push_screen(SendModeDialog(summary, self.plan.message, self.now, self.rep_tz), self._create)

    def _create(self, spec: CampaignSpec | None) -> None:
        if spec is not None:
            self._store_campaign(spec)

    @work(thread=True, group="bulk-create", exit_on_error=False, description="Create the campaign")
    def _store_campaign(self, spec: CampaignSpec) -> None:
        rows, left_out = self.plan.new_recipients()
        try:
            cid = self.store.create_campaign(spec, rows, now=self.now())
        except (SpecError, StoreError) as error:
            self.app.call_from_thread(
                self.notify, visible(str(error)), title="Campaign not created", severity="error", markup=False
            )
            return
        note = f" ({left_out:,} without a phone or number of ours left out)" if left_out else ""
        self.app.call_from_thread(self.on_created, cid, f"Campaign “{spec.name}” created{note}.")
