"""`sms-tui carrier`: serve the fake carrier (a Close-compatible SMS backend) on loopback.

Heavy imports (starlette, uvicorn) happen inside the command so other commands stay fast.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import click


def _parse_fault(value: str) -> tuple[str, float]:
    name, sep, raw = value.partition("=")
    if not sep:
        raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--fault")
    try:
        return name.strip(), float(raw)
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not a number", param_hint="--fault") from None


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (keep it loopback)."
)
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="0 = any free port."
)
@click.option(
    "--api-key",
    envvar="SMS_TUI_CARRIER_API_KEY",
    required=True,
    help="The key clients must send (HTTP Basic user name). Env: SMS_TUI_CARRIER_API_KEY.",
)
@click.option("--seed", default=1, show_default=True, type=int, help="Seed of the demo data and simulation.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Persist state in this SQLite file (default: in memory).",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a fault or simulation knob, e.g. --fault rate_429=0.1 (see docs/carrier.md).",
)
@click.option("--leads", type=click.IntRange(1), default=None, help="Generate an org of this many leads.")
@click.option("--sms", type=click.IntRange(0), default=None, help="…and this many SMS (with --leads).")
@click.option(
    "--users", type=click.IntRange(1), default=5, show_default=True, help="…and users (with --leads)."
)
def carrier(
    host: str,
    port: int,
    api_key: str,
    seed: int,
    db: Path | None,
    faults: tuple[str, ...],
    leads: int | None,
    sms: int | None,
    users: int,
) -> None:
    """Serve the fake carrier: Close's SMS API at /api/v1/, controls at /_carrier/."""
    began = time.perf_counter()
    from sms_tui.carrier import create_app
    from sms_tui.carrier.errors import ValidationFailed
    from sms_tui.carrier.scale import OrgSpec
    from sms_tui.carrier.server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if sms is not None and leads is None:
        raise click.BadParameter("--sms needs --leads", param_hint="--sms")
    org = OrgSpec(leads=leads, sms=sms if sms is not None else leads * 10, users=users) if leads else None
    try:
        app = create_app(api_key=api_key, seed=seed, db_path=db, org=org)
    except ValueError as exc:  # e.g. a database made with another seed
        raise click.ClickException(str(exc)) from None
    # Close's rate limits are on from the command line (40 requests/s per key and endpoint group, the
    # org 3x); --fault key_limit=0 turns them off. In-process carriers (tests, demo) start without.
    changes = {"key_limit": 40.0, **dict(_parse_fault(f) for f in faults)}
    try:
        app.carrier.plan.faults.update(changes)
    except ValidationFailed as exc:
        raise click.BadParameter(json.dumps(exc.field_errors), param_hint="--fault") from None
    where = f"SQLite {db}" if db else "memory"
    click.echo(
        f"Fake carrier: http://{host}:{port}/api/v1/ (seed {seed}, state in {where}); "
        f"ready in {time.perf_counter() - began:.2f} s. Ctrl+C to stop.",
        err=True,
    )
    serve(app, host, port)
