"""Campaigns: each bulk text with its progress, and its report.

One row per campaign (newest first): name, state, send mode, a progress bar of what is settled,
the counts per recipient state and when the drip will finish. Under the list, the highlighted
campaign's report (sent, failed with reasons, blocked, replied, opted out, cost). Keys: p pause,
r resume, x cancel (twice: it removes what has not left and says how many), c exports the report
to CSV. The screen reads the store in a thread, once a second while it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sms_tui.core.bulk_spec import RecipientState
from sms_tui.core.campaign import format_cents
from sms_tui.store import Store
from sms_tui.store.campaign_rows import Campaign, Progress, Report
from sms_tui.ui.text import one_line, safe, visible
from sms_tui.ui.widgets.steady_footer import SteadyFooter

BAR_WIDTH = 24
#: The states shown on a row, in this order, with the rep's word for each.
STATE_WORDS: tuple[tuple[RecipientState, str], ...] = (
    ("sent", "sent"),
    ("queued", "queued"),
    ("pending", "pending"),
    ("failed", "failed"),
    ("blocked", "blocked"),
    ("skipped", "skipped"),
    ("cancelled", "cancelled"),
    ("replied", "replied"),
    ("opted_out", "opted out"),
)


STATE_STYLES = {"running": "bold green", "paused": "bold yellow", "cancelled": "bold red"}


@dataclass(frozen=True, slots=True)
class CampaignView:
    campaign: Campaign
    progress: Progress


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """ "██████░░░░ 60%" of what is settled."""
    share = done / total if total else 1.0
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled) + f" {share:4.0%}"


def mode_words(c: Campaign, tz: tzinfo) -> str:
    spec = c.spec
    if spec.mode == "drip":
        words = f"drip {spec.drip_count} every {spec.drip_minutes} min"
    elif spec.mode == "schedule" and spec.local_time is not None:
        words = f"at {spec.local_time:%H:%M} their time"
    elif spec.mode == "schedule" and spec.at is not None:
        words = f"at {spec.at.astimezone(tz):%Y-%m-%d %H:%M}"
    else:
        words = "now"
    if spec.daily_cap:
        words += f", cap {spec.daily_cap}/day per number"
    return words


def row_content(view: CampaignView, tz: tzinfo) -> Content:
    c, p = view.campaign, view.progress
    counts = " · ".join(f"{p.counts[s]:,} {word}" for s, word in STATE_WORDS if p.counts[s])
    finish = ""
    if p.finish_at is not None and c.state == "running":
        finish = f" · finishes ~{p.finish_at.astimezone(tz):%a %H:%M}"
    state_style = {"running": "bold green", "paused": "bold yellow", "cancelled": "bold red"}.get(
        c.state, "bold"
    )
    return Content.assemble(
        (one_line(c.spec.name), "bold"),
        "  ",
        (c.state.upper(), state_style),
        (f"  {mode_words(c, tz)}", "dim"),
        "\n",
        (progress_bar(p.done, p.total), "green"),
        f"  {p.done:,}/{p.total:,}",
        (f"{finish}", "dim"),
        "\n",
        (counts or "no recipients", "dim"),
    )


def report_content(c: Campaign, r: Report) -> Content:
    lines = [
        Content.assemble(("Report: ", "bold"), (one_line(c.spec.name), "bold")),
        Content(
            f"sent {r.sent:,} · failed {r.failed:,} · blocked {r.blocked:,} · replied {r.replied:,} · "
            f"opted out {r.opted_out:,} · skipped {r.skipped:,} · cancelled {r.cancelled:,} · "
            f"not settled {r.pending:,}"
        ),
        Content(
            f"{r.segments:,} segments · cost {format_cents_float(r.cost_cents)} "
            f"(estimated {format_cents_float(r.est_cost_cents)})"
        ),
    ]
    for reason, n in r.failures[:3]:
        lines.append(Content.assemble(("failed ", "bold red"), f"{n:,}× ", safe(one_line(reason))))
    for reason, n in r.blocks[:3]:
        lines.append(Content.assemble(("blocked ", "bold yellow"), f"{n:,}× ", safe(one_line(reason))))
    return Content("\n").join(lines)


def format_cents_float(cents: float) -> str:
    return format_cents(Decimal(str(round(cents, 4))))


class CampaignsScreen(Screen[None]):
    """Every campaign, its progress and its report; pause, resume, cancel, export."""

    DEFAULT_CSS = """
    CampaignsScreen #campaigns-title { height: 1; background: $panel; padding: 0 1; text-style: bold; }
    CampaignsScreen #campaigns { height: 1fr; }
    CampaignsScreen #campaign-report {
        height: auto; max-height: 9; border-top: solid $secondary; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("p", "pause", "Pause", id="campaigns.pause"),
        Binding("r", "resume", "Resume", id="campaigns.resume"),
        Binding("x", "cancel_campaign", "Cancel campaign", id="campaigns.cancel"),
        Binding("c", "export", "Export CSV", id="campaigns.export"),
        Binding("escape", "back", "Back", id="campaigns.back"),
    ]

    def __init__(
        self,
        store: Store,
        now: Callable[[], datetime],
        rep_tz: tzinfo,
        *,
        export_dir: Path | None = None,
        refresh_seconds: float = 1.0,
        select: int | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.now = now
        self.rep_tz = rep_tz
        self.export_dir = export_dir
        self.refresh_seconds = refresh_seconds
        self.views: list[CampaignView] = []
        self._select = select
        self._armed_cancel: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("Campaigns", id="campaigns-title")
        yield OptionList(id="campaigns")
        yield Static("", id="campaign-report")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.reload, name="campaigns-refresh")

    # -- reading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self._read()

    @work(
        thread=True, exclusive=True, group="campaigns-read", exit_on_error=False, description="Read campaigns"
    )
    def _read(self) -> None:
        newest = sorted(self.store.campaigns(), key=lambda c: (c.created_at, c.id), reverse=True)
        views = [CampaignView(c, self.store.campaign_progress(c.id)) for c in newest]
        self.app.call_from_thread(self._show, views)

    def _show(self, views: list[CampaignView]) -> None:
        options = self.query_one(OptionList)
        chosen = self.selected
        keep = chosen.id if chosen is not None else self._select
        self.views = views
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(row_content(v, self.rep_tz), id=str(v.campaign.id)) for v in views])
        index = next((i for i, v in enumerate(views) if v.campaign.id == keep), None)
        if index is None and views:
            index = min(highlighted or 0, len(views) - 1)
        options.highlighted = index
        self._select = None
        count = len(views)
        running = sum(1 for v in views if v.campaign.state == "running")
        self.query_one("#campaigns-title", Static).update(
            Content(f"Campaigns · {count:,} · {running:,} running · p pause · r resume · x cancel · c CSV")
        )
        if not views:
            self.query_one("#campaign-report", Static).update(
                "No campaigns yet: mark leads (space, *) and press b to write one."
            )
        self._report()

    @property
    def selected(self) -> Campaign | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.views):
            return None
        return self.views[index].campaign

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._report()

    def _report(self) -> None:
        c = self.selected
        if c is not None:
            self._read_report(c)

    @work(thread=True, exclusive=True, group="campaigns-report", exit_on_error=False, description="Report")
    def _read_report(self, c: Campaign) -> None:
        report = self.store.campaign_report(c.id)
        self.app.call_from_thread(
            self.query_one("#campaign-report", Static).update, report_content(c, report)
        )

    # -- actions --------------------------------------------------------------------------------

    def action_pause(self) -> None:
        c = self.selected
        if c is not None:
            self._act(c, "pause")

    def action_resume(self) -> None:
        c = self.selected
        if c is not None:
            self._act(c, "resume")

    def action_cancel_campaign(self) -> None:
        c = self.selected
        if c is None:
            return
        if c.state in ("cancelled", "done"):
            self.notify(f"This campaign is {c.state} already.", markup=False, timeout=3)
            return
        if self._armed_cancel != c.id:
            self._armed_cancel = c.id
            self.notify(
                "Press x again to cancel: what has not left yet will not be sent.",
                severity="warning",
                markup=False,
                timeout=4,
            )
            return
        self._armed_cancel = None
        self._act(c, "cancel")

    @work(thread=True, group="campaigns-act", exit_on_error=False, description="Campaign action")
    def _act(self, c: Campaign, what: str) -> None:
        now = self.now()
        name = one_line(c.spec.name)
        if what == "pause":
            n = self.store.pause_campaign(c.id, now=now)
            message = f"Paused “{name}”" + (f" ({n:,} queued came back to pending)." if n else ".")
        elif what == "resume":
            ok = self.store.resume_campaign(c.id, now=now)
            message = f"Resumed “{name}”." if ok else f"“{name}” is not paused."
        else:
            n = self.store.cancel_campaign(c.id, now=now)
            message = f"Cancelled “{name}”: {n:,} message{'s' if n != 1 else ''} had not left and will not."
        self.app.call_from_thread(self.notify, visible(message), markup=False, timeout=4)
        self.app.call_from_thread(self.reload)

    def action_export(self) -> None:
        c = self.selected
        if c is not None:
            self._export(c)

    @work(thread=True, group="campaigns-export", exit_on_error=False, description="Export CSV")
    def _export(self, c: Campaign) -> None:
        folder = self.export_dir or Path.cwd()
        path = folder / f"sms-tui-campaign-{c.id}.csv"
        try:
            with path.open("w", newline="", encoding="utf-8") as out:
                n = self.store.export_campaign_csv(c.id, out)
        except OSError as error:
            self.app.call_from_thread(
                self.notify, visible(f"Could not write {path}: {error}"), severity="error", markup=False
            )
            return
        self.app.call_from_thread(
            self.notify, visible(f"Exported {n:,} recipients to {path}"), markup=False, timeout=6
        )

    def action_back(self) -> None:
        self.dismiss(None)
