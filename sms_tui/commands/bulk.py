"""`sms-tui bulk`: the bulk campaign the inbox builds (issue 14), from a search, headless.

    sms-tui bulk --query QUERY (--template NAME | --text TEXT) [--schedule WHEN] [--drip N/M]
                 [--daily-cap N] [--include-warnings] [--name NAME] [--dry-run] [--json]

The recipients are the leads the inbox lists for QUERY (the search language of the lead list); each
is previewed exactly as the inbox's preview does (core/campaign.py through ui/bulk.py's BulkPlan:
merge fields, encoding and segments, cost, the phone and our number, their local time, the send
guard's verdict). Like "approve all clean", only leads whose verdict is ok go (`--include-warnings`
adds the warned ones); blocked ones never go. The campaign is stored in the cache; the sync engine
(`sms-tui` or `sms-tui sync`) runs it, through the same outbox as any send. `--dry-run` stores
nothing and prints every recipient's preview and verdict (`--json`: a JSON object).

`--schedule` takes a moment ("2026-11-24 09:00" in the rep's zone, or with an offset) or a time in
each lead's own zone ("9:30 their time"); `--drip N/M` sends N messages every M minutes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sms_tui.config import Settings
    from sms_tui.core.bulk_spec import CampaignSpec
    from sms_tui.core.campaign import Preview
    from sms_tui.store import Store
    from sms_tui.ui.bulk import BulkPlan

EXIT_BAD_INPUT = 2
_THEIR_TIME = re.compile(
    r"^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s+(?:their\s+time|local(?:\s+time)?|their\s+local\s+time)\s*$",
    re.IGNORECASE,
)
_DRIP = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*(?:m|min|minutes?)?\s*$", re.IGNORECASE)


def _fail(message: str, code: int = EXIT_BAD_INPUT, *, as_json: bool) -> NoReturn:
    from sms_tui.commands.failures import fail

    fail(message, code, as_json=as_json)


def _now() -> datetime:
    """The clock (tests replace it)."""
    return datetime.now(UTC)


class BadInput(ValueError):
    """A sentence for the rep about what they typed."""


def parse_schedule(text: str, *, now: datetime, tz: tzinfo) -> tuple[datetime | None, time | None]:
    """`--schedule` -> (moment, None) or (None, local time in each lead's zone)."""
    match = _THEIR_TIME.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        meridiem = (match.group(3) or "").lower()
        if meridiem:
            if not 1 <= hour <= 12:
                raise BadInput(f"--schedule {text!r}: with am/pm the hour is 1 to 12.")
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise BadInput(f"--schedule {text!r}: not a time of day.")
        return None, time(hour, minute)
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise BadInput(
            f'--schedule {text!r} is not understood: give a moment such as "2026-11-24 09:00" (your '
            'time zone unless it has an offset) or a time in each lead\'s zone such as "9:30 their time".'
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    if moment <= now:
        raise BadInput(f"--schedule {text!r} is in the past.")
    return moment.astimezone(UTC), None


def parse_drip(text: str) -> tuple[int, int]:
    """`--drip N/M` -> (N messages, every M minutes)."""
    match = _DRIP.match(text)
    if not match:
        raise BadInput(
            f'--drip {text!r} is not understood: give N/M, e.g. "20/15" for 20 messages every 15 minutes.'
        )
    n, m = int(match.group(1)), int(match.group(2))
    if n < 1 or m < 1:
        raise BadInput(f"--drip {text!r}: at least 1 message every 1 minute or more.")
    return n, m


@dataclass(frozen=True)
class Options:
    """What was typed (the command's options, by name)."""

    query: str
    template: str | None
    text: str | None
    name: str | None
    schedule: str | None
    drip: str | None
    daily_cap: int | None
    include_warnings: bool
    dry_run: bool
    as_json: bool
    data_dir: Path | None


@dataclass(frozen=True)
class Built:
    spec: CampaignSpec
    plan: BulkPlan  # the previews and the decisions (approved = will be sent)

    @property
    def previews(self) -> list[Preview]:
        return self.plan.previews

    @property
    def going(self) -> list[Preview]:
        return [p for p in self.plan.previews if self.plan.decision(p.lead_id) == "approved"]


@click.command()
@click.option(
    "--query", "query", required=True, help="The leads: a lead-list search, e.g. 'opted_out:false'."
)
@click.option("--template", "template", default=None, help="The message: an SMS template, by name.")
@click.option("--text", "text", default=None, help="The message: this text (merge fields allowed).")
@click.option("--name", "name", default=None, help="The campaign's name (default: the query and the date).")
@click.option(
    "--schedule", "schedule", default=None, help='"2026-11-24 09:00" (your zone) or "9:30 their time".'
)
@click.option("--drip", "drip", default=None, help='N/M: N messages every M minutes, e.g. "20/15".')
@click.option("--daily-cap", "daily_cap", type=click.IntRange(1, None), default=None,
              help="At most this many messages per sending number per day.")  # fmt: skip
@click.option(
    "--include-warnings", is_flag=True, help="Send leads with warnings too (default: only clean ones)."
)
@click.option("--dry-run", is_flag=True, help="Store nothing: print each recipient's preview and verdict.")
@click.option("--json", "as_json", is_flag=True, help='Print JSON (on failure: {"ok": false, "error": ...}).')
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the cache lives (else SMS_TUI_DATA_DIR, the config file or the platform data dir).",
)
def bulk(**params: Any) -> None:
    """Text every lead of a search: preview each message, then store the campaign for the sync
    engine to send (throttled, scheduled or dripped; never in quiet hours)."""
    options = Options(**params)
    as_json = options.as_json
    if (options.template is None) == (options.text is None):
        _fail("Give the message with exactly one of --template NAME or --text TEXT.", as_json=as_json)
    if options.schedule is not None and options.drip is not None:
        _fail("Give --schedule or --drip, not both (a drip starts now).", as_json=as_json)

    from sms_tui.commands.failures import fail_for_cache
    from sms_tui.config import ConfigError, load_settings
    from sms_tui.store import Store

    try:
        settings = load_settings({"data_dir": options.data_dir})
    except ConfigError as exc:
        _fail(f"Configuration problem: {exc}", as_json=as_json)
    cache = settings.cache_path()
    if not cache.exists():
        _fail(f"There is no cache at {cache} yet: run `sms-tui sync --once` first.", as_json=as_json)
    try:
        store = Store.open(cache)
    except Exception as exc:
        fail_for_cache(exc, cache, as_json=as_json)
        raise
    try:
        try:
            built = _build(store, settings, options)
        except BadInput as exc:
            _fail(str(exc), as_json=as_json)
        if options.dry_run:
            _print_dry_run(built, as_json=as_json)
            return
        _create(store, built, as_json=as_json)
    except Exception as exc:  # a cache that breaks (or locks) mid-way: its one sentence, no traceback
        fail_for_cache(exc, cache, as_json=as_json)
        raise
    finally:
        store.close()


def _build(store: Store, settings: Settings, options: Options) -> Built:
    from sms_tui.core.bulk_spec import CampaignSpec, SendMode, SpecError
    from sms_tui.core.campaign import BulkMessage, compose_problem
    from sms_tui.core.query import QuerySyntaxError
    from sms_tui.rules import compliance_rules, rep_zone
    from sms_tui.ui.bulk import BulkPlan

    now = _now()
    tz = rep_zone(settings.timezone)
    query, text, template = options.query, options.text, options.template
    template_id = None
    if template is not None:
        found = [t for t in store.templates() if t.name.casefold() == template.strip().casefold()]
        if not found:
            names = ", ".join(repr(t.name) for t in store.templates()) or "none (run `sms-tui sync` first)"
            raise BadInput(f"No SMS template is named {template!r}. Templates: {names}.")
        text, template_id = found[0].text, found[0].id
    assert text is not None
    try:
        lead_ids = store.lead_ids(query, now=now, tz=tz)
    except QuerySyntaxError as exc:
        raise BadInput(f"--query {query!r}: {exc}") from None
    problem = compose_problem(text, len(lead_ids))
    if problem is not None:
        if not lead_ids:
            problem = f"No lead matches --query {query!r}."
        raise BadInput(problem)
    schedule, drip = options.schedule, options.drip
    at, local = parse_schedule(schedule, now=now, tz=tz) if schedule else (None, None)
    n, m = parse_drip(drip) if drip else (0, 0)
    mode: SendMode = "drip" if drip else "schedule" if schedule else "now"
    spec = CampaignSpec(
        name=options.name or f"{query} ({now.astimezone(tz):%Y-%m-%d %H:%M})",
        text=text,
        template_id=template_id,
        mode=mode,
        at=at,
        local_time=local,
        drip_count=n,
        drip_minutes=m,
        daily_cap=options.daily_cap,
    )
    try:
        spec.check()
    except SpecError as exc:
        raise BadInput(str(exc)) from None
    me, org = store.me(), store.organization()
    message = BulkMessage(
        text,
        template_id,
        me.first_name if me else "",
        me.last_name if me else "",
        me.email if me else "",
        org_name=org.name if org else "",
    )
    plan = BulkPlan(message, store.our_numbers(), rules=compliance_rules(settings))
    recipients = store.preview_recipients(lead_ids)
    plan.add(recipients, plan.compute(recipients, now))
    plan.approve_all_clean()
    if options.include_warnings:
        for p in plan.previews:
            if p.verdict == "warn" and plan.decision(p.lead_id) is None:
                plan.toggle(p.lead_id)
    return Built(spec, plan)


def _decision(p: Preview, plan: BulkPlan) -> str:
    if p.verdict == "block":
        return "blocked"
    return "send" if plan.decision(p.lead_id) == "approved" else "skip"


def _print_dry_run(built: Built, *, as_json: bool) -> None:
    from sms_tui.core.campaign import format_cents
    from sms_tui.core.safe_text import safe

    going = built.going
    segments = sum(p.segments for p in going)
    cost = sum((p.cost_cents for p in going), start=Decimal(0))
    verdicts = {v: sum(1 for p in built.previews if p.verdict == v) for v in ("ok", "warn", "block")}
    if as_json:
        out = {
            "ok": True,
            "dry_run": True,
            "campaign": _spec_json(built.spec),
            "totals": {
                "recipients": len(built.previews),
                "ok": verdicts["ok"],
                "warned": verdicts["warn"],
                "blocked": verdicts["block"],
                "sending": len(going),
                "segments": segments,
                "cost_cents": str(cost),
            },
            "recipients": [{**p.as_json(), "decision": _decision(p, built.plan)} for p in built.previews],
        }
        click.echo(json.dumps(out, ensure_ascii=True, indent=2))
        return
    for p in built.previews:
        to = p.to_number or "(no phone)"
        line = f"{_decision(p, built.plan):<7} {p.verdict:<5} {safe(p.lead_name)[:30]:<30} {to:<16} "
        line += f"{p.segments} seg  " + safe(p.reason or p.text)[:80]
        click.echo(line)
    click.echo(
        f"{len(built.previews)} recipients: {verdicts['ok']} ok, {verdicts['warn']} with warnings, "
        f"{verdicts['block']} blocked. Would send {len(going)} ({segments} segments, "
        f"about {format_cents(cost)}). Nothing was stored (--dry-run)."
    )


def _spec_json(spec: CampaignSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "mode": spec.mode,
        "template_id": spec.template_id,
        "at": spec.at.isoformat() if spec.at else None,
        "local_time": spec.local_time.strftime("%H:%M") if spec.local_time else None,
        "drip": f"{spec.drip_count}/{spec.drip_minutes}" if spec.mode == "drip" else None,
        "daily_cap": spec.daily_cap,
    }


def _create(store: Store, built: Built, *, as_json: bool) -> None:
    from sms_tui.core.safe_text import safe

    rows, _no_route = built.plan.new_recipients()  # no phone / no number of ours: blocked, not stored
    if not built.going:
        _fail("No recipient is clean enough to send (see --dry-run); nothing was stored.", as_json=as_json)
    cid = store.create_campaign(built.spec, rows, now=_now())
    progress = store.campaign_progress(cid)
    if as_json:
        click.echo(json.dumps({"ok": True, "campaign_id": cid, "campaign": _spec_json(built.spec),
                               "counts": dict(progress.counts)}, ensure_ascii=True))  # fmt: skip
        return
    c = progress.counts
    click.echo(
        f"Campaign {cid} {safe(built.spec.name)!s}: {c['pending']} to send, {c['blocked']} blocked, "
        f"{c['skipped']} skipped. It runs while `sms-tui` or `sms-tui sync` is running."
    )
