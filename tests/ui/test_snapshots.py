"""Snapshots of the main screen (few on purpose: CI has 2 cores). Every time shown comes from the
injected clock and the seeded cache, so the SVGs are deterministic. Regenerate with
`pytest tests/ui/test_snapshots.py --snapshot-update` after a deliberate change (or a Textual bump).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from sms_tui.ui.widgets.search_bar import FilterBar
from tests.ui.harness import inbox, open_lead, seeded_app, settle, until


async def _ready(pilot: Pilot[None]) -> None:
    await until(pilot, lambda: inbox(pilot.app).leads.total == 6)  # type: ignore[arg-type]
    await open_lead(pilot, "lead_ada")
    screen = inbox(pilot.app)  # type: ignore[arg-type]
    await until(pilot, lambda: screen.status.unread == 2 and screen.query_one(FilterBar).total == 6)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_main_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(seeded_app(tmp_path), terminal_size=size, run_before=_ready)


def test_failed_message_and_literal_reply(snap_compare: Any, tmp_path: Path) -> None:
    async def failed_then_markup(pilot: Pilot[None]) -> None:
        await _ready(pilot)
        await open_lead(pilot, "lead_bob")
        await pilot.press("j")  # Cyd: a failed message with the carrier's error
        await until(pilot, lambda: inbox(pilot.app).conversation.lead_id == "lead_cyd")  # type: ignore[arg-type]
        await settle(pilot)

    assert snap_compare(seeded_app(tmp_path), terminal_size=(100, 30), run_before=failed_then_markup)
