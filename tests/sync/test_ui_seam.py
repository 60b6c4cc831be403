"""The UI↔sync seam: the UI gets typed events and never loads the provider client before it needs it."""

from __future__ import annotations

import subprocess
import sys


def test_the_inbox_app_loads_without_the_provider_client_or_httpx() -> None:
    code = (
        "import sys, sms_tui.ui.app, sms_tui.ui.sync_worker, sms_tui.commands.app\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'httpx' "
        "or m.startswith(('sms_tui.provider', 'sms_tui.sync.engine'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_ui_module_imports_the_provider() -> None:
    from pathlib import Path

    import sms_tui.ui

    root = Path(sms_tui.ui.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "screenshots.py"  # a tool that wires its own carrier and engine, not the app
        and ("sms_tui.provider" in path.read_text() or "sms_tui.sync.engine" in path.read_text())
    ]
    assert offenders == []
