"""Settings: command line > environment > TOML file > defaults.

The file lives at `platformdirs.user_config_path("sms-tui")/config.toml` unless `SMS_TUI_CONFIG`
(or an explicit path) points elsewhere. Paths are computed in functions, never at import, so tests
and the CLI can redirect them. The file may hold the API key, so `save_settings` writes it 0600 in
a 0700 folder, a file holding a key that group or others can read is refused (with the `chmod` that
fixes it), and `Settings.__repr__` never shows the key.

Settings are data: this module parses and checks them and imports nothing else of ours;
`sms_tui.rules` reads them (quiet hours, the rep's zone). Key names in `[keys]` are checked against
the app's bindings by `sms_tui.ui.keymap` at start (only the UI knows its bindings).

File shape::

    base_url = "https://api.close.com/api/v1/"
    api_key = "…"
    undo_seconds = 5
    poll_interval = 15
    data_dir = "/home/rep/.local/share/sms-tui"
    timezone = "America/New_York"
    mms_countries = ["US", "CA"]       # where MMS may go
    download_dir = "/home/rep/Downloads/sms-tui"
    mms_limit_long_code_kb = 600       # the most an MMS may weigh from a local number
    mms_limit_toll_free_kb = 1024      # ... from a toll-free number
    mms_cache_mb = 200                 # disk for fetched attachments
    [quiet_hours]
    start = "21:00"
    end = "08:00"
    [keys]
    send = "ctrl+s"
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
import tomli_w

APP_NAME = "sms-tui"
ENV_PREFIX = "SMS_TUI_"
DEFAULT_UNDO_SECONDS = 5.0
DEFAULT_POLL_INTERVAL = 15.0
#: Where MMS may go unless the settings say otherwise (as `core.mms.DEFAULT_MMS_COUNTRIES`).
DEFAULT_MMS_COUNTRIES = ("US", "CA")
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
#: MMS numbers: (lowest, highest) accepted
_MMS_NUMBERS = {
    "mms_limit_long_code_kb": (1.0, 5120.0),
    "mms_limit_toll_free_kb": (1.0, 5120.0),
    "mms_cache_mb": (1.0, 100_000.0),
}


class ConfigError(Exception):
    """The configuration cannot be used; the message says which setting and why."""


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file is: `SMS_TUI_CONFIG`, else the platform config dir."""
    env = os.environ if env is None else env
    override = env.get(f"{ENV_PREFIX}CONFIG")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Attribute docs say what each one does."""

    base_url: str | None = None
    """Provider API root, e.g. `https://api.close.com/api/v1/` or the fake carrier's URL."""
    api_key: str | None = field(default=None, repr=False)
    """Close API key (Basic-auth username). Never shown in repr or logs."""
    undo_seconds: float = DEFAULT_UNDO_SECONDS
    """How long a sent message waits in the outbox so the rep can undo it (0 ≤ x < 60)."""
    poll_interval: float = DEFAULT_POLL_INTERVAL
    """Seconds between polls for replies when all is well (backs off on 429/outage)."""
    data_dir: Path | None = None
    """Where the cache lives; None means the platform data dir (see `resolved_data_dir`)."""
    timezone: str | None = None
    """The rep's IANA time zone ("today", "tomorrow 9:00"); None = the machine's (see
    `sms_tui.rules.rep_zone`). Quiet hours are judged in the recipient's zone, not this one."""
    quiet_hours: dict[str, str] = field(default_factory=dict)
    """When texts must not go out, recipient's local time, e.g. {"start": "21:00", "end": "08:00"};
    replaces the default 21:00–08:00 (state/country rules still apply). See `sms_tui.rules`."""
    keys: dict[str, str] = field(default_factory=dict)
    """Key remapping, action -> key string, handed to the UI's `set_keymap`."""
    mms_countries: tuple[str, ...] = DEFAULT_MMS_COUNTRIES
    """Recipient countries (ISO codes) pictures and files may be texted to; MMS is refused elsewhere
    before anything is uploaded. Env: SMS_TUI_MMS_COUNTRIES="US,CA"."""
    download_dir: Path | None = None
    """Where attachments the rep downloads are saved; None = the platform's Downloads/sms-tui."""
    mms_limit_long_code_kb: float = 600.0
    """The most an MMS may weigh (KB, all attachments) from a local (long code) number."""
    mms_limit_toll_free_kb: float = 1024.0
    """... from a toll-free number (carriers take somewhat more there)."""
    mms_cache_mb: float = 200.0
    """Disk space for fetched attachments (least recently used go first)."""

    @property
    def has_provider(self) -> bool:
        return bool(self.base_url and self.api_key)

    def resolved_data_dir(self) -> Path:
        return self.data_dir if self.data_dir is not None else default_data_dir()

    def cache_path(self) -> Path:
        return self.resolved_data_dir() / "cache.sqlite3"

    def resolved_download_dir(self) -> Path:
        if self.download_dir is not None:
            return self.download_dir
        return platformdirs.user_downloads_path() / APP_NAME


