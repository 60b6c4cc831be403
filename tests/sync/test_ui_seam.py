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
