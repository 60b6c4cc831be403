"""The `sms-tui` command line: a click group whose commands live in `sms_tui/commands/`.

Each command module imports its heavy dependencies lazily, so `sms-tui segments`
never loads Textual or the HTTP stack.
"""

from __future__ import annotations

import gc

import click

from sms_tui.commands.app import demo, open_inbox
from sms_tui.commands.bulk import bulk
from sms_tui.commands.cache import cache
from sms_tui.commands.carrier import carrier
from sms_tui.commands.keys import keys
from sms_tui.commands.login import login
from sms_tui.commands.segments import segments
from sms_tui.commands.sync import sync


@click.group(invoke_without_command=True)
@click.version_option(package_name="sms-tui")
@click.pass_context
def main(ctx: click.Context) -> None:
    """A keyboard-driven SMS inbox for sales reps (Close CRM API)."""
    from sms_tui.commands.failures import install_safe_logging

    install_safe_logging()
    if ctx.invoked_subcommand not in (None, "demo"):
        gc.enable()  # only the inbox waits for its first frame to collect (`sms_tui/launch.py`)
    if ctx.invoked_subcommand is None:
        ctx.invoke(open_inbox)


main.add_command(segments)
main.add_command(carrier)
main.add_command(sync)
main.add_command(demo)
main.add_command(cache)
main.add_command(login)
main.add_command(keys)
main.add_command(bulk)
