"""`sms-tui carrier` (not built yet)."""

from __future__ import annotations

import click


@click.command()
def carrier() -> None:
    """Not built yet."""
    raise click.ClickException("sms-tui carrier is not built yet")