_FIELD_NAMES = frozenset(f.name for f in fields(Settings))
_ENV_KEYS = {
    "API_KEY": "api_key",
    "BASE_URL": "base_url",
    "UNDO_SECONDS": "undo_seconds",
    "POLL_INTERVAL": "poll_interval",
    "DATA_DIR": "data_dir",
    "TIMEZONE": "timezone",
    "MMS_COUNTRIES": "mms_countries",
    "DOWNLOAD_DIR": "download_dir",
}


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a raw value (TOML, env text, CLI) into the field's type, with a readable error."""
    if name in ("undo_seconds", "poll_interval"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} in {source} must be a number of seconds, not {value!r}.") from None
        if name == "undo_seconds" and not 0 <= number < 60:
            raise ConfigError(f"undo_seconds in {source} must be at least 0 and under 60 (Close's limit).")
        if name == "poll_interval" and number < 1:
            raise ConfigError(f"poll_interval in {source} must be at least 1 second.")
        return number
    if name in ("data_dir", "download_dir"):
        return Path(str(value)).expanduser()
    if name in _MMS_NUMBERS:
        low, high = _MMS_NUMBERS[name]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{name} in {source} must be a number, not {value!r}.") from None
        if not low <= number <= high:
            raise ConfigError(f"{name} in {source} must be between {low:g} and {high:g}.")
        return number
    if name == "mms_countries":
        return _countries(value, source)
    if name in ("quiet_hours", "keys"):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ConfigError(f"[{name}] in {source} must be a table of text values.")
        if name == "quiet_hours":
            quiet_hours_minutes(value, source)  # refuse bad times when loading, not mid-send
        return dict(value)
    if not isinstance(value, str):
        raise ConfigError(f"{name} in {source} must be text.")
    if name == "base_url" and value:
        _check_base_url(value, source)
    if name == "timezone":
        if not _zone_exists(value):
            raise ConfigError(
                f"timezone in {source} must be an IANA time zone name such as "
                f"America/New_York, not {value!r}."
            )
    return value


def _countries(value: Any, source: str) -> tuple[str, ...]:
    """["US", "CA"] (TOML) or "US,CA" (env, CLI) as upper-case ISO codes; [] means MMS nowhere."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f'mms_countries in {source} must be a list of country codes, e.g. ["US", "CA"].')
    codes = tuple(i.strip().upper() for i in items if i.strip())
    odd = [c for c in codes if not _COUNTRY_CODE.fullmatch(c)]
    if odd:
        raise ConfigError(
            f"mms_countries in {source} must hold two-letter country codes such as US or CA, not {odd[0]!r}."
        )
    return codes


def _check_base_url(value: str, source: str) -> None:
    """A root without http(s):// (``localhost:8765/api/v1/``) is a typo in the settings; say so now,
    not later as "the provider stopped answering" from the HTTP layer."""
    scheme, sep, rest = value.partition("://")
    host = rest.split("/", 1)[0]
    if not sep or scheme.lower() not in ("http", "https") or not host:
        raise ConfigError(
            f"SMS_TUI_BASE_URL / base_url must start with http:// or https:// and name a host, "
            f"e.g. https://api.close.com/api/v1/; {source} has {value!r}."
        )


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
    unknown = sorted(set(data) - _FIELD_NAMES)
    if unknown:
        raise ConfigError(
            f"Unknown setting(s) in {path}: {', '.join(unknown)}. "
            f"Valid settings: {', '.join(sorted(_FIELD_NAMES))}."
        )
    if data.get("api_key"):
        check_private(path)
    return {k: _coerce(k, v, str(path)) for k, v in data.items()}


def check_private(path: Path) -> None:
    """Refuse a file holding the API key that group or others can read, saying how to fix it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        raise ConfigError(
            f"The config file {path} holds your API key but other users can read it (mode {mode:04o}); "
            f"fix it with: chmod 600 {path}"
        )


