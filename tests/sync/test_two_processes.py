"""Two real processes push the same cache file against one carrier (on a socket): no double send."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sms_tui.carrier import start_background
from sms_tui.store import Store
from tests.sync.harness import API_KEY, World, outbound_texts, send_one, textable_leads

PUSHER = """
import asyncio, sys
from datetime import UTC, datetime
from sms_tui.provider import CloseClient
from sms_tui.store import Store
from sms_tui.sync import SyncEngine

async def main(path, url, key):
    store = Store.open(path)
    async with CloseClient(url, key) as client:
        engine = SyncEngine(store, client, now=lambda: datetime.now(UTC))
        for _ in range(40):
            await engine.push_outbox()
    print(engine.totals.sent)

asyncio.run(main(*sys.argv[1:4]))
"""


def test_two_processes_on_one_cache_send_each_message_once(tmp_path: Path, synced_cache: Path) -> None:
    world = World(tmp_path)
    world.copy_cache(synced_cache)
    store = world.store()
    leads = textable_leads(store)
    texts = [f"two processes {i}" for i in range(40)]
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    for i, text in enumerate(texts):
        send_one(store, leads[i % len(leads)], text, now, now)
    running = start_background(api_key=API_KEY, seed=world.seed, app=world.app)
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", PUSHER, str(world.cache_path), running.base_url, API_KEY],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [p.communicate(timeout=120) for p in procs]
    finally:
        running.stop()
    assert [p.returncode for p in procs] == [0, 0], results
    on_carrier = outbound_texts([dict(s) for s in world.app.carrier.state.all("sms")])
    fresh = Store.open(world.cache_path)
    for text in texts:
        (local_id,) = fresh.db.execute("SELECT local_id FROM messages WHERE text = ?", (text,)).fetchone()
        message = fresh.get_message(local_id)
        assert message is not None
        if message.local_state == "blocked":
            assert on_carrier.count(text) == 0
        else:
            assert message.local_state == "sent" and on_carrier.count(text) == 1, (text, message)
    sent_per_process = [int(out.strip()) for out, _ in results]
    assert sum(sent_per_process) == sum(1 for t in texts if on_carrier.count(t) == 1)
    fresh.close()
    store.close()
