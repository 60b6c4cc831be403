"""`python -m tools.mutation_report` (the end of `make mutation`): mutmut's results per core module.

Reads `mutmut results --all true` and tests/core/EQUIVALENT_MUTANTS.md (one line per survivor we
judged equivalent: "- `mutant name`: why"), and prints, per module, the mutants killed (a test
failed, or it timed out), the survivors, the equivalent ones among them, and the score
killed / (all - equivalent); then every survivor not on the list. Exits 1 when a module scores
under GOAL, or a listed mutant no longer survives (the list must be kept true).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tests" / "core" / "EQUIVALENT_MUTANTS.md"
GOAL = 95.0
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
LINE = re.compile(r"^\s*(?P<name>[\w.]+__mutmut_\d+): (?P<status>.+?)\s*$")
LISTED = re.compile(r"^- `(?P<name>[\w.]+__mutmut_\d+)`")


def module_of(name: str) -> str:
    """`sms_tui.core.segments.x_analyze__mutmut_3` -> `segments` (class methods too)."""
    return name.split("sms_tui.core.", 1)[1].split(".", 1)[0]


def results() -> dict[str, str]:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run(
        [str(mutmut), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {m["name"]: m["status"] for m in map(LINE.match, out.splitlines()) if m}


def listed() -> set[str]:
    text = EQUIVALENT.read_text(encoding="utf-8") if EQUIVALENT.exists() else ""
    return {m["name"] for m in map(LISTED.match, text.splitlines()) if m}


def main() -> int:
    status = results()
    equivalent = listed()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    unexplained: list[str] = []
    for name, state in sorted(status.items()):
        tally = counts[module_of(name)]
        tally["all"] += 1
        if state in KILLED:
            tally["killed"] += 1
        elif state == "not checked":
            tally["not checked"] += 1
        elif name in equivalent:
            tally["equivalent"] += 1
        else:
            tally["survived"] += 1
            unexplained.append(f"{name}: {state}")
    print(f"{'module':<12} {'mutants':>7} {'killed':>7} {'survived':>8} {'equivalent':>10} {'score':>7}")
    below: list[str] = []
    for module, tally in sorted(counts.items()):
        judged = tally["all"] - tally["equivalent"] - tally["not checked"]
        score = 100.0 * tally["killed"] / judged if judged else 100.0
        if score < GOAL:
            below.append(module)
        print(
            f"{module:<12} {tally['all']:>7} {tally['killed']:>7} {tally['survived']:>8} "
            f"{tally['equivalent']:>10} {score:>6.1f}%"
        )
    stale = sorted(n for n in equivalent if status.get(n) in KILLED or n not in status)
    for name in unexplained:
        print(f"survived, not listed as equivalent: {name}")
    for name in stale:
        print(f"listed as equivalent but killed or gone: {name}")
    for module in below:
        print(f"under {GOAL:.0f} % killed: {module}")
    return 1 if below or stale else 0


if __name__ == "__main__":
    sys.exit(main())
