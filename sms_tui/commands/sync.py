"""`sms-tui sync`: fill the cache from the provider and push the outbox, headless.

The first run on a cache does the first sync (the rep's conversations of the last `--history-days`);
later runs resume from the marks stored in the cache (a handful of requests, whatever the org's
size). `--full` forces a full resync.
`--once`: start (first sync or resume), then one poll and one push, then a summary (`--json` for
scripts), all within `--deadline` seconds. Without `--once` it keeps running (push every half second,
poll at the interval; a 429 or an outage is waited out, never an exit) until Ctrl-C.
Settings come from the options, then SMS_TUI_* variables, then the config file (see config.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sms_tui.config import Settings
    from sms_tui.sync import FirstSyncProgress
    from sms_tui.sync.first_sync import Scope

EXIT_NOT_CONFIGURED = 2


def _not_configured(path: Path) -> str:
    return (
        "No provider is configured, so there is nothing to sync.\n"
        "Give the API root and key in one of these ways:\n"
        "  sms-tui login    (asks for the key without echo, checks it, saves it 0600)\n"
        "  export SMS_TUI_BASE_URL=https://api.close.com/api/v1/ SMS_TUI_API_KEY=KEY\n"
        f'  or put base_url = "…" and api_key = "…" in {path}\n'
        "To try it without an account, run `sms-tui carrier` (a fake Close) and point --base-url at it,\n"
        "or open `sms-tui demo`."
    )


def _fail(message: str, code: int, *, as_json: bool) -> NoReturn:
    """The human message on stderr; with --json also `{"ok": false, "error": …}` on stdout, so a
    script reading stdout gets an answer it can parse rather than nothing."""
    from sms_tui.commands.failures import fail  # one exit path: the message through the safe path

    fail(message, code, as_json=as_json)


@click.command()
@click.option("--once", is_flag=True, help="Sync everything once, push the outbox, print a summary and exit.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print the summary as JSON (on failure: {"ok": false, "error": ...}).',
)
@click.option(
    "--base-url", default=None, help="Provider API root (else SMS_TUI_BASE_URL or the config file)."
)
@click.option(
    "--api-key",
    default=None,
    help="Provider API key, for scripts: other users can see it in `ps`; prefer SMS_TUI_API_KEY, "
    "the config file or `sms-tui login`.",
)
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the cache lives (else SMS_TUI_DATA_DIR, the config file or the platform data dir).",
)
@click.option("--full", is_flag=True, help="Forget where the sync stands and run the first sync again.")
@click.option(
    "--history-days",
    type=click.IntRange(1, 3650),
    default=90,
    show_default=True,
    help="How far back the first sync fetches messages (older ones load when you page back).",
)
@click.option("--org-wide", is_flag=True, help="First sync every number's conversations, not only the rep's.")
@click.option(
    "--deadline",
    type=click.FloatRange(1, None),
    default=1800.0,
    show_default=True,
    help="With --once: give up (exit 1) after this many seconds.",
)
def sync(
    once: bool,
    as_json: bool,
    base_url: str | None,
    api_key: str | None,
    data_dir: Path | None,
    full: bool,
    history_days: int,
    org_wide: bool,
    deadline: float,
) -> None:
    """Sync the local cache with the provider (Close API or the fake carrier)."""
    from sms_tui.config import ConfigError, config_path, load_settings

    try:
        settings = load_settings({"base_url": base_url, "api_key": api_key, "data_dir": data_dir})
    except ConfigError as exc:
        _fail(f"Configuration problem: {exc}", EXIT_NOT_CONFIGURED, as_json=as_json)
    if not settings.has_provider:
        _fail(_not_configured(config_path()), EXIT_NOT_CONFIGURED, as_json=as_json)

    import asyncio

    from sms_tui.provider import ProviderError
    from sms_tui.sync.first_sync import Scope

    options = RunOptions(
        once=once,
        full=full,
        scope=Scope(history_days=history_days, org_wide=org_wide),
        show_progress=not as_json and sys.stderr.isatty(),
    )
    try:
        summary = asyncio.run(_bounded(_run(settings, options), deadline if once else None))
    except ProviderError as exc:
        _fail(f"Sync failed: {exc}", 1, as_json=as_json)
    except TimeoutError:
        _fail(f"Sync failed: it did not finish within {deadline:.0f} s (--deadline).", 1, as_json=as_json)
    except Exception as exc:  # a cache failure is one sentence; anything else is re-raised
        from sms_tui.commands.failures import fail_for_cache

        fail_for_cache(exc, settings.cache_path(), as_json=as_json)
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    if as_json:
        click.echo(json.dumps({"ok": True, **summary}, sort_keys=True))
    else:
        click.echo(
            f"Cache {summary['cache']}: {summary['leads']:,} leads, {summary['contacts']:,} contacts, "
            f"{summary['messages']:,} messages. This run: {summary['new_replies']} new replies, "
            f"{summary['sent']} sent, {summary['failed']} failed, {summary['blocked']} blocked"
            + (f" (provider: {summary['state']})." if summary["state"] != "online" else ".")
        )


@dataclass(frozen=True)
class RunOptions:
    once: bool
    full: bool
    scope: Scope
    show_progress: bool


async def _bounded(work: Coroutine[Any, Any, dict[str, Any]], deadline: float | None) -> dict[str, Any]:
    import asyncio

    if deadline is None:
        return await work
    async with asyncio.timeout(deadline):
        return await work


async def _run(settings: Settings, options: RunOptions) -> dict[str, Any]:
    from datetime import UTC, datetime

    from sms_tui.provider import CloseClient
    from sms_tui.store import Store
    from sms_tui.sync import SyncEngine
    from sms_tui.sync.store_cache import StoreCache

    def now() -> datetime:
        return datetime.now(UTC)

    def progress(p: FirstSyncProgress) -> None:
        if options.show_progress:
            click.echo(
                f"\r{p.stage:<9} {p.leads:>7,} leads {p.contacts:>7,} contacts {p.messages:>9,} messages",
                err=True,
                nl=p.stage == "done",
            )

    assert settings.base_url is not None and settings.api_key is not None
    cache_path = settings.cache_path()
    store = Store.open(cache_path)
    try:
        async with CloseClient(settings.base_url, settings.api_key) as client:
            engine = SyncEngine(store, client, now=now, settings=settings, scope=options.scope)
            if options.once:
                await engine.start(progress, full=options.full)
                await engine.poll_once()
                await engine.push_outbox()
            else:
                import asyncio

                await engine.run_forever(asyncio.Event(), full=options.full)
            counts = StoreCache(store).counts()
            return {
                "cache": str(cache_path),
                "leads": counts.leads,
                "contacts": counts.contacts,
                "messages": counts.messages,
                "new_replies": engine.totals.new_replies,
                "sent": engine.totals.sent,
                "failed": engine.totals.failed,
                "blocked": engine.totals.blocked,
                "state": engine.state,
                "requests": client.requests_sent,
            }
    finally:
        store.close()
