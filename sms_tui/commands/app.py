"""`sms-tui` (open the inbox on the configured provider) and `sms-tui demo` (on the fake carrier).

The work is in `sms_tui.commands.inbox`, which has no click: the plain `sms-tui` runs it directly
(`sms_tui/launch.py`); `open_inbox` is what the click group invokes when it is given options only.
Textual, httpx and the carrier are imported inside the commands so `sms-tui segments` stays light.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import click

from sms_tui.commands.inbox import load, open_configured, run_inbox


@click.command()
@click.option(
    "--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), help="Keep the cache here."
)
@click.option("--seed", default=7, show_default=True, help="Which generated organization the carrier serves.")
@click.option(
    "--undo-seconds", type=float, default=None, help="Undo delay for sends (default from config, 5)."
)
@click.option(
    "--poll", "poll_interval", type=float, default=5.0, show_default=True, help="Seconds between polls."
)
def demo(data_dir: Path | None, seed: int, undo_seconds: float | None, poll_interval: float) -> None:
    """Open the inbox against the built-in fake carrier (loopback, random key, fresh cache)."""
    from sms_tui.carrier import start_background

    settings = load({"undo_seconds": undo_seconds, "poll_interval": poll_interval})
    api_key = "demo_" + secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="sms-tui-demo-") as tmp:
        root = data_dir if data_dir is not None else Path(tmp)
        carrier = start_background(host="127.0.0.1", port=0, api_key=api_key, seed=seed)
        try:
            run_inbox(
                settings,
                base_url=carrier.base_url,
                api_key=api_key,
                cache=root / "cache.sqlite3",
                title="sms-tui demo",
            )
        finally:
            carrier.stop()


@click.command(name="inbox")
def open_inbox() -> None:
    """Open the inbox on the configured provider."""
    open_configured()
