"""Every core test starts with empty memo caches (phones, quiet hours, segments use lru_cache).

A cached answer from an earlier test would hide a change in the code under test: mutation testing
(`make mutation`) forks each mutant from a process whose caches the clean run already filled, and
without this a mutant in a memoised function could never be seen.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest

import sms_tui.core


def _caches() -> list[object]:
    found = []
    for info in pkgutil.iter_modules(sms_tui.core.__path__):
        module = importlib.import_module(f"sms_tui.core.{info.name}")
        found += [v for v in vars(module).values() if callable(getattr(v, "cache_clear", None))]
    return found


CACHES = _caches()


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    for cached in CACHES:
        cached.cache_clear()  # type: ignore[attr-defined]
    yield
