"""Opening the inbox, without click: the plain `sms-tui` goes straight here (`sms_tui/launch.py`).

Click, the other commands and everything they import (bulk, segments, login, cache, …) are not on
the path to the inbox's first rows; click loads only if something fails and has to be said the
way click says it (`Error: …`, exit code 1). `sms_tui.commands.app` wraps these functions in the
click commands the group runs (`open_inbox`, invoked without a sub-command; `sms-tui demo`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from sms_tui.config import ConfigError, Settings, config_path, load_settings

HOW_TO_CONFIGURE = """\
No provider is configured, so there is no inbox to open.

Sign in with `sms-tui login` (asks for your Close API key without echo, checks it, and
saves it in a config file only you can read), or configure one with environment variables:

    export SMS_TUI_BASE_URL=https://api.close.com/api/v1/
    export SMS_TUI_API_KEY=...your Close API key...

or in the config file {path}:

    base_url = "https://api.close.com/api/v1/"
    api_key = "..."

Or try everything against the built-in fake carrier, no account needed:

    sms-tui demo          (or: make demo)
"""


def start() -> None:
    """The plain `sms-tui`: what the click group does without a sub-command, and ends the same way
    on an error (`Error: …` and exit code 1 for a config it cannot understand)."""
    from sms_tui.commands.failures import install_safe_logging

    install_safe_logging()
    try:
        open_configured()
    except KeyboardInterrupt:  # as click's standalone mode says it
        print("\nAborted!", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        click = sys.modules.get("click")  # only code that imported click can have raised its errors
        if click is not None and isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


def open_configured() -> None:
    """Open the inbox on the configured provider (or say how to configure one, exit code 2)."""
    settings = load(None)
    if not settings.has_provider or settings.base_url is None or settings.api_key is None:
        print(HOW_TO_CONFIGURE.format(path=config_path()), file=sys.stderr)
        raise SystemExit(2)
    run_inbox(
        settings,
        base_url=settings.base_url,
        api_key=settings.api_key,
        cache=settings.cache_path(),
        title="sms-tui",
    )


def load(overrides: dict[str, Any] | None) -> Settings:
    """The settings; a config that cannot be understood is click's one-line error."""
    try:
        return load_settings(overrides or {})
    except ConfigError as error:
        import click

        raise click.ClickException(str(error)) from None


def run_inbox(settings: Settings, *, base_url: str, api_key: str, cache: Path, title: str) -> None:
    """Open the cache, build the client and engine factory, run the app until the rep quits.

    The HTTP client and the sync engine (httpx, an SSL context) are imported and built by the
    factory, not here: nothing but Textual, the store and core should stand before first paint.
    """
    from datetime import UTC, datetime

    from sms_tui.commands.failures import cache_failures
    from sms_tui.rules import compliance_rules, rep_zone
    from sms_tui.store import Store
    from sms_tui.ui.keymap import check_keymap
    from sms_tui.ui.widgets.lead_pages import first_page

    try:  # an unknown action id or a key bound twice is refused before anything opens
        keymap = check_keymap(settings.keys, f"[keys] in {config_path()}")
    except ConfigError as exc:
        import click

        raise click.ClickException(str(exc)) from None

    with cache_failures(cache):  # a broken cache is one sentence and its exit code, not a traceback
        store = Store.open(cache)  # creates the folder 0700 and the file 0600
    # The lead list's first page is read from here on, in a thread, beside the app's imports and
    # start: its rows are in the first frame (`lead_pages.first_page`).
    tz = rep_zone(settings.timezone)
    first_rows = first_page(store, datetime.now(UTC), tz)

    from sms_tui.sync.events import Listener, SyncDriver
    from sms_tui.ui import css_cache
    from sms_tui.ui.app import SmsApp, utc_now

    css_cache.install()  # Textual's parsed CSS, kept from the last start (`ui/css_cache.py`)

    def engine_factory(listener: Listener) -> SyncDriver:
        # Called by the UI's sync worker after the first frame: httpx, the client and the engine
        # load there, off the path to first paint.
        from sms_tui.provider import CloseClient
        from sms_tui.sync.engine import SyncEngine

        client = CloseClient(base_url, api_key)
        return SyncEngine(store, client, now=utc_now, listener=listener, settings=settings)

    app = SmsApp(
        store,
        engine_factory=engine_factory,
        now=utc_now,
        undo_seconds=settings.undo_seconds,
        poll_seconds=settings.poll_interval,
        keymap=keymap,
        rep_tz=tz,
        rules=compliance_rules(settings),
        media=_media(settings, cache),
        title=title,
        first_rows=first_rows,
    )
    _prepare_graphics()
    try:
        app.run()
    finally:
        store.close()
        css_cache.uninstall()  # Textual's own parse again for anything run in this process after


def _media(settings: Settings, cache: Path) -> Any:
    """Received files (fetched by the sync engine into its private cache, saved in the download
    folder, opened with the system's opener) and the MMS rules from the settings."""
    from sms_tui.core.mms import MmsRules
    from sms_tui.rules import mms_countries, mms_limits
    from sms_tui.ui.media import Media

    return Media(
        download_dir=settings.resolved_download_dir(),
        rules=MmsRules(countries=mms_countries(settings), limits=mms_limits(settings)),
        work_dir=cache.parent / "outgoing",  # shrunk pictures wait here for their upload
    )


def _prepare_graphics() -> None:
    """Ask the terminal about pixel graphics now, before Textual reads the keyboard (only where
    its environment suggests it has them: elsewhere nothing is probed)."""
    import os

    from sms_tui.ui import graphics

    graphics.prepare(os.environ, bool(sys.__stdout__ and sys.__stdout__.isatty()))
