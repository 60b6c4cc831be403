"""The layer contracts ([tool.importlinter] in pyproject.toml) hold, and they see every import.

`make test` runs `lint-imports` on the package; these tests prove the tool is honest about the
imports we write to keep start-up light: one inside a function or under `if TYPE_CHECKING:`
breaks a contract exactly as a module-level one does. They also keep the contract lists whole:
a new top-level module of ours cannot slip past "core imports nothing of ours".
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

import sms_tui

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CORE_BODIES = {
    "module level": "import fakepkg.ui\n",
    "inside a function": "def f() -> None:\n    import fakepkg.ui  # lazy\n",
    "from-import in a method": (
        "class C:\n    def m(self) -> None:\n        from fakepkg.ui import screen  # lazy\n"
    ),
    "under TYPE_CHECKING": (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fakepkg import ui\n"
    ),
}


def _lint(
    tmp_path: Path, core_body: str, contract: str, ui_body: str = ""
) -> subprocess.CompletedProcess[str]:
    pkg = tmp_path / "fakepkg"
    (pkg / "ui").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "ui" / "__init__.py").write_text(ui_body)
    (pkg / "ui" / "screen.py").write_text("")
    (pkg / "core.py").write_text(core_body)
    config = tmp_path / ".importlinter"
    config.write_text(textwrap.dedent(contract))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )


FORBIDDEN = """
    [importlinter]
    root_package = fakepkg

    [importlinter:contract:pure]
    name = core imports nothing of ours
    type = forbidden
    source_modules = fakepkg.core
    forbidden_modules = fakepkg.ui
"""

ACYCLIC = """
    [importlinter]
    root_package = fakepkg

    [importlinter:contract:cycles]
    name = no cycles
    type = acyclic_siblings
    ancestors = fakepkg
"""


@pytest.mark.parametrize("where", sorted(CORE_BODIES))
def test_forbidden_contract_sees_every_kind_of_import(tmp_path: Path, where: str) -> None:
    result = _lint(tmp_path, CORE_BODIES[where], FORBIDDEN)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "core imports nothing of ours BROKEN" in result.stdout


def test_forbidden_contract_is_kept_without_the_import(tmp_path: Path) -> None:
    result = _lint(tmp_path, "import json\n", FORBIDDEN)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core imports nothing of ours KEPT" in result.stdout


@pytest.mark.parametrize(("ui_body", "kept"), [("import fakepkg.core\n", False), ("", True)])
def test_a_lazy_import_back_makes_a_cycle(tmp_path: Path, ui_body: str, kept: bool) -> None:
    result = _lint(tmp_path, CORE_BODIES["inside a function"], ACYCLIC, ui_body=ui_body)
    assert (result.returncode == 0) == kept, result.stdout + result.stderr
    assert f"no cycles {'KEPT' if kept else 'BROKEN'}" in result.stdout


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _top_level() -> set[str]:
    root = Path(sms_tui.__file__).parent
    names = {p.stem for p in root.glob("*.py") if p.stem != "__init__"}
    names |= {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    return {f"sms_tui.{name}" for name in names}


@pytest.mark.parametrize("contract", ["core-pure", "carrier-apart"])
def test_contracts_forbid_every_other_top_level_module(contract: str) -> None:
    spec = _contracts()[contract]
    sources = set(spec["source_modules"])  # type: ignore[call-overload]
    forbidden = set(spec["forbidden_modules"])  # type: ignore[call-overload]
    expected = _top_level() - sources - {"sms_tui.core"}
    assert expected <= forbidden, f"add {sorted(expected - forbidden)} to contract {contract!r}"


def test_the_package_keeps_its_contracts() -> None:
    """What `make contracts` checks, here too so `pytest` alone shows a broken layer."""
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
