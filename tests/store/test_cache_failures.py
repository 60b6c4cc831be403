"""A broken cache is one sentence, a distinct exit code, `{"ok": false, …}` with --json, no traceback,
and the file left as it was. Real files: corrupt, truncated, not a database, locked by a second
connection, read-only, a folder we may not write, and a disk that is full (RLIMIT_FSIZE).

Permissions mean nothing to root, so when the tests run as root the read-only and folder cases run
`sms-tui` without the capabilities that let root ignore them (util-linux `setpriv`); RLIMIT_FSIZE
is set in the child process only.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import sms_tui.store.base as store_base
from sms_tui.carrier import FakeClock, RunningCarrier, start_background
from sms_tui.cli import main
from sms_tui.store import Store
from sms_tui.store.failures import EXIT_CODES, CacheError

KEY = "cache-failure-key"
#: Run a child as root without the power to ignore file permissions.
WITHOUT_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner,-linux_immutable"]


@pytest.fixture(scope="module")
def carrier() -> Iterator[RunningCarrier]:
    running = start_background(api_key=KEY, seed=3, clock=FakeClock())
    yield running
    running.stop()


@pytest.fixture(scope="module")
def synced(carrier: RunningCarrier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache filled by a real `sms-tui sync --once`, checkpointed into one file."""
    data = tmp_path_factory.mktemp("synced")
    result = CliRunner().invoke(main, _sync_args(carrier, data), env=_env(data))
    assert result.exit_code == 0, result.output
    path = data / "cache.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def _env(folder: Path) -> dict[str, str]:
    return {"SMS_TUI_CONFIG": str(folder / "none.toml"), "SMS_TUI_API_KEY": "", "SMS_TUI_BASE_URL": ""}


def _sync_args(carrier: RunningCarrier, data: Path, *, as_json: bool = False) -> list[str]:
    args = ["sync", "--once", "--base-url", carrier.base_url, "--api-key", KEY, "--data-dir", str(data)]
    return [*args, "--json"] if as_json else args


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(carrier: RunningCarrier, data: Path, *, as_json: bool) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, _sync_args(carrier, data, as_json=as_json), env=_env(data))
    return result.exit_code, result.stdout, result.stderr


def _process(
    carrier: RunningCarrier,
    data: Path,
    *,
    as_json: bool,
    obey_permissions: bool = False,
    fsize: int | None = None,
) -> tuple[int, str, str]:
    """`sms-tui sync --once` in its own process (bound by file permissions even as root, or with
    a file-size limit)."""

    def limits() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, resource.RLIM_INFINITY))

    env = {**os.environ, **_env(data), "HOME": str(data)}
    prefix: list[str] = []
    if obey_permissions and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file permissions cannot be tested")
        prefix = WITHOUT_OVERRIDE
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "sms_tui", *_sync_args(carrier, data, as_json=as_json)],
        capture_output=True,
        text=True,
        env=env,
        cwd=data,
        preexec_fn=limits,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _assert_one_sentence(code: int, out: str, err: str, problem: str, *, as_json: bool, words: str) -> None:
    assert code == EXIT_CODES[problem], (code, out, err)  # type: ignore[index]
    assert "Traceback" not in err + out
    assert words in err, err
    assert KEY not in err + out
    if as_json:
        answer = json.loads(out)
        assert answer["ok"] is False and words in answer["error"]


@pytest.mark.parametrize("as_json", [False, True])
def test_not_a_database(carrier: RunningCarrier, tmp_path: Path, as_json: bool) -> None:
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"this is a text file, not SQLite\n" * 200)
    before = _digest(cache)
    code, out, err = _cli(carrier, tmp_path, as_json=as_json)
    _assert_one_sentence(code, out, err, "corrupt", as_json=as_json, words="is damaged")
    assert "sms-tui cache rebuild" in err
    assert _digest(cache) == before


