"""Settings precedence (CLI > env > file > defaults), the 0600 file, validation, secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from sms_tui.config import ConfigError, Settings, config_path, load_settings, save_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_env(tmp_path: Path) -> None:
    s = load_settings({}, env={}, path=tmp_path / "missing.toml")
    assert s.undo_seconds == 5 and s.poll_interval == 15
    assert not s.has_provider and s.api_key is None


def test_cli_beats_env_beats_file(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        'base_url = "http://file/api/v1/"\napi_key = "file-key"\nundo_seconds = 10\npoll_interval = 30\n',
    )
    env = {"SMS_TUI_BASE_URL": "http://env/api/v1/", "SMS_TUI_API_KEY": "env-key"}
    s = load_settings({"api_key": "cli-key", "base_url": None}, env=env, path=cfg)
    assert s.api_key == "cli-key"
    assert s.base_url == "http://env/api/v1/"
    assert s.undo_seconds == 10 and s.poll_interval == 30
    assert s.has_provider


def test_config_env_var_overrides_the_path(tmp_path: Path) -> None:
    cfg = write(tmp_path / "elsewhere.toml", 'api_key = "k"\nbase_url = "http://x/"\n')
    env = {"SMS_TUI_CONFIG": str(cfg)}
    assert config_path(env) == cfg
    assert load_settings(env=env).api_key == "k"


def test_default_path_is_the_platform_config_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert config_path({}) == tmp_path / "sms-tui" / "config.toml"


def test_tables_for_keys_and_quiet_hours(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        'timezone = "America/New_York"\n[keys]\nsend = "ctrl+s"\n'
        '[quiet_hours]\nstart = "21:00"\nend = "08:00"\n',
    )
    s = load_settings(env={}, path=cfg)
    assert s.keys == {"send": "ctrl+s"}
    assert s.quiet_hours == {"start": "21:00", "end": "08:00"}
    assert s.timezone == "America/New_York"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("undo_seconds = 60\n", "under 60"),
        ("undo_seconds = 'soon'\n", "number of seconds"),
        ("poll_interval = 0\n", "at least 1"),
        ("colour = 'red'\n", "Unknown setting"),
        ("[keys]\nsend = 3\n", "table of text"),
        ("api_key = = 1\n", "not valid TOML"),
    ],
)
def test_bad_file_values_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env={}, path=write(tmp_path / "c.toml", text))


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$SMS_TUI_UNDO_SECONDS"):
        load_settings(env={"SMS_TUI_UNDO_SECONDS": "99"}, path=tmp_path / "none.toml")


def test_save_creates_a_0600_file_that_loads_back(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "config.toml"
    settings = Settings(
        base_url="http://x/api/v1/",
        api_key="secret",
        undo_seconds=7,
        data_dir=tmp_path / "data",
        keys={"send": "ctrl+s"},
    )
    save_settings(settings, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = load_settings(env={}, path=target)
    assert again == settings


def test_save_tightens_an_existing_world_readable_file(tmp_path: Path) -> None:
    target = write(tmp_path / "config.toml", "")
    target.chmod(0o644)
    save_settings(Settings(api_key="secret"), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_repr_never_shows_the_key() -> None:
    assert "hunter2" not in repr(Settings(api_key="hunter2"))


def test_data_dir_defaults_to_platform_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    assert Settings().cache_path() == tmp_path / "sms-tui" / "cache.sqlite3"
