"""The code that `@dataclass` generates, compiled once and kept like bytecode (`__pycache__`).

For every dataclass, the standard library writes the source of `__init__`, `__repr__`, `__eq__`
(and `__hash__`, `__setattr__`, `__delattr__` when frozen) and compiles each one with `exec`, in
every process, every time. Compiling is most of a dataclass's cost: ~1 ms per frozen class on
this machine, and `sms-tui` builds ~110 dataclasses (ours, Textual's) before the inbox's first
rows: 60-100 ms of the ~550 ms of CPU that start-up took (real process in a pty, 100k leads,
2026-11-30), more than any other single item.

`install()` hands `dataclasses` an `exec` that looks each generated source text up in a table of
code objects (loaded with `marshal`, as Python loads a `.pyc`) and compiles only texts it has not
seen, exactly as `exec` would (`compile(text, "<string>", "exec")`, no inherited flags). The key
is the whole source text, so a changed class simply misses and is compiled; nothing can go stale.
`save()` writes the table beside the package's bytecode when something was compiled (unless
bytecode writing is off, PYTHONDONTWRITEBYTECODE), atomically; a missing, unreadable or
foreign file is ignored (everything is compiled, as without this module).

Used by the `sms-tui` command only (`sms_tui/launch.py`, before anything else is imported); the
app saves once its first frame is painted, the command again on the way out.
tests/test_dataclass_cache.py checks that classes built through it equal the standard library's.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

from sms_tui import bytecode_dir

#: Past this many entries, a save keeps only what this process used (old classes drop out).
MAX_ENTRIES = 4000

_exec = builtins.exec


class _Table(bytecode_dir.KeptTable):
    def __init__(self, path: Path | None) -> None:
        super().__init__(path)
        self.codes: dict[str, CodeType] = _read(path) if path is not None else {}
        self.used: set[str] = set()

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002
        if not isinstance(source, str):
            _exec(source, globals, locals)
            return
        code = self.codes.get(source)
        if code is None:
            # What `exec(source)` compiles: named "<string>", without this module's __future__ flags.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.codes[source] = code
            self.new += 1
        self.used.add(source)
        _exec(code, globals, locals)

    def dumps(self) -> bytes:
        codes = self.codes
        if len(codes) > MAX_ENTRIES:
            codes = {text: code for text, code in codes.items() if text in self.used}
        return MAGIC_NUMBER + marshal.dumps(codes)


def _read(path: Path) -> dict[str, CodeType]:
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if not data.startswith(MAGIC_NUMBER):
        return {}  # another Python's bytecode
    try:
        table = marshal.loads(data[len(MAGIC_NUMBER) :])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, CodeType)}


def default_path() -> Path | None:
    """Beside this package's bytecode (`__pycache__`, or under sys.pycache_prefix), tagged with
    the interpreter (`cpython-311`); None where Python keeps no bytecode."""
    return bytecode_dir.beside(__file__, "dataclass-code", "marshal")


_table: _Table | None = None


def install(path: Path | None = None) -> None:
    """Compile dataclasses' generated code through the table at `path` (default: `default_path()`)."""
    global _table
    _table = _Table(path if path is not None else default_path())
    dataclasses.exec = _table.exec  # type: ignore[attr-defined]  # shadows the builtin there only


def uninstall() -> None:
    """Back to the standard library's own `exec` (tests)."""
    global _table
    _table = None
    vars(dataclasses).pop("exec", None)


def save() -> None:
    """Write the table if this process compiled something new (no-op when not installed)."""
    if _table is not None:
        _table.save()
