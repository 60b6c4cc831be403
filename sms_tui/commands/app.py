"""`sms-tui` (open the inbox) and `sms-tui demo` (not built yet)."""

from __future__ import annotations

import click


@click.command()
def demo() -> None:
    """Open the inbox against the built-in fake carrier (not built yet)."""
    click.echo(
        "sms-tui demo will start the fake carrier in-process and open the inbox on it; "
        "the inbox is not built yet.",
        err=True,
    )
    raise SystemExit(1)


@click.command(name="inbox")
def open_inbox() -> None:
    """Open the inbox on the configured provider (not built yet)."""
    click.echo("The inbox is not built yet. Try `sms-tui segments TEXT`.", err=True)
    raise SystemExit(1)
