"""MMS settings: where MMS may go and how heavy it may be, from the file, the environment, or defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from sms_tui.config import ConfigError, Settings, load_settings, save_settings
from sms_tui.rules import mms_countries, mms_limits


def test_defaults_are_us_and_canada_600_kb_local_and_1_mb_toll_free(tmp_path: Path) -> None:
    settings = load_settings(env={}, path=tmp_path / "none.toml")
    assert mms_countries(settings) == {"US", "CA"}
    assert mms_limits(settings) == {
        "long_code": 600 * 1024,
        "toll_free": 1024 * 1024,
        "short_code": 1024 * 1024,
    }
    assert settings.mms_cache_mb == 200


def test_the_file_and_the_environment_configure_them(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('mms_countries = ["us", "CA", "pr"]\nmms_limit_long_code_kb = 1000\nmms_cache_mb = 50\n')
    settings = load_settings(env={}, path=path)
    assert settings.mms_countries == ("US", "CA", "PR") and mms_limits(settings)["long_code"] == 1000 * 1024
    from_env = load_settings(env={"SMS_TUI_MMS_COUNTRIES": "US, AU"}, path=path)
    assert mms_countries(from_env) == {"US", "AU"}


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('mms_countries = ["USA"]', "two-letter country codes"),
        ("mms_countries = 3", "list of country codes"),
        ('mms_limit_toll_free_kb = "big"', "must be a number"),
        ("mms_limit_long_code_kb = 0", "between 1 and 5120"),
    ],
)
def test_bad_values_say_which_setting_and_why(tmp_path: Path, line: str, says: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(line + "\n")
    with pytest.raises(ConfigError, match=says):
        load_settings(env={}, path=path)


def test_saved_settings_round_trip_and_defaults_are_not_written(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    save_settings(Settings(base_url="http://x/"), target)
    assert "mms" not in target.read_text()
    save_settings(Settings(mms_countries=("US",), mms_limit_toll_free_kb=900), target)
    again = load_settings(env={}, path=target)
    assert again.mms_countries == ("US",) and again.mms_limit_toll_free_kb == 900
