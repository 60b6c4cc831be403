"""Only sms_tui.ui may import Textual (DESIGN.md): prove it in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

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
