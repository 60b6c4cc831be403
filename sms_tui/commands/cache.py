"""`sms-tui cache rebuild`: move a damaged cache aside and start a fresh one, saving the rep's work first.

The cache is a copy of the provider, except for what only the rep has: texts not yet on the
provider (outbox, sending, scheduled here, failed or blocked before they left) and drafts. Those
are read from the damaged file (whatever can still be read) and written to a JSON file next to
it (0600) before anything moves. Nothing is re-sent: a text that was mid-send may be on the
provider already, so the rep decides. The next `sms-tui sync` or launch refills the new cache.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

#: Outbound rows that only this cache knows about (never acknowledged by the provider).
_UNSENT_SQL = (
    "SELECT local_id, lead_id, contact_id, remote_phone, local_phone, text, local_state, send_at, "
    "date_scheduled, last_error, block_reason FROM messages "
    "WHERE direction = 'outbound' AND remote_id IS NULL AND local_state <> 'draft' ORDER BY local_id"
)
_DRAFTS_SQL = "SELECT lead_id, text, updated_at FROM drafts ORDER BY lead_id"
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def rescue(path: Path) -> dict[str, Any]:
    """Whatever unsent texts and drafts can be read from `path` (never written; problems listed).

    A truncated file claims more pages than it has, and SQLite then refuses every table; a
    private copy with the page count set to what is really there still reads the tables whose
    pages survived.
    """
    found: dict[str, Any] = {"cache": str(path), "unsent": [], "drafts": [], "unreadable": []}
    problems = _read_into(path, found)
    if problems:
        copy = path.with_name(f".{path.name}.rescue")
        try:
            fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out, path.open("rb") as src:
                shutil.copyfileobj(src, out)
            _fit_page_count(copy)
            problems = _read_into(copy, found, only=set(problems))
        except OSError as exc:
            problems = {
                key: f"{why} (and no copy could be made: {exc.strerror})" for key, why in problems.items()
            }
        finally:
            for suffix in _SIDE_FILES:
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
    found["unreadable"] = [f"{key}: {why}" for key, why in problems.items()]
    return found


def _read_into(path: Path, found: dict[str, Any], only: set[str] | None = None) -> dict[str, str]:
    problems: dict[str, str] = {}
    wanted = [
        (k, sql) for k, sql in (("unsent", _UNSENT_SQL), ("drafts", _DRAFTS_SQL)) if only is None or k in only
    ]
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error as exc:
        return {key: str(exc) for key, _ in wanted}
    conn.row_factory = sqlite3.Row
    try:
        for key, sql in wanted:
            try:
                found[key] = [dict(row) for row in conn.execute(sql)]
            except sqlite3.Error as exc:
                problems[key] = str(exc)
    finally:
        conn.close()
    return problems


def _fit_page_count(path: Path) -> None:
    """Set the header's page count (offset 28) to the pages the file really holds."""
    with path.open("r+b") as fh:
        header = fh.read(100)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
            return
        page_size = struct.unpack(">H", header[16:18])[0]
        page_size = 65536 if page_size == 1 else page_size
        fh.seek(28)
        fh.write(struct.pack(">I", path.stat().st_size // page_size))


def rebuild(path: Path, *, now: datetime | None = None) -> dict[str, Any]:
    """Save the rep's work, move the cache (and its -wal/-shm) aside, create an empty cache."""
    from sms_tui.store import Store

    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    saved = rescue(path)
    export = path.with_name(f"{path.stem}-rescue-{stamp}.json")
    fd = os.open(export, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(saved, out, indent=2, ensure_ascii=False)
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    for suffix in _SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            side.rename(Path(f"{aside}{suffix}"))
    Store.open(path).close()
    return {
        "ok": True,
        "cache": str(path),
        "moved_to": str(aside),
        "saved_to": str(export),
        "unsent": len(saved["unsent"]),
        "drafts": len(saved["drafts"]),
        "unreadable": saved["unreadable"],
    }


@click.group()
def cache() -> None:
    """Look after the local cache."""


@cache.command(name="rebuild")
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the cache lives (else SMS_TUI_DATA_DIR, the config file or the platform data dir).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def rebuild_command(data_dir: Path | None, as_json: bool) -> None:
    """Move a damaged cache aside and start a fresh one (unsent texts and drafts are saved first)."""
    from sms_tui.commands.failures import fail
    from sms_tui.config import ConfigError, load_settings

    try:
        settings = load_settings({"data_dir": data_dir})
    except ConfigError as exc:
        fail(f"Configuration problem: {exc}", 2, as_json=as_json)
    path = settings.cache_path()
    if not path.exists():
        fail(f"There is no cache at {path}: nothing to rebuild.", 1, as_json=as_json)
    try:
        result = rebuild(path)
    except OSError as exc:
        fail(f"Could not rebuild the cache {path}: {exc.strerror or exc}.", 1, as_json=as_json)
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
        return
    click.echo(f"Moved the old cache to {result['moved_to']}.")
    click.echo(
        f"Saved {result['unsent']} unsent text(s) and {result['drafts']} draft(s) to {result['saved_to']} "
        "(nothing was re-sent: check them against Close before sending again)."
    )
    for problem in result["unreadable"]:
        click.echo(f"Could not read {problem}", err=True)
    click.echo("Run `sms-tui sync` or open `sms-tui` to fill the new cache from the provider.")
