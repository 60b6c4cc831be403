"""`sms-tui segments` (not built yet)."""

from __future__ import annotations

import click


@click.command()
def segments() -> None:
    """Not built yet."""
    raise click.ClickException("sms-tui segments is not built yet")
