"""Full garbage collections wait for a moment without keys (ui/idle_gc.py)."""

from __future__ import annotations

import gc
from pathlib import Path

from sms_tui.ui import idle_gc
from sms_tui.ui.idle_gc import IdleCollector
from tests.ui.harness import inbox, seeded_app, until


class _Clock:
    def __init__(self) -> None:
        self.at = 100.0

    def __call__(self) -> float:
        return self.at


def _collector(
    clock: _Clock, passes: list[int], ran: list[int], frozen: list[str] | None = None
) -> IdleCollector:
    frozen = [] if frozen is None else frozen
    collector = IdleCollector(
        clock=clock,
        collect=lambda: ran.append(1),
        young_passes=lambda: passes[0],
        freeze=lambda: frozen.append("freeze"),
        unfreeze=lambda: frozen.append("unfreeze"),
    )
    return collector


def _past_the_first_idle_moment(collector: IdleCollector, clock: _Clock, ran: list[int]) -> None:
    clock.at += 10 * idle_gc.IDLE
    assert collector.check()  # the one collection before the freeze
    ran.clear()


def test_the_first_collection_waits_until_start_up_is_over_idle_or_not() -> None:
    clock, passes, ran, frozen = _Clock(), [0], list[int](), list[str]()
    collector = _collector(clock, passes, ran, frozen)
    collector.install()  # the app mounts
    try:
        mounted = clock.at
        clock.at += 2 * idle_gc.IDLE  # no key since: idle, but start-up is still going
        assert not collector.check() and ran == [] and frozen == []
        passes[0] = idle_gc.DUE_AFTER  # even a due one waits
        assert not collector.check() and ran == [] and frozen == []
        clock.at = mounted + idle_gc.FIRST_AFTER
        assert collector.check() and ran == [1] and frozen == ["freeze"]
    finally:
        collector.uninstall()


def test_the_first_idle_moment_collects_once_then_freezes_what_start_up_built() -> None:
    clock, passes, ran, frozen = _Clock(), [0], list[int](), list[str]()
    collector = _collector(clock, passes, ran, frozen)
    clock.at += idle_gc.FIRST_AFTER  # start-up is over
    collector.touched()
    clock.at += idle_gc.IDLE / 2
    assert not collector.check() and ran == [] and frozen == []  # a key a moment ago
    clock.at += idle_gc.IDLE
    assert collector.check() and ran == [1] and frozen == ["freeze"]  # not due, but the first
    clock.at += 10 * idle_gc.IDLE
    assert not collector.check() and ran == [1] and frozen == ["freeze"]  # once only
    collector.install()
    collector.uninstall()
    assert frozen == ["freeze", "unfreeze"]  # the app ends: the collector has them all again
    collector.uninstall()
    assert frozen == ["freeze", "unfreeze"]


def test_an_app_that_never_froze_unfreezes_nothing() -> None:
    clock, passes, ran, frozen = _Clock(), [0], list[int](), list[str]()
    collector = _collector(clock, passes, ran, frozen)
    collector.install()
    collector.uninstall()
    assert frozen == []


def test_a_due_collection_waits_until_the_rep_is_idle() -> None:
    clock, passes, ran = _Clock(), [idle_gc.DUE_AFTER], list[int]()
    collector = _collector(clock, passes, ran)
    _past_the_first_idle_moment(collector, clock, ran)
    collector.touched()
    clock.at += idle_gc.IDLE / 2
    assert not collector.check() and ran == []  # a key a moment ago
    clock.at += idle_gc.IDLE
    assert collector.check() and ran == [1]


def test_nothing_runs_while_no_full_collection_is_due() -> None:
    clock, passes, ran = _Clock(), [idle_gc.DUE_AFTER - 1], list[int]()
    collector = _collector(clock, passes, ran)
    _past_the_first_idle_moment(collector, clock, ran)
    clock.at += 10 * idle_gc.IDLE
    assert not collector.check() and ran == []


def test_while_installed_python_runs_full_passes_only_after_many_young_ones() -> None:
    before = gc.get_threshold()
    collector = IdleCollector()
    collector.install()
    try:
        assert gc.get_threshold() == (before[0], before[1], idle_gc.FORCE_AFTER)
    finally:
        collector.uninstall()
    assert gc.get_threshold() == before


async def test_a_key_tells_the_app_the_rep_is_not_idle(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    before = gc.get_threshold()
    async with app.run_test(size=(120, 36)) as pilot:
        clock = _Clock()
        # the app's own collector, on the test's clock, with nothing to collect for real
        app.idle_gc._clock, app.idle_gc._collect = clock, lambda: None
        app.idle_gc._freeze = lambda: None  # (its real unfreeze gives back the first frame's freeze)
        app.idle_gc._young_passes = lambda: idle_gc.DUE_AFTER
        app.idle_gc._last_input = clock.at
        await until(pilot, lambda: inbox(app).leads.total == 6)
        clock.at += 10 * idle_gc.IDLE  # idle for long: a collection would run now
        await pilot.press("j")
        assert not app.idle_gc.check()  # not right after a key
        assert gc.get_threshold()[2] == idle_gc.FORCE_AFTER
    assert gc.get_threshold() == before  # put back when the app ends


def test_the_first_frame_freezes_start_up_without_a_pass_and_turns_the_collector_on() -> None:
    clock, passes, ran, frozen = _Clock(), [0], list[int](), list[str]()
    collector = _collector(clock, passes, ran, frozen)
    collector.install()
    was_enabled = gc.isenabled()
    gc.disable()  # as `sms-tui` starts (sms_tui/launch.py)
    try:
        collector.first_frame()
        assert gc.isenabled()
        assert frozen == ["freeze"] and ran == []  # no pass over what start-up built
        clock.at += idle_gc.FIRST_AFTER
        assert collector.check() and ran == [1] and frozen == ["freeze", "freeze"]  # the rest of start-up
        clock.at += 10 * idle_gc.IDLE
        assert not collector.check() and ran == [1]  # once only
    finally:
        collector.uninstall()
        if not was_enabled:
            gc.disable()
    assert frozen == ["freeze", "freeze", "unfreeze"]  # the app ends: the collector has them all again


async def test_the_app_turns_the_collector_on_at_its_first_frame_with_start_up_frozen(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    assert gc.get_freeze_count() == 0
    gc.disable()  # as `sms-tui` starts (sms_tui/launch.py)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: inbox(app).leads.total == 6)
            await until(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 10_000  # modules, classes, the first screen
    finally:
        gc.enable()
    assert gc.get_freeze_count() == 0  # the app ends: the collector has them all again
