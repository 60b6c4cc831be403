"""`sms-tui cache rebuild`: the rep's unsent texts and drafts are saved before the cache moves aside."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from sms_tui.cli import main
from sms_tui.store import Store
from sms_tui.store.failures import CacheError
from tests.store.conftest import NOW, make_lead


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SMS_TUI_CONFIG": str(tmp_path / "none.toml"), "SMS_TUI_DATA_DIR": str(tmp_path / "data")}


def _damaged_cache_with_work(tmp_path: Path) -> Path:
    """A cache holding one queued text and one draft, then cut short at the end (truncated)."""
    path = tmp_path / "data" / "cache.sqlite3"
    with Store.open(path) as store:
        store.upsert_leads([make_lead(1), make_lead(2)])
        store.enqueue_send(
            lead_id="lead_1",
            contact_id="cont_1",
            text="Still coming Tuesday? ‮ [b]",
            remote_phone="+16505550001",
            local_phone="+16503334444",
            send_at=NOW + timedelta(seconds=5),
            now=NOW,
        )
        store.save_draft("lead_2", "half-written reply")
        store.db.execute("CREATE TABLE filler (x)")
        with store._write() as conn:
            conn.executemany("INSERT INTO filler VALUES (?)", [("z" * 1000,) for _ in range(300)])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - 8 * 4096)
    return path


def test_rebuild_saves_unsent_texts_and_drafts_then_starts_fresh(tmp_path: Path) -> None:
    path = _damaged_cache_with_work(tmp_path)
    try:
        Store.open(path).close()
        raise AssertionError("the truncated cache opened")
    except CacheError as exc:
        assert exc.problem == "corrupt"
    result = CliRunner().invoke(main, ["cache", "rebuild", "--json"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["unsent"] == 1 and answer["drafts"] == 1, (answer, result.stderr)
    saved = json.loads(Path(answer["saved_to"]).read_text(encoding="utf-8"))
    assert saved["unsent"][0]["text"] == "Still coming Tuesday? ‮ [b]"
    assert saved["drafts"][0] == {
        "lead_id": "lead_2",
        "text": "half-written reply",
        "updated_at": saved["drafts"][0]["updated_at"],
    }
    assert stat.S_IMODE(Path(answer["saved_to"]).stat().st_mode) == 0o600
    assert Path(answer["moved_to"]).exists()
    with Store.open(path) as fresh:  # a new, empty, healthy cache
        assert fresh.stats() == {"leads": 0, "contacts": 0, "messages": 0}


def test_rebuild_without_a_cache_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["cache", "rebuild"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "There is no cache at" in result.stderr and "Traceback" not in result.output
