"""The carrier stands apart: among our packages it imports only `sms_tui.core`, and its own modules form
no import cycle (lazy and TYPE_CHECKING imports count: they are where cycles hide)."""

from __future__ import annotations

import ast
from pathlib import Path

import sms_tui.carrier

CARRIER = Path(sms_tui.carrier.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "sms_tui.carrier":
                found.update(f"sms_tui.carrier.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"sms_tui.carrier.{p.stem}": p for p in CARRIER.glob("*.py") if p.stem != "__init__"}
    return {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}


def test_carrier_imports_only_core_among_our_packages() -> None:
    for path in CARRIER.glob("*.py"):
        ours = {m for m in _imports(path) if m.startswith("sms_tui")}
        stray = {m for m in ours if not m.startswith(("sms_tui.carrier", "sms_tui.core"))}
        assert not stray, f"{path.name} imports {sorted(stray)}"


def test_no_import_cycle_inside_the_carrier() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError(" -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_demo_generator_depends_on_the_engine_not_the_reverse() -> None:
    graph = _graph()
    assert "sms_tui.carrier.demo_data" not in graph["sms_tui.carrier.engine"]
    assert "sms_tui.carrier.simulation" not in graph["sms_tui.carrier.engine"]
