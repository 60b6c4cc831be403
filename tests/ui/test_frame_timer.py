"""A frame after a slow one paints when due, not at the update timer's grid point after next
(`ui/frame_timer.py`). Time is Textual's own clock, replaced here: nothing sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import textual._time
import textual.timer
from textual.app import App, ComposeResult, RenderResult
from textual.screen import Screen
from textual.widgets import Static

from sms_tui.ui import frame_timer

SLOW_FRAME = 0.020  # a frame that takes 20 ms of Textual's clock: past the next 1/60 s tick


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SlowLine(Static):
    def __init__(self, clock: Clock) -> None:
        super().__init__("0")
        self.clock = clock

    def render(self) -> RenderResult:
        self.clock.now += SLOW_FRAME
        return super().render()


class OneLine(App[None]):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def compose(self) -> ComposeResult:
        yield SlowLine(self.clock)


@pytest.fixture
def textual_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Clock, list[float]]]:
    """Textual's clock under the test's hand, and the waits the screens' update timers ask for."""
    clock, waits = Clock(), []
    monkeypatch.setattr(textual._time, "get_time", clock)

    async def sleep(seconds: float) -> None:
        task = asyncio.current_task()
        if task is not None and task.get_name() == "screen_update":
            waits.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(textual.timer, "sleep", sleep)
    # Textual's own timer to start from (an SmsApp made earlier in this process installed the fix)
    monkeypatch.setattr(Screen, "_update_timer", frame_timer._textual_update_timer)
    yield clock, waits


async def _waits_after_a_slow_frame(clock: Clock, waits: list[float]) -> list[float]:
    app = OneLine(clock)
    async with app.run_test() as pilot:
        line = app.query_one(SlowLine)
        await pilot.pause()
        waits.clear()
        for n in range(1, 4):  # three changes, each painted by a frame that runs late
            line.update(str(n))
            await pilot.pause()
            await pilot.pause()
        return list(waits)


async def test_textual_alone_holds_the_next_frame_for_the_tick_after_next(
    textual_time: tuple[Clock, list[float]],
) -> None:
    """What the module corrects: Textual's timer, after a frame that ran past its next tick,
    waits 1-2 intervals before it can paint again."""
    waits = await _waits_after_a_slow_frame(*textual_time)
    assert any(wait > 1 / 60 for wait in waits)


async def test_a_frame_after_a_slow_one_waits_for_no_tick(textual_time: tuple[Clock, list[float]]) -> None:
    frame_timer.install()
    waits = await _waits_after_a_slow_frame(*textual_time)
    assert waits and all(wait == 0 for wait in waits)
