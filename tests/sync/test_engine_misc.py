"""Engine odds and ends: headless imports, the loop surviving a failing step."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.sync.harness import World


@pytest.mark.parametrize(
    "module", ["sms_tui.provider", "sms_tui.sync", "sms_tui.config", "sms_tui.commands.sync"]
)
def test_sync_side_never_imports_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_run_forever_survives_a_failing_step_and_reports_it(world: World) -> None:
    stop = asyncio.Event()
    deadline = world.clock.now() + timedelta(minutes=10)

    async def wait(event: asyncio.Event, seconds: float) -> None:
        world.clock.advance(max(seconds, 0.5))
        if world.clock.now() >= deadline:
            event.set()

    engine = world.engine(wait=wait)
    calls = 0
    original = engine.pusher.push

    async def flaky_push(limit: int = 50):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("database is locked")
        return await original(limit)

    engine.pusher.push = flaky_push  # type: ignore[method-assign]
    await engine.run_forever(stop)
    assert calls > 3
    assert any(e.detail and "RuntimeError" in e.detail for e in world.events)
