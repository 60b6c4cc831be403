"""`sms-tui login`: ask for the Close API key without echo, check it against /me/, save it privately.

The key never goes on a command line (where `ps` shows it to every user of the machine): it is
typed at a hidden prompt (or piped on stdin), checked with one `GET /me/`, and written with the
rest of the settings to the config file, 0600 in a 0700 folder (`config.save_settings`).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import click

from sms_tui.commands.failures import fail

DEFAULT_BASE_URL = "https://api.close.com/api/v1/"
EXIT_KEY_REFUSED = 3


async def _who(base_url: str, api_key: str) -> str:
    """The name and organization the key belongs to (raises ProviderError when refused)."""
    from sms_tui.provider import CloseClient

    async with CloseClient(base_url, api_key) as client:
        me = await client.me()
    name = f"{me.first_name} {me.last_name}".strip() or me.email or me.id
    org = me.organizations[0].name if me.organizations else ""
    return f"{name} ({org})" if org else name


def _tighten(target: Path) -> None:
    """The file login is about to rewrite 0600 is made 0600 now, so it can be read to keep the
    other settings; if it held a key others could read, say that key may have leaked."""
    import stat

    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        target.chmod(0o600)
        click.echo(
            f"{target} was readable by other users (mode {mode:04o}); it is 0600 now. If it held an "
            "API key, consider replacing that key in Close.",
            err=True,
        )


@click.command()
@click.option(
    "--base-url",
    default=None,
    help=f"Provider API root (default: the config's, else {DEFAULT_BASE_URL}).",
)
@click.option(
    "--config",
    "config_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write this config file (default: SMS_TUI_CONFIG or the platform config dir).",
)
def login(base_url: str | None, config_file: Path | None) -> None:
    """Save your Close API key: asked without echo, checked against /me/, stored 0600."""
    from sms_tui.config import (
        ConfigError,
        Settings,
        config_path,
        load_settings,
        save_settings,
        with_overrides,
    )
    from sms_tui.core.safe_text import safe
    from sms_tui.provider import ProviderError

    target = config_file if config_file is not None else config_path()
    _tighten(target)
    try:
        current = load_settings(env={}, path=target) if target.exists() else Settings()
    except ConfigError as exc:
        fail(f"Configuration problem: {exc}", 2)
    root = base_url or current.base_url or DEFAULT_BASE_URL
    try:
        current = with_overrides(current, base_url=root)  # refuses a root that is not http(s)://host
    except ConfigError as exc:
        fail(str(exc), 2)
    api_key = click.prompt("Close API key (typing is hidden)", hide_input=True, err=True).strip()
    if not api_key:
        fail("No key given; nothing was saved.", 2)
    try:
        who = asyncio.run(_who(root, api_key))
    except ProviderError as exc:
        fail(
            f"The key was not accepted by {root}: {safe(str(exc), one_line=True)} Nothing was saved.",
            EXIT_KEY_REFUSED,
        )
    settings = replace(current, api_key=api_key)
    try:
        written = save_settings(settings, target)
    except OSError as exc:
        fail(f"Could not write {target}: {exc.strerror or exc}.", 1)
    click.echo(
        f"Signed in as {safe(who, one_line=True)}. Saved to {written} (readable by you only).", err=True
    )
