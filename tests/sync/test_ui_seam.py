"""The UI↔sync seam: the UI gets typed events and never loads the provider client before it needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_inbox_app_loads_without_the_provider_client_or_httpx() -> None:
    code = (
        "import sys, sms_tui.ui.app, sms_tui.ui.sync_worker, sms_tui.commands.app\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'httpx' "
        "or m.startswith(('sms_tui.provider', 'sms_tui.sync.engine'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_ui_module_imports_the_provider() -> None:
    import sms_tui.ui

    root = Path(sms_tui.ui.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "screenshots.py"  # a tool that wires its own carrier and engine, not the app
        and ("sms_tui.provider" in path.read_text() or "sms_tui.sync.engine" in path.read_text())
    ]
    assert offenders == []


async def test_a_warm_cache_opens_without_a_first_sync_and_the_palette_offers_a_full_resync(
    tmp_path: Path,
) -> None:
    from sms_tui.sync.marks import FIRST_SYNC_KEY
    from tests.ui.harness import inbox, live_app, settle, until

    first = await live_app(tmp_path)
    async with first.app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: first.app.sync.started and inbox(first.app).leads.total > 0, tries=500)
        await settle(pilot)
    done_at = first.store.kv_get(FIRST_SYNC_KEY)
    assert done_at
    first.store.close()

    again = await live_app(tmp_path)  # same cache file: a warm launch
    async with again.app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: again.app.sync.started, tries=500)
        await settle(pilot)
        assert again.store.kv_get(FIRST_SYNC_KEY) == done_at  # resumed, no first sync
        again.clock.advance(60)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"full resync")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: again.store.kv_get(FIRST_SYNC_KEY) != done_at, tries=500)
    again.store.close()


async def test_o_at_the_top_of_a_conversation_fetches_older_messages_from_the_provider(
    tmp_path: Path,
) -> None:
    from sms_tui.sync.engine import SyncEngine
    from sms_tui.sync.events import Listener, SyncDriver
    from sms_tui.sync.first_sync import Scope
    from tests.ui.harness import inbox, live_app, open_lead, settle, until

    live = await live_app(tmp_path)
    factory = live.app.sync._factory
    assert factory is not None

    def narrow(listener: Listener) -> SyncDriver:
        engine = factory(listener)
        assert isinstance(engine, SyncEngine)
        engine.scope = Scope(history_days=3)
        return engine

    live.app.sync._factory = narrow
    async with live.app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
        await settle(pilot)
        state = await live.carrier_state()
        counts: dict[str, int] = {}
        for sms in state["sms"]:
            counts[sms["lead_id"]] = counts.get(sms["lead_id"], 0) + 1
        lead_id = next(
            row.lead_id
            for _, row in inbox(live.app).leads.loaded_rows()
            if counts.get(row.lead_id, 0) > len(live.store.conversation(row.lead_id))
        )
        before = len(live.store.conversation(lead_id))
        await open_lead(pilot, lead_id)
        await pilot.press("o")
        await settle(pilot)
        await until(pilot, lambda: len(live.store.conversation(lead_id)) > before, tries=500)
