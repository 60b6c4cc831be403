"""Only sms_tui.ui may import Textual (DESIGN.md): prove it in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEADLESS = [
    "sms_tui.core.models",
    "sms_tui.core.segments",
    "sms_tui.core.phones",
    "sms_tui.core.templates",
    "sms_tui.core.compliance",
    "sms_tui.core.query",
    "sms_tui.config",
    "sms_tui.store",
    "sms_tui.provider",
    "sms_tui.sync",
    "sms_tui.carrier",
    "sms_tui.commands.segments",
    "sms_tui.commands.sync",
    "sms_tui.commands.carrier",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_module_does_not_import_textual(module: str) -> None:
    code = f"import sys, {module}; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


#: What the plain `sms-tui` must not have loaded when the inbox's first frame is painted: click and
#: the other commands, the bulk/campaign rules and screens, the network stack. Each loads when first
#: used (a command, `b`/`B`, a conversation's route, the sync worker after the first frame).
NOT_BEFORE_FIRST_FRAME = [
    "click",
    "sms_tui.cli",
    "sms_tui.commands.app",
    "sms_tui.commands.bulk",
    "sms_tui.commands.segments",
    "sms_tui.commands.login",
    "sms_tui.core.campaign",
    "sms_tui.core.drip",
    "regex",  # core.segments needs it only for texts with emoji or combining marks
    "sms_tui.ui.bulk",
    "sms_tui.ui.read_ahead",
    "sms_tui.ui.screens.bulk_compose",
    "sms_tui.ui.screens.bulk_preview",
    "sms_tui.ui.screens.bulk_send",
    "sms_tui.ui.screens.campaigns",
    "sms_tui.ui.widgets.preview_list",
    "httpx",
    "sms_tui.provider",
    "sms_tui.sync.engine",
]

# The real entry point (`sms_tui.launch.main`, no arguments) with App.run swapped for a headless
# run: the modules loaded when the app turns the collector back on (after its first frame).
_FIRST_FRAME = r"""
import asyncio, gc, sys
from textual.app import App

seen = []
_enable = gc.enable

def enable():
    if not seen:
        seen.append(sorted(sys.modules))
    _enable()

gc.enable = enable

def run(self, *args, **kwargs):
    async def go():
        async with self.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
    asyncio.run(go())

App.run = run
sys.argv = ["sms-tui"]
from sms_tui.launch import main
try:
    main()
finally:  # click's way out is sys.exit
    print("\n".join(seen[0]) if seen else "NO FIRST FRAME")
"""


def test_the_plain_command_paints_its_first_frame_without_click_bulk_or_the_network(tmp_path: Path) -> None:
    from tests.ui.seed import NOW, seeded_store

    seeded_store(tmp_path / "data" / "cache.sqlite3", NOW).close()
    env = {
        **os.environ,
        "SMS_TUI_CONFIG": str(tmp_path / "config.toml"),  # no file: nothing of the machine's
        "SMS_TUI_DATA_DIR": str(tmp_path / "data"),
        "SMS_TUI_BASE_URL": "http://127.0.0.1:9/api/v1/",  # nothing listens there
        "SMS_TUI_API_KEY": "test_not_a_key",
    }
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME], capture_output=True, text=True, env=env, timeout=120
    )
    loaded = set(out.stdout.split())
    assert "sms_tui.ui.widgets.lead_list" in loaded, out.stdout[-2000:] + out.stderr[-2000:]
    assert sorted(m for m in NOT_BEFORE_FIRST_FRAME if m in loaded) == []


def test_phonenumbers_loads_with_the_first_parse_not_with_the_phone_rules() -> None:
    """`core.phones` (imported by the store, the composer, the route) does not load phonenumbers
    (20-60 ms of the inbox's start-up): its first parse does, after the first rows."""
    code = (
        "import sys, sms_tui.core.phones as p, sms_tui.store, sms_tui.ui.widgets.composer\n"
        "print('phonenumbers' in sys.modules)\n"
        "print(p.parse_phone('(415) 555-2671').international, 'phonenumbers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False", "+1 415-555-2671 True"]
