"""`sms-tui keys`: the effective key map (built-in keys with the config's `[keys]` applied)."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the map as JSON.")
def keys(as_json: bool) -> None:
    """Print every action id, its keys and what it does (after your [keys] remapping)."""
    from sms_tui.commands.failures import fail
    from sms_tui.config import ConfigError, load_settings
    from sms_tui.core.safe_text import safe
    from sms_tui.ui.keymap import check_keymap, effective_keys

    try:
        rows = effective_keys(check_keymap(load_settings().keys))
    except ConfigError as exc:
        fail(f"Configuration problem: {exc}", 2, as_json=as_json)
    if as_json:
        table = [
            {
                "where": r.where,
                "id": r.id,
                "keys": list(r.keys),
                "description": r.description,
                "remapped": r.remapped,
            }
            for r in rows
        ]
        click.echo(json.dumps(table, ensure_ascii=False))
        return
    width = max(len(r.id) for r in rows)
    key_width = max(len(", ".join(r.keys)) for r in rows)
    where = ""
    for row in rows:
        if row.where != where:
            where = row.where
            click.echo(f"{where}:")
        shown = safe(", ".join(row.keys), one_line=True)  # keys from the rep's config
        mark = "  (remapped)" if row.remapped else ""
        click.echo(f"  {row.id:<{width}}  {shown:<{key_width}}  {row.description}{mark}")
