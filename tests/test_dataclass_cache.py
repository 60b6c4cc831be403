"""`sms_tui.dataclass_cache`: dataclasses built through the kept code equal the standard library's."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sms_tui import dataclass_cache

# The class is defined from source in a namespace without `from __future__ import annotations`
# (as most code is): the generated __init__'s annotations are then objects, not strings.
_SOURCE = """
from dataclasses import dataclass, field

@dataclass(frozen=True, slots=True)
class Row:
    lead_id: str
    name: str | None = None
    unread: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple)

@dataclass(order=True)
class Plain:
    x: int
    y: list[int] = field(default_factory=list)
"""

METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__", "__ge__")


def _build() -> dict[str, Any]:
    ns: dict[str, Any] = {"__name__": "sample"}
    exec(compile(_SOURCE, "sample", "exec", dont_inherit=True), ns)  # not this file's __future__
    return ns


def _code_facts(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in METHODS:
        fn: Any = cls.__dict__.get(name)
        code = getattr(fn, "__code__", None)
        if code is None:
            out[name] = fn
            continue
        out[name] = (
            code.co_code,
            code.co_consts,
            code.co_names,
            code.co_varnames,
            code.co_filename,
            code.co_flags,
            fn.__annotations__,
            fn.__defaults__,
            fn.__kwdefaults__,
            fn.__qualname__,
        )
    return out


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "dataclass-code.marshal"
    dataclass_cache.install(path)
    try:
        yield path
    finally:
        dataclass_cache.uninstall()


def test_classes_built_through_it_equal_the_standard_librarys(installed: Path) -> None:
    cached = _build()
    dataclass_cache.uninstall()
    plain = _build()
    for name in ("Row", "Plain"):
        assert _code_facts(cached[name]) == _code_facts(plain[name])
        assert [f.name for f in dataclasses.fields(cached[name])] == [
            f.name for f in dataclasses.fields(plain[name])
        ]
    row = cached["Row"]("lead_1", "Ann", 2)
    assert repr(row) == "Row(lead_id='lead_1', name='Ann', unread=2, tags=())"
    assert row == cached["Row"]("lead_1", "Ann", 2) and hash(row) == hash(cached["Row"]("lead_1", "Ann", 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.name = "Bob"
    assert cached["Plain"](1) < cached["Plain"](2)
    assert cached["Row"].__init__.__annotations__["unread"] is int  # not the string 'int'


def test_a_saved_table_serves_the_next_process_without_compiling(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    first = _build()
    dataclass_cache.save()
    assert installed.exists()

    dataclass_cache.install(installed)  # a new process: the table comes from the file

    def no_compile(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although the code was kept")

    monkeypatch.setattr(dataclass_cache, "compile", no_compile, raising=False)
    second = _build()
    assert _code_facts(second["Row"]) == _code_facts(first["Row"])
    assert second["Row"]("a") == second["Row"]("a", None, 0, ())


def test_nothing_is_written_when_bytecode_is_not(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _build()
    dataclass_cache.save()
    assert not installed.exists()


@pytest.mark.parametrize("content", [b"", b"not marshal at all", b"\x00\x01\x02\x03garbage"])
def test_an_unreadable_or_foreign_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "dataclass-code.marshal"
    path.write_bytes(content)
    dataclass_cache.install(path)
    try:
        built = _build()
    finally:
        dataclass_cache.uninstall()
    assert repr(built["Row"]("x")) == "Row(lead_id='x', name=None, unread=0, tags=())"


def test_a_save_that_cannot_write_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocker = tmp_path / "file"
    blocker.write_text("")
    dataclass_cache.install(blocker / "sub" / "dataclass-code.marshal")  # its folder cannot be made
    try:
        built = _build()
        dataclass_cache.save()
    finally:
        dataclass_cache.uninstall()
    assert built["Plain"](1) == built["Plain"](1)


_ENTRY = r"""
import asyncio, os, sys
from textual.app import App

def run(self, *args, **kwargs):
    async def go():
        async with self.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            os._exit(0)  # killed, as a terminal closing would: the app saved after its first frame
    asyncio.run(go())

App.run = run
sys.argv = ["sms-tui"]
from sms_tui.launch import main
main()
"""


def test_the_command_keeps_its_dataclass_code_and_parsed_css(tmp_path: Path) -> None:
    """The real entry point installs the table before it imports the app and writes it once the
    first frame is painted: the next start compiles none of those dataclasses. (Here Textual is
    imported before, to run the app headless; `sms-tui` itself imports it after.)"""
    import marshal

    from tests.ui.seed import NOW, seeded_store

    seeded_store(tmp_path / "data" / "cache.sqlite3", NOW).close()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"),  # bytecode (and the table) go here
        SMS_TUI_CONFIG=str(tmp_path / "config.toml"),
        SMS_TUI_DATA_DIR=str(tmp_path / "data"),
        SMS_TUI_BASE_URL="http://127.0.0.1:9/api/v1/",
        SMS_TUI_API_KEY="test_not_a_key",
    )
    out = subprocess.run([sys.executable, "-c", _ENTRY], capture_output=True, text=True, env=env, timeout=120)
    tables = list((tmp_path / "pycache").rglob("dataclass-code.*.marshal"))
    assert len(tables) == 1, out.stderr[-2000:]
    from importlib.util import MAGIC_NUMBER

    texts = marshal.loads(tables[0].read_bytes()[len(MAGIC_NUMBER) :])
    inits = [t for t in texts if "def __init__(self,lead_id:_type_lead_id,display_name:" in t]  # LeadRow
    assert inits, sorted(texts)[:5]
    # ... and Textual's parsed CSS (`ui/css_cache.py`), installed by the command the same way.
    assert len(list((tmp_path / "pycache").rglob("textual-css.*.pickle"))) == 1


def test_the_launcher_leaves_dataclasses_as_it_found_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """`launch.main` installs the table for its command and takes it away on the way out (a test
    or a caller running it in-process keeps the standard library's own `exec`)."""
    import sms_tui.cli
    from sms_tui import launch

    seen: list[bool] = []
    monkeypatch.setattr(sys, "argv", ["sms-tui", "segments", "Hi"])
    monkeypatch.setattr(sms_tui.cli, "main", lambda: seen.append("exec" in vars(dataclasses)))
    launch.main()
    assert seen == [True]
    assert "exec" not in vars(dataclasses)
