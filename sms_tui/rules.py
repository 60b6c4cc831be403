"""Settings turned into what the send guard and the UI use: the compliance rules and the rep's zone.

Lives outside `core` because core must not know about configuration. Everything here is pure
(the environment and the `/etc` folder are parameters), so tests need no real machine settings.

`[quiet_hours]` names when texts must NOT go out, in the recipient's local time: ``start = "21:00"``
and ``end = "08:00"`` mean quiet from 21:00 to 08:00, i.e. sending allowed 08:00–21:00 (the TCPA
default). The configured window replaces that default window for every recipient; the stricter
windows of some states and countries (`core.quiet_hours.QUIET_HOURS_RULES`) still apply on top.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sms_tui.config import BULK_RATE_KEYS, QUIET_HOURS_KEYS, Settings, hhmm, quiet_hours_minutes
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules
from sms_tui.core.mms import NumberKind
from sms_tui.core.quiet_hours import SendWindow

if TYPE_CHECKING:
    from sms_tui.core.drip import Pacing  # the bulk pacing rules load when a campaign needs them

__all__ = [
    "QUIET_HOURS_KEYS",
    "bulk_pacing",
    "compliance_rules",
    "mms_countries",
    "mms_limits",
    "named_zone",
    "quiet_hours_window",
    "rep_zone",
    "system_zone",
]


def compliance_rules(settings: Settings) -> ComplianceRules:
    """The rules for `check_send` under these settings (DEFAULT_RULES when nothing is configured).

    Raises ConfigError, naming the setting, when `[quiet_hours]` cannot be understood.
    """
    if not settings.quiet_hours:
        return DEFAULT_RULES
    return ComplianceRules(default_window=quiet_hours_window(settings.quiet_hours))


def quiet_hours_window(table: Mapping[str, str], source: str = "the config file") -> SendWindow:
    """The sending window left open by a `[quiet_hours]` table; a missing key keeps its default.

    ``start`` after ``end`` (21:00 → 08:00) is quiet overnight; ``start`` before ``end``
    (13:00 → 14:00) is a quiet stretch inside the day; equal times are refused as ambiguous
    (the parsing and its errors are the config's: `config.quiet_hours_minutes`).
    """
    start, end = quiet_hours_minutes(table, source)
    if end < start:  # quiet overnight: open from end to start
        intervals: tuple[tuple[int, int], ...] = ((end, start),)
    else:  # quiet during the day: open before start and after end
        intervals = tuple((a, b) for a, b in ((0, start), (end, 24 * 60)) if a < b)
    return SendWindow(
        days=(intervals,) * 7,
        source=f"your config: quiet hours {hhmm(start)}–{hhmm(end)}",
    )


def bulk_pacing(settings: Settings) -> Pacing:
    """The campaign runner's pacing under `[bulk]` (the defaults when nothing is configured)."""
    from sms_tui.core.drip import Pacing

    table = settings.bulk
    rates = {k: float(table[k]) for k in BULK_RATE_KEYS if k in table}
    numbers = {k: float(v) for k, v in table.items() if k.startswith("+")}
    cap = int(table["daily_cap"]) if "daily_cap" in table else None
    return Pacing(**rates, per_number=numbers, daily_cap=cap, day_zone=table.get("day_zone", "UTC"))


# --- the rep's zone --------------------------------------------------------------------------------


def rep_zone(name: str | None, *, env: Mapping[str, str] | None = None, etc: Path = Path("/etc")) -> tzinfo:
    """The rep's zone: the configured IANA name, else the machine's named zone, else UTC.

    A named zone (not a fixed offset) keeps "tomorrow 9:00" right across a DST change.
    """
    if name:
        configured = named_zone(name)
        if configured is not None:
            return configured
    return system_zone(env=env, etc=etc)


def named_zone(name: str) -> ZoneInfo | None:
    """`ZoneInfo(name)`, or None when no such zone is installed."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def system_zone(*, env: Mapping[str, str] | None = None, etc: Path = Path("/etc")) -> tzinfo:
    """The machine's zone: `$TZ`, the `/etc/localtime` link, `/etc/timezone`, the
    `/etc/localtime` file itself (right offsets, no name), then UTC."""
    env = os.environ if env is None else env
    tz = env.get("TZ", "").removeprefix(":").strip()
    if tz:
        found = named_zone(_key_from_path(tz) or tz)
        if found is not None:
            return found
    localtime = etc / "localtime"
    try:
        target = os.readlink(localtime)
    except OSError:
        target = ""
    key = _key_from_path(target)
    if key:
        found = named_zone(key)
        if found is not None:
            return found
    try:
        key = (etc / "timezone").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        key = ""
    if key:
        found = named_zone(key)
        if found is not None:
            return found
    try:
        with localtime.open("rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError):
        return UTC


def _key_from_path(path: str) -> str | None:
    """ "/usr/share/zoneinfo/Europe/Paris" -> "Europe/Paris" (also under zoneinfo/posix/)."""
    _, sep, key = path.rpartition("zoneinfo/")
    if not sep or not key:
        return None
    return key.removeprefix("posix/")


def mms_countries(settings: Settings) -> frozenset[str]:
    """Where MMS may go (both ends), from `mms_countries` (US and Canada by default)."""
    return frozenset(settings.mms_countries)


def mms_limits(settings: Settings) -> dict[NumberKind, int]:
    """The most an MMS may weigh, in bytes, by the kind of sending number (a short code as a
    toll-free number)."""
    toll_free = int(settings.mms_limit_toll_free_kb * 1024)
    return {
        "long_code": int(settings.mms_limit_long_code_kb * 1024),
        "toll_free": toll_free,
        "short_code": toll_free,
    }
