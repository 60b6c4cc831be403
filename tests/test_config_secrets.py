"""Secrets on disk: `sms-tui login` (hidden prompt, checked against /me/, 0600 in 0700), and a
config file holding a key that others can read is refused with the chmod that fixes it."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sms_tui.carrier import FakeClock, RunningCarrier, start_background
from sms_tui.cli import main
from sms_tui.config import ConfigError, Settings, load_settings, save_settings

KEY = "login-test-key-9f8e7d"


@pytest.fixture(scope="module")
def carrier() -> Iterator[RunningCarrier]:
    running = start_background(api_key=KEY, seed=5, clock=FakeClock())
    yield running
    running.stop()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_readable_by_others_is_refused_with_the_chmod_that_fixes_it(tmp_path: Path, mode: int) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('api_key = "secret-value"\nbase_url = "http://x/"\n', encoding="utf-8")
    cfg.chmod(mode)
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, path=cfg)
    assert f"chmod 600 {cfg}" in str(caught.value)
    assert "secret-value" not in str(caught.value)
    cfg.chmod(0o600)
    assert load_settings(env={}, path=cfg).api_key == "secret-value"


def test_a_readable_file_without_a_key_is_fine(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("undo_seconds = 3\n", encoding="utf-8")
    cfg.chmod(0o644)
    assert load_settings(env={}, path=cfg).undo_seconds == 3


def test_the_inbox_refuses_to_start_on_a_readable_key_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('api_key = "secret-value"\nbase_url = "http://x/api/v1/"\n', encoding="utf-8")
    cfg.chmod(0o644)
    for args in (["sync", "--once"], []):
        result = CliRunner().invoke(main, args, env={"SMS_TUI_CONFIG": str(cfg)})
        assert result.exit_code != 0
        assert f"chmod 600 {cfg}" in result.output and "Traceback" not in result.output
        assert "secret-value" not in result.output


def test_save_makes_a_0700_folder_and_a_0600_file(tmp_path: Path) -> None:
    target = tmp_path / "fresh" / "config.toml"
    save_settings(Settings(api_key="k", base_url="http://x/"), target)
    assert _mode(target.parent) == 0o700 and _mode(target) == 0o600


def test_login_asks_without_echo_checks_me_and_writes_0600(carrier: RunningCarrier, tmp_path: Path) -> None:
    target = tmp_path / "cfg" / "config.toml"
    result = CliRunner().invoke(
        main, ["login", "--base-url", carrier.base_url, "--config", str(target)], input=f"{KEY}\n"
    )
    assert result.exit_code == 0, result.output
    assert KEY not in result.output  # the prompt hides what is typed
    assert "Signed in as" in result.stderr
    assert _mode(target) == 0o600 and _mode(target.parent) == 0o700
    saved = tomllib.loads(target.read_text(encoding="utf-8"))
    assert saved["api_key"] == KEY and saved["base_url"] == carrier.base_url
    assert load_settings(env={}, path=target).has_provider


def test_login_keeps_the_other_settings(carrier: RunningCarrier, tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    save_settings(Settings(undo_seconds=9, keys={"inbox.done": "d"}), target)
    result = CliRunner().invoke(
        main, ["login", "--base-url", carrier.base_url, "--config", str(target)], input=f"{KEY}\n"
    )
    assert result.exit_code == 0, result.output
    settings = load_settings(env={}, path=target)
    assert settings.undo_seconds == 9 and settings.keys == {"inbox.done": "d"} and settings.api_key == KEY


def test_a_refused_key_is_not_saved(carrier: RunningCarrier, tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    result = CliRunner().invoke(
        main, ["login", "--base-url", carrier.base_url, "--config", str(target)], input="wrong-key\n"
    )
    assert result.exit_code == 3
    assert "was not accepted" in result.stderr and "Nothing was saved" in result.stderr
    assert "wrong-key" not in result.output
    assert not target.exists()


def test_login_over_a_readable_config_makes_it_private_and_says_so(
    carrier: RunningCarrier, tmp_path: Path
) -> None:
    target = tmp_path / "config.toml"
    target.write_text('api_key = "old-key"\nundo_seconds = 7\n', encoding="utf-8")
    target.chmod(0o644)
    result = CliRunner().invoke(
        main, ["login", "--base-url", carrier.base_url, "--config", str(target)], input=f"{KEY}\n"
    )
    assert result.exit_code == 0, result.output
    assert "was readable by other users" in result.stderr and "old-key" not in result.output
    assert _mode(target) == 0o600
    settings = load_settings(env={}, path=target)
    assert settings.api_key == KEY and settings.undo_seconds == 7
