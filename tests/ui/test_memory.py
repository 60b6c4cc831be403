"""Freed memory goes back to the system: `ui/memory.py`, called after every list load."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sms_tui.ui.app import SmsApp
from sms_tui.ui.memory import release_free_memory
from tests.ui.harness import Clock, inbox, settle, until
from tests.ui.seed import REP_TZ, seeded_store


def _rss_anon_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_memory_freed_inside_the_heap_is_handed_back_to_the_system() -> None:
    # 48 MiB in blocks small enough for malloc's heap (not mmap), then all freed but the last,
    # which pins the top of the heap: free() alone gives none of it back.
    blocks = [bytearray(b"x" * 65_536) for _ in range(768)]
    last = blocks[-1]
    del blocks
    before = _rss_anon_kib()
    assert release_free_memory() is True
    after = _rss_anon_kib()
    assert before - after > 24 * 1024, (before, after)
    assert last[0] == ord("x")


async def test_each_list_whose_count_is_in_hands_freed_memory_back(tmp_path: Path) -> None:
    clock = Clock()
    released: list[int] = []
    app = SmsApp(
        seeded_store(tmp_path / "cache.sqlite3", clock.now()),
        now=clock.now,
        poll_seconds=999,
        rep_tz=REP_TZ,
        release_memory=lambda: released.append(1),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        await until(pilot, lambda: screen.leads.exact and screen.leads.total > 0)
        await settle(pilot)
        first = len(released)
        assert first >= 1  # the first list (loaded again once the start-up sync has run)
        await pilot.press("2")  # the Unread filter: another list, another release once it is in
        await until(pilot, lambda: len(released) > first)
