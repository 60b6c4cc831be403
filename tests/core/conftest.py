"""Every core test starts with empty memo caches (phones, quiet hours, segments use lru_cache).

A cached answer from an earlier test would hide a change in the code under test: mutation testing
(`make mutation`) forks each mutant from a process whose caches the clean run already filled, and
without this a mutant in a memoised function could never be seen.

`make mutation` sets SMS_TUI_MUTATION=1: Hypothesis then tries 25 examples a test instead of 100,
and the geocoder sweeps of test_geo_data.py check one prefix in `SWEEP_STRIDE` (every survivor
runs every test that covers it, and the full sweeps take a minute). `make test` runs them whole.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Iterator

import pytest
from hypothesis import settings

import sms_tui.core


def _caches() -> list[object]:
    found = []
    for info in pkgutil.iter_modules(sms_tui.core.__path__):
        module = importlib.import_module(f"sms_tui.core.{info.name}")
        found += [v for v in vars(module).values() if callable(getattr(v, "cache_clear", None))]
    return found


CACHES = _caches()

MUTATION = os.environ.get("SMS_TUI_MUTATION") == "1"
SWEEP_STRIDE = 25 if MUTATION else 1
settings.register_profile("mutation", max_examples=25, deadline=None)
if MUTATION:
    settings.load_profile("mutation")


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    for cached in CACHES:
        cached.cache_clear()  # type: ignore[attr-defined]
    yield
