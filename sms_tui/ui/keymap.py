"""The `[keys]` table checked against the app's real bindings, and the effective key map.

Only the UI knows its bindings, so the config (data) is checked here, at start, before the app
runs: an unknown action id, an ambiguous short name, an empty key, or a key that would then be
bound to two actions where both are active is a `ConfigError` that lists the valid ids.
`sms-tui keys` prints `effective_keys(...)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

from sms_tui.config import ConfigError
from sms_tui.core.safe_text import safe


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One action as the rep can press it."""

    where: str  # "App", "Inbox", "Lead list", "Composer", "Search"
    id: str  # the binding id the `[keys]` table names, e.g. "inbox.done"
    keys: tuple[str, ...]
    description: str
    remapped: bool

    @property
    def always(self) -> bool:
        """App and inbox keys work whatever has focus; the others only in their widget."""
        return self.where in ("App", "Inbox")


def _owners() -> list[tuple[str, list[Binding]]]:
    from sms_tui.ui.app import SmsApp
    from sms_tui.ui.screens.inbox import InboxScreen
    from sms_tui.ui.widgets.composer import Composer
    from sms_tui.ui.widgets.lead_list import LeadList
    from sms_tui.ui.widgets.search_bar import SearchBar

    owners: list[tuple[str, type[DOMNode]]] = [
        ("App", SmsApp),
        ("Inbox", InboxScreen),
        ("Lead list", LeadList),
        ("Composer", Composer),
        ("Search", SearchBar),
    ]
    return [(where, [b for b in cls.BINDINGS if isinstance(b, Binding) and b.id]) for where, cls in owners]


#: A Textual key name (ctrl+s, shift+f7, question_mark) or one printable character other than
#: a bracket or a comma.
_KEY_NAME = re.compile(r"[A-Za-z0-9_+\-]+|[^\s\[\],\x00-\x1f\x7f-\x9f]")


def _split(keys: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in keys.split(",") if k.strip())


def effective_keys(resolved: Mapping[str, str]) -> list[KeyRow]:
    """Every remappable action with the keys that press it once `resolved` (ids -> keys) applies."""
    rows = []
    for where, bindings in _owners():
        for binding in bindings:
            assert binding.id is not None
            remapped = binding.id in resolved
            keys = _split(resolved[binding.id]) if remapped else _split(binding.key)
            rows.append(KeyRow(where, binding.id, keys, binding.description or binding.action, remapped))
    return rows


def valid_ids() -> list[str]:
    return sorted(row.id for row in effective_keys({}))


def check_keymap(keys: Mapping[str, str], source: str = "[keys]") -> dict[str, str]:
    """`keys` (action id or unique short name -> key) as binding ids -> keys, or a ConfigError."""
    ids = valid_ids()
    resolved: dict[str, str] = {}
    problems: list[str] = []
    for name, key in keys.items():
        if not _split(key):
            problems.append(f"{name!r} has no key")
            continue
        odd = [k for k in _split(key) if not _KEY_NAME.fullmatch(k) or safe(k) != k]
        if odd:
            shown = ", ".join(repr(safe(k)) for k in odd)
            problems.append(f"{name!r} has {shown}, not a key name (e.g. ctrl+s, f7, d)")
            continue
        if name in ids:
            resolved[name] = key
            continue
        matches = [i for i in ids if i.split(".", 1)[-1] == name]
        if len(matches) == 1:
            resolved[matches[0]] = key
        elif matches:
            problems.append(f"{name!r} could mean {' or '.join(matches)}: use the full id")
        else:
            problems.append(f"unknown action {name!r}")
    rows = effective_keys(resolved)
    defaults = {row.id: row.keys for row in effective_keys({})}
    seen: set[tuple[str, str, str]] = set()
    for a in rows:
        for b in rows:
            if a.id >= b.id or not (a.always or b.always or a.where == b.where):
                continue
            # Only clashes the rep's table made: the built-in map has deliberate ones (the
            # focused widget wins), e.g. ctrl+o in the composer and in the inbox.
            new_a = set(a.keys) - set(defaults[a.id]) if a.remapped else set()
            new_b = set(b.keys) - set(defaults[b.id]) if b.remapped else set()
            for key in sorted((new_a & set(b.keys)) | (new_b & set(a.keys))):
                if (key, a.id, b.id) not in seen:
                    seen.add((key, a.id, b.id))
                    problems.append(f"{key!r} would be bound to both {a.id} and {b.id}")
    if problems:
        raise ConfigError(
            f"Problems in {source}: {'; '.join(problems)}. Valid action ids: {', '.join(ids)} "
            "(`sms-tui keys` prints the current map)."
        )
    return resolved