# -- [quiet_hours] as data (sms_tui.rules turns it into a sending window) ----------------------------

QUIET_HOURS_KEYS = ("start", "end")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
#: The TCPA default: quiet from 21:00 to 08:00 in the recipient's local time.
DEFAULT_QUIET_START = 21 * 60
DEFAULT_QUIET_END = 8 * 60


def quiet_hours_minutes(table: Mapping[str, str], source: str = "the config file") -> tuple[int, int]:
    """(start, end) of the quiet stretch in minutes after midnight; a missing key keeps its default.

    Raises ConfigError, naming the setting, for unknown keys, bad times and equal start and end.
    """
    unknown = sorted(set(table) - set(QUIET_HOURS_KEYS))
    if unknown:
        raise ConfigError(
            f"Unknown key(s) in [quiet_hours] in {source}: {', '.join(unknown)} "
            '(only start and end, e.g. start = "21:00", end = "08:00").'
        )
    start = _minutes(table["start"], "start", source) if "start" in table else DEFAULT_QUIET_START
    end = _minutes(table["end"], "end", source) if "end" in table else DEFAULT_QUIET_END
    if start == end:
        raise ConfigError(
            f"[quiet_hours] in {source} starts and ends at the same time ({hhmm(start)}); "
            "give a start and an end that differ."
        )
    return start, end


def _minutes(value: str, key: str, source: str) -> int:
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(
            f"quiet_hours.{key} in {source} must be a time of day as HH:MM (00:00–23:59), not {value!r}."
        )
    return int(match[1]) * 60 + int(match[2])


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _zone_exists(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def load_settings(
    cli_overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Merge file < env < CLI. `cli_overrides` values of None mean "not given"."""
    env = os.environ if env is None else env
    file_path = path if path is not None else config_path(env)
    values: dict[str, Any] = _read_file(file_path)
    for suffix, name in _ENV_KEYS.items():
        raw = env.get(ENV_PREFIX + suffix)
        if raw:
            values[name] = _coerce(name, raw, f"${ENV_PREFIX}{suffix}")
    for name, raw in (cli_overrides or {}).items():
        if raw is None:
            continue
        if name not in _FIELD_NAMES:
            raise ConfigError(f"Unknown setting {name!r}.")
        values[name] = _coerce(name, raw, "the command line")
    return Settings(**values)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings as TOML, readable by the owner only (0600: it may hold the key)."""
    target = path if path is not None else config_path()
    folder = target.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
    elif folder == platformdirs.user_config_path(APP_NAME):  # our own folder: keep it private
        folder.chmod(0o700)
    data: dict[str, Any] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if value is None or value == {} or (f.name.startswith("mms_") and value == f.default):
            continue  # an MMS default is not written: a later default change reaches the rep
        if f.name == "mms_countries":
            if value == DEFAULT_MMS_COUNTRIES:
                continue  # the default is not written: a later default change reaches the rep
            value = list(value)
        data[f.name] = str(value) if isinstance(value, Path) else value
    payload = tomli_w.dumps(data).encode()
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask could have widened nothing, but an old tmp could exist
        os.write(fd, payload)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    return target


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy with some fields changed (validated like the file)."""
    return replace(settings, **{k: _coerce(k, v, "the caller") for k, v in changes.items()})
