"""`[bulk]` in the config file: the campaign runner's pacing (rates per number kind or per number, a
daily cap, the day's zone), checked when loading; bad values name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sms_tui.config import ConfigError, Settings, load_settings
from sms_tui.core.drip import Pacing
from sms_tui.rules import bulk_pacing


def _load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(env={}, path=path)


def test_nothing_configured_is_the_default_pacing() -> None:
    assert bulk_pacing(Settings()) == Pacing()


def test_a_bulk_table_sets_rates_a_number_the_cap_and_the_day(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        '[bulk]\nlong_code = 0.5\ntoll_free = "10"\n"+14155550100" = 4\ndaily_cap = 2000\n'
        'day_zone = "America/Los_Angeles"\n',
    )
    pacing = bulk_pacing(settings)
    assert (pacing.long_code, pacing.toll_free, pacing.short_code) == (0.5, 10.0, 100.0)
    assert pacing.rate("+14155550100") == 4.0 and pacing.rate("+16505550100") == 0.5
    assert pacing.daily_cap == 2000 and pacing.day_zone == "America/Los_Angeles"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[bulk]\nlong_code = 0\n", "bulk.long_code"),
        ('[bulk]\nlong_code = "fast"\n', "segments per second"),
        ("[bulk]\ndaily_cap = 0\n", "bulk.daily_cap"),
        ('[bulk]\nday_zone = "Mars/Olympus"\n', "bulk.day_zone"),
        ("[bulk]\nspeed = 3\n", "Unknown key 'speed' in [bulk]"),
        ("bulk = 3\n", "[bulk]"),
        ("[bulk]\nlong_code = true\n", "bulk.long_code"),
    ],
)
def test_bad_bulk_values_name_the_key(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=None) as caught:
        _load(tmp_path, text)
    assert says in str(caught.value)
