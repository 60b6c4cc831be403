"""Textual's parsed CSS, kept between starts beside the bytecode (`__pycache__`).

Every start, Textual parses the app's stylesheet and each widget class's DEFAULT_CSS (27 sources,
139 rule sets for the inbox's first screen): 25 ms of the ~120 ms from `App.run` to the first
rows, the largest single item there (in-process, 2026-11-30; unpickling the same rules: 4 ms).

`install()` wraps `Stylesheet._parse_rules`: a source already parsed by an earlier start (same CSS
text, origin, scope, tie-breaker and theme variables, same Textual files) is unpickled from the
table instead of parsed; anything else is Textual's own parse, then kept. Only rule sets without
errors are kept (Textual raises on those anyway). `save()` writes the table once the first frame is
painted, when something new was parsed, unless bytecode writing is off (PYTHONDONTWRITEBYTECODE);
a missing, unreadable or foreign table is ignored. The table is as trusted as the `.pyc` files
beside it (only this package's own folder is read).

Installed by the `sms-tui` command (`commands/inbox.py`), not by the app itself, so tests parse as
Textual does unless they install it; tests/ui/test_css_cache.py checks the rules and a painted
screen equal Textual's own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

from sms_tui import bytecode_dir

_textual_parse_rules = Stylesheet._parse_rules


def _textual_stamp() -> tuple[str, ...]:
    """What identifies the parser's output: Textual's location and its parser's files."""
    root = Path(textual.__file__).parent
    stamp = [str(root)]
    for name in ("css/parse.py", "css/styles.py", "css/model.py", "css/_styles_builder.py"):
        st = os.stat(root / name)
        stamp.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return tuple(stamp)


class _Table(bytecode_dir.KeptTable):
    def __init__(self, path: Path | None) -> None:
        super().__init__(path)
        self.stamp = repr((MAGIC_NUMBER, _textual_stamp()))
        self.entries: dict[str, bytes] = self._read(path) if path is not None else {}
        self._variables: tuple[int, str] = (0, "")

    def _read(self, path: Path) -> dict[str, bytes]:
        try:
            table = pickle.loads(path.read_bytes())
        except Exception:  # missing, truncated, written by another Python or Textual
            return {}
        if not isinstance(table, dict) or table.get("stamp") != self.stamp:
            return {}
        entries = table.get("entries")
        return entries if isinstance(entries, dict) else {}

    def key(self, stylesheet: Stylesheet, parts: tuple[Any, ...]) -> str:
        variables = stylesheet._variables
        if self._variables[0] != id(variables):  # the theme's variables: one dict per theme
            self._variables = (id(variables), repr(sorted(variables.items())))
        text = repr(parts) + self._variables[1]
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def dumps(self) -> bytes:
        return pickle.dumps({"stamp": self.stamp, "entries": self.entries}, pickle.HIGHEST_PROTOCOL)


_table: _Table | None = None


def _parse_rules(
    self: Stylesheet,
    css: str,
    read_from: Any,
    is_default_rules: bool = False,
    tie_breaker: int = 0,
    scope: str = "",
) -> list[RuleSet]:
    table = _table
    parts = (css, read_from, is_default_rules, tie_breaker, scope)
    if table is None or parts in self._parse_cache:
        return _textual_parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
    key = table.key(self, parts)
    kept = table.entries.get(key)
    if kept is not None:
        try:
            rules: list[RuleSet] = pickle.loads(kept)
        except Exception:
            table.entries.pop(key, None)
        else:
            self._parse_cache[parts] = rules
            return rules
    rules = _textual_parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
    if not any(rule.errors for rule in rules):
        table.entries[key] = pickle.dumps(rules, pickle.HIGHEST_PROTOCOL)
        table.new += 1
    return rules


def default_path() -> Path | None:
    """Beside this module's bytecode, tagged with the interpreter; None where there is none."""
    return bytecode_dir.beside(__file__, "textual-css", "pickle")


def install(path: Path | None = None) -> None:
    """Parse Textual CSS through the table at `path` (default: `default_path()`)."""
    global _table
    _table = _Table(path if path is not None else default_path())
    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


def uninstall() -> None:
    """Textual's own parse again (tests)."""
    global _table
    _table = None
    Stylesheet._parse_rules = _textual_parse_rules  # type: ignore[method-assign]


def save() -> None:
    """Write the table if this process parsed something new (no-op when not installed)."""
    if _table is not None:
        _table.save()
