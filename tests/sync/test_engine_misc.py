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


async def test_while_the_provider_is_unreachable_pushes_back_off(world: World) -> None:
    import httpx

    from tests.sync.harness import send_one, textable_leads

    store = world.store()
    send_one(store, textable_leads(store)[0], "waiting for the network", world.clock.now(), world.clock.now())
    attempts = 0

    def refuse(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        raise httpx.ConnectError("network is unreachable")

    stop = asyncio.Event()
    deadline = world.clock.now() + timedelta(minutes=2)

    async def wait(event: asyncio.Event, seconds: float) -> None:
        world.clock.advance(max(seconds, 0.01))
        if world.clock.now() >= deadline:
            event.set()

    engine = world.engine(store, wait=wait)
    engine.client = engine.pusher.client = engine.poller.client = world.client(
        transport=httpx.MockTransport(refuse)
    )
    await engine.run_forever(stop)
    message = store.conversation(textable_leads(store)[0][0])[-1]
    assert message.local_state == "outbox" and message.text == "waiting for the network"
    assert engine.state == "offline"
    assert attempts < 60  # a tick every 0.5 s for 2 minutes would be 240 pushes