def test_truncated(carrier: RunningCarrier, synced: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    data = synced.read_bytes()
    cache.write_bytes(data[: len(data) // 2])
    before = _digest(cache)
    code, out, err = _cli(carrier, tmp_path, as_json=True)
    _assert_one_sentence(code, out, err, "corrupt", as_json=True, words="is damaged")
    assert _digest(cache) == before


def test_corrupt_pages(carrier: RunningCarrier, synced: Path, tmp_path: Path) -> None:
    """Garbage over the middle of the file: found at open or when the sync reads those pages."""
    cache = tmp_path / "cache.sqlite3"
    data = bytearray(synced.read_bytes())
    page = 4096
    for start in range(page, len(data) - page, page * 3):
        data[start : start + page] = b"\xa5" * page
    cache.write_bytes(bytes(data))
    before = _digest(cache)
    code, out, err = _cli(carrier, tmp_path, as_json=False)
    _assert_one_sentence(code, out, err, "corrupt", as_json=False, words="is damaged")
    assert _digest(cache) == before


def test_locked_waits_a_bounded_time_and_says_so(
    carrier: RunningCarrier, synced: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache.sqlite3"
    shutil.copy(synced, cache)
    monkeypatch.setattr(store_base, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(cache, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = _cli(carrier, tmp_path, as_json=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_one_sentence(code, out, err, "locked", as_json=True, words="is locked by another program")
    assert "waiting up to 0.2 s" in err  # said before the wait
    assert "waited 0.2 s" in err  # and after it
    with Store.open(cache) as store:  # intact: everything synced before is still there
        assert store.stats() == Store.open(synced).stats()


def test_read_only_cache(carrier: RunningCarrier, synced: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    shutil.copy(synced, cache)
    cache.chmod(0o444)
    before = _digest(cache)
    code, out, err = _process(carrier, tmp_path, as_json=True, obey_permissions=True)
    _assert_one_sentence(code, out, err, "read_only", as_json=True, words="is read-only")
    assert f"chmod u+w {cache}" in err
    assert _digest(cache) == before


def test_folder_not_writable(carrier: RunningCarrier, tmp_path: Path) -> None:
    folder = tmp_path / "locked-away"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    try:
        code, out, err = _process(carrier, folder, as_json=False, obey_permissions=True)
    finally:
        folder.chmod(0o755)
    _assert_one_sentence(
        code, out, err, "not_writable", as_json=False, words="Cannot create or open the cache"
    )
    assert list(folder.iterdir()) == []


def test_disk_full(carrier: RunningCarrier, tmp_path: Path) -> None:
    """RLIMIT_FSIZE lets the empty cache be made but not the first sync's writes."""
    cache = tmp_path / "cache.sqlite3"
    Store.open(cache).close()
    limit = cache.stat().st_size + 64 * 1024
    code, out, err = _process(carrier, tmp_path, as_json=True, fsize=limit)
    _assert_one_sentence(code, out, err, "full", as_json=True, words="the disk is full")
    with Store.open(cache) as store:  # what was there is intact and usable
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.kv_set("after-full", "yes")
        assert store.kv_get("after-full") == "yes"


def test_the_cache_folder_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    with Store.open(folder / "cache.sqlite3") as store:
        store.kv_set("x", "1")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for path in folder.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_old_world_readable_cache_is_made_private(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    Store.open(cache).close()
    cache.chmod(0o644)
    Store.open(cache).close()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600


def test_store_open_raises_the_sentence_for_scripts_that_use_the_library(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    cache.write_bytes(b"\0" * 5000)
    with pytest.raises(CacheError) as caught:
        Store.open(cache)
    assert caught.value.problem == "corrupt" and caught.value.exit_code == EXIT_CODES["corrupt"]


def test_the_inbox_on_a_damaged_cache_is_one_sentence_not_offline(tmp_path: Path) -> None:
    (tmp_path / "cache.sqlite3").write_bytes(b"not a database at all\n" * 100)
    env = {
        **_env(tmp_path),
        "SMS_TUI_BASE_URL": "http://127.0.0.1:9/api/v1/",
        "SMS_TUI_API_KEY": KEY,
        "SMS_TUI_DATA_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(main, [], env=env)
    assert result.exit_code == EXIT_CODES["corrupt"], result.output
    assert "is damaged" in result.stderr and "sms-tui cache rebuild" in result.stderr
    assert "Traceback" not in result.output and KEY not in result.output


def test_a_folder_holding_only_the_cache_is_made_private_a_shared_one_is_not(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    mine.chmod(0o755)
    Store.open(mine / "cache.sqlite3").close()
    assert stat.S_IMODE(mine.stat().st_mode) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    (shared / "notes.txt").write_text("someone else's", encoding="utf-8")
    Store.open(shared / "cache.sqlite3").close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "cache.sqlite3").stat().st_mode) == 0o600
