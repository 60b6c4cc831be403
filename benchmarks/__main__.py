"""`python -m benchmarks [NAME ...]`: run every benchmarks/bench_*.py module's main(), or the named ones.

Benchmarks are run by hand (`make bench`), never in CI: their figures go in the notes.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith("bench_")
    )
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv]
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(names)}", file=sys.stderr)
        return 2
    for name in wanted or names:
        print(f"=== {name} ===", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        sys.argv = [f"benchmarks.{name}"]  # a benchmark's own argument parser sees no arguments
        module.main()
        print(flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
