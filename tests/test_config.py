"""Settings precedence (CLI > env > file > defaults), the 0600 file, validation, secrets."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sms_tui.config import ConfigError, Settings, config_path, load_settings, save_settings
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules, check_send
from sms_tui.rules import compliance_rules, rep_zone


def write(path: Path, text: str) -> Path:
    """A config file as `sms-tui login` leaves it: readable by its owner only."""
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
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


# --- [quiet_hours] and timezone become rules (sms_tui.rules) ---------------------------------------

CHICAGO_MOBILE = "+13125550123"
MIAMI_MOBILE = "+13055550123"
OUR_NUMBER = "+14155550100"
CHICAGO = ZoneInfo("America/Chicago")


def quiet_codes(rules: ComplianceRules, when: datetime, to: str = CHICAGO_MOBILE) -> list[str]:
    check = check_send(
        text="Hi Bob, this is Dana.",
        to_number=to,
        from_number=OUR_NUMBER,
        opted_out=False,
        do_not_text=False,
        now=when,
        first_message=False,
        rules=rules,
    )
    return [i.code for i in check.warnings if i.code == "quiet_hours"]


def test_no_quiet_hours_configured_means_the_default_rules() -> None:
    assert compliance_rules(Settings()) is DEFAULT_RULES


def test_configured_quiet_hours_from_the_file_make_18_30_quiet(tmp_path: Path) -> None:
    settings = load_settings(
        env={}, path=write(tmp_path / "c.toml", '[quiet_hours]\nstart = "18:00"\nend = "09:00"\n')
    )
    rules = compliance_rules(settings)
    evening = datetime(2026, 11, 23, 18, 30, tzinfo=CHICAGO)  # a Monday
    assert quiet_codes(DEFAULT_RULES, evening) == []  # 08:00–21:00 allows it
    assert quiet_codes(rules, evening) == ["quiet_hours"]
    assert quiet_codes(rules, datetime(2026, 11, 23, 8, 30, tzinfo=CHICAGO)) == ["quiet_hours"]
    assert quiet_codes(rules, datetime(2026, 11, 23, 9, 0, tzinfo=CHICAGO)) == []
    assert quiet_codes(rules, datetime(2026, 11, 23, 17, 59, tzinfo=CHICAGO)) == []
    assert rules.default_window.describe(6) == "09:00–18:00"  # every day, weekends too


def test_configured_hours_replace_the_default_but_state_rules_still_apply() -> None:
    lenient = compliance_rules(Settings(quiet_hours={"start": "22:00", "end": "07:00"}))
    assert quiet_codes(lenient, datetime(2026, 11, 23, 7, 30, tzinfo=CHICAGO)) == []
    assert quiet_codes(DEFAULT_RULES, datetime(2026, 11, 23, 7, 30, tzinfo=CHICAGO)) == ["quiet_hours"]
    # Florida allows 8 a.m.–8 p.m. whatever the config says.
    miami_evening = datetime(2026, 11, 23, 20, 30, tzinfo=ZoneInfo("America/New_York"))
    assert quiet_codes(lenient, miami_evening, to=MIAMI_MOBILE) == ["quiet_hours"]
    assert lenient.quiet_hours is DEFAULT_RULES.quiet_hours


def test_a_quiet_stretch_inside_the_day_and_a_half_given_table() -> None:
    lunch = compliance_rules(Settings(quiet_hours={"start": "12:00", "end": "13:00"}))
    assert lunch.default_window.describe(0) == "00:00–12:00 and 13:00–24:00"
    assert quiet_codes(lunch, datetime(2026, 11, 23, 12, 30, tzinfo=CHICAGO)) == ["quiet_hours"]
    only_start = compliance_rules(Settings(quiet_hours={"start": "20:00"}))
    assert only_start.default_window.describe(0) == "08:00–20:00"  # end keeps its default 08:00


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('start = "9pm"\n', r"quiet_hours\.start in .* must be a time of day as HH:MM.*'9pm'"),
        ('end = "24:00"\n', r"quiet_hours\.end .* HH:MM"),
        ('start = "21:60"\n', r"quiet_hours\.start"),
        ('start = ""\n', r"quiet_hours\.start"),
        ('start = "08:00"\nend = "8:00"\n', "same time"),
        ('begin = "21:00"\n', r"Unknown key\(s\) in \[quiet_hours\].*begin"),
        ("start = 21\n", "table of text"),
    ],
)
def test_bad_quiet_hours_are_refused_when_loading(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env={}, path=write(tmp_path / "c.toml", "[quiet_hours]\n" + table))


def test_compliance_rules_checks_settings_built_in_code_too() -> None:
    with pytest.raises(ConfigError, match=r"quiet_hours\.end"):
        compliance_rules(Settings(quiet_hours={"end": "late"}))


def test_an_unknown_timezone_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"timezone in .*c\.toml must be an IANA time zone.*'Mars/Olympus'"):
        load_settings(env={}, path=write(tmp_path / "c.toml", 'timezone = "Mars/Olympus"\n'))
    with pytest.raises(ConfigError, match=r"\$SMS_TUI_TIMEZONE"):
        load_settings(env={"SMS_TUI_TIMEZONE": "EST+5"}, path=tmp_path / "none.toml")


# --- the rep's zone ----------------------------------------------------------------------------------


def fake_etc(tmp_path: Path, link: str | None = None, timezone: str | None = None) -> Path:
    etc = tmp_path / "etc"
    etc.mkdir(parents=True)
    if link is not None:
        (etc / "localtime").symlink_to(link)
    if timezone is not None:
        (etc / "timezone").write_text(timezone + "\n")
    return etc


def key(zone: object) -> str | None:
    return getattr(zone, "key", None)


def test_the_configured_zone_wins(tmp_path: Path) -> None:
    etc = fake_etc(tmp_path, link="/usr/share/zoneinfo/Asia/Tokyo")
    assert key(rep_zone("America/New_York", env={"TZ": "Europe/Paris"}, etc=etc)) == "America/New_York"


def test_without_a_configured_zone_tz_then_the_localtime_link_then_etc_timezone(tmp_path: Path) -> None:
    etc = fake_etc(tmp_path, link="/usr/share/zoneinfo/Asia/Tokyo", timezone="Europe/Berlin")
    assert key(rep_zone(None, env={"TZ": "Europe/Paris"}, etc=etc)) == "Europe/Paris"
    assert key(rep_zone(None, env={"TZ": ":/usr/share/zoneinfo/Europe/Rome"}, etc=etc)) == "Europe/Rome"
    assert key(rep_zone(None, env={"TZ": "no/such/zone"}, etc=etc)) == "Asia/Tokyo"
    assert key(rep_zone("", env={}, etc=etc)) == "Asia/Tokyo"
    only_file = fake_etc(tmp_path / "b", timezone="Europe/Berlin")
    assert key(rep_zone(None, env={}, etc=only_file)) == "Europe/Berlin"
    posix = fake_etc(tmp_path / "c", link="../usr/share/zoneinfo/posix/America/Denver")
    assert key(rep_zone(None, env={}, etc=posix)) == "America/Denver"


def test_nothing_known_about_the_machine_means_utc(tmp_path: Path) -> None:
    assert rep_zone(None, env={}, etc=fake_etc(tmp_path)) is UTC
    assert rep_zone(None, env={}, etc=fake_etc(tmp_path / "b", link="/nowhere")) is UTC


def test_a_copied_localtime_file_keeps_its_dst_rules(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    source = Path("/usr/share/zoneinfo/America/New_York")
    if not source.exists():
        pytest.skip("no system tz database")
    (etc / "localtime").write_bytes(source.read_bytes())
    zone = rep_zone(None, env={}, etc=etc)
    assert datetime(2026, 1, 15, 9, 0, tzinfo=zone).utcoffset() == timedelta(hours=-5)
    assert datetime(2026, 7, 15, 9, 0, tzinfo=zone).utcoffset() == timedelta(hours=-4)


def test_the_system_zone_is_named_so_tomorrow_9_is_right_across_dst(tmp_path: Path) -> None:
    """Saturday 7 March 2026 in New York; DST starts that night. A fixed offset taken on Saturday
    (-5 h) would put "tomorrow 9:00" at 14:00 UTC, an hour late."""
    zone = rep_zone(None, env={}, etc=fake_etc(tmp_path, link="/usr/share/zoneinfo/America/New_York"))
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=zone)
    sunday_nine = datetime.combine(saturday.date() + timedelta(days=1), time(9, 0), zone)
    assert saturday.utcoffset() == timedelta(hours=-5)
    assert sunday_nine.astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("url", ["localhost:8765/api/v1/", "api.close.com/api/v1/", "ftp://x/", "http://"])
def test_a_base_url_that_is_not_http_is_refused_when_loading(tmp_path: Path, url: str) -> None:
    message = "SMS_TUI_BASE_URL / base_url must start with http:// or https://"
    with pytest.raises(ConfigError, match=message) as from_env:
        load_settings(env={"SMS_TUI_BASE_URL": url}, path=tmp_path / "none.toml")
    assert "$SMS_TUI_BASE_URL" in str(from_env.value) and url in str(from_env.value)
    with pytest.raises(ConfigError, match=message):
        load_settings({"base_url": url}, env={}, path=tmp_path / "none.toml")
    with pytest.raises(ConfigError, match=message):
        load_settings(env={}, path=write(tmp_path / "c.toml", f'base_url = "{url}"\n'))


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765/api/v1/", "https://api.close.com/api/v1/", "HTTPS://X/"]
)
def test_http_and_https_base_urls_load(tmp_path: Path, url: str) -> None:
    assert load_settings({"base_url": url}, env={}, path=tmp_path / "none.toml").base_url == url


def test_mms_countries_and_download_dir_from_file_env_and_defaults(tmp_path: Path) -> None:
    from sms_tui.config import DEFAULT_MMS_COUNTRIES

    path = tmp_path / "config.toml"
    assert load_settings(env={}, path=path).mms_countries == DEFAULT_MMS_COUNTRIES == ("US", "CA")
    path.write_text('mms_countries = ["us", "CA", "pr"]\ndownload_dir = "~/Files"\n')
    settings = load_settings(env={}, path=path)
    assert settings.mms_countries == ("US", "CA", "PR")
    assert settings.resolved_download_dir() == Path("~/Files").expanduser()
    assert load_settings(env={"SMS_TUI_MMS_COUNTRIES": "US"}, path=path).mms_countries == ("US",)
    save_settings(settings, tmp_path / "out.toml")
    assert load_settings(env={}, path=tmp_path / "out.toml").mms_countries == ("US", "CA", "PR")


def test_bad_mms_countries_say_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('mms_countries = ["USA"]\n')
    with pytest.raises(ConfigError, match="two-letter country codes such as US or CA, not 'USA'"):
        load_settings(env={}, path=path)
    path.write_text('mms_countries = "US"\n')
    assert load_settings(env={}, path=path).mms_countries == ("US",)
    path.write_text("mms_countries = 5\n")
    with pytest.raises(ConfigError, match="must be a list of country codes"):
        load_settings(env={}, path=path)
