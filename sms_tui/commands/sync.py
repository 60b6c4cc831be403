"""`sms-tui sync` (not built yet)."""

from __future__ import annotations

import click


@click.command()
def sync() -> None:
    """Not built yet."""
    raise click.ClickException("sms-tui sync is not built yet")
