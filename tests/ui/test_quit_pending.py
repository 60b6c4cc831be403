"""Nothing sent is held silently (issue 13, item 3): quitting inside the undo window.

The message reaches the carrier exactly once, before the quit (send now / countdown) or at the
next start (kept queued, said so at exit), never later and never twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from sms_tui.sync.engine import SyncEngine
from sms_tui.ui.app import SmsApp
from sms_tui.ui.screens.quit_dialog import QuitDialog
from tests.ui.harness import Live, inbox, live_app, open_lead, settle, shown, until
from tests.ui.seed import REP_TZ
from tests.ui.test_inbox_live import _started, _textable_us_lead

TEXT = "Can we talk at 4?"


async def _send_then_quit(pilot: Pilot[None], live: Live) -> QuitDialog:
    await _started(pilot, live)
    row = _textable_us_lead(live, await live.carrier_state())
    await open_lead(pilot, row.lead_id)
    await pilot.press("enter", *TEXT, "ctrl+j")
    await settle(pilot)
    assert inbox(live.app).pending
    await pilot.press("ctrl+q")
    await until(pilot, lambda: isinstance(live.app.screen, QuitDialog))
    dialog = live.app.screen
    assert isinstance(dialog, QuitDialog)
    return dialog


async def _on_carrier(live: Live) -> int:
    state = await live.carrier_state()
    return sum(1 for s in state["sms"] if s["text"] == TEXT)


def _dialog_text(dialog: QuitDialog) -> str:
    return shown(dialog.query_one("#quit-text")) + " | " + shown(dialog.query_one("#quit-hint"))


async def test_enter_sends_now_then_quits(tmp_path: Path) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(100, 30)) as pilot:
        dialog = await _send_then_quit(pilot, live)
        text = _dialog_text(dialog)
        assert "Sending 1 message in 5 s, then quitting." in text and "ctrl+c" in text
        assert await _on_carrier(live) == 0  # nothing went behind the rep's back
        await pilot.press("enter")
        await until(pilot, lambda: live.app.return_code is not None or not live.app.is_running)
    assert await _on_carrier(live) == 1
    assert [m.local_state for m in live.store.outbox()] == []


async def test_the_countdown_sends_when_the_undo_window_closes(tmp_path: Path) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(100, 30)) as pilot:
        dialog = await _send_then_quit(pilot, live)
        live.clock.advance(3)
        dialog.tick()
        assert "in 2 s" in _dialog_text(dialog)
        assert await _on_carrier(live) == 0
        live.clock.advance(3)
        dialog.tick()  # the window is over: send, then quit
        await until(pilot, lambda: live.app.return_code is not None or not live.app.is_running)
    assert await _on_carrier(live) == 1


async def test_escape_stays_and_undo_still_works(tmp_path: Path) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(100, 30)) as pilot:
        await _send_then_quit(pilot, live)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(live.app.screen, QuitDialog))
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert live.app.is_running and not inbox(live.app).pending
    assert await _on_carrier(live) == 0


async def test_ctrl_c_keeps_it_queued_and_the_next_start_sends_it_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(100, 30)) as pilot:
        await _send_then_quit(pilot, live)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: live.app.return_code is not None or not live.app.is_running)
    assert await _on_carrier(live) == 0
    assert [m.text for m in live.store.outbox()] == [TEXT]  # kept, and the rep was told
    assert "1 message kept in the outbox: sent when sms-tui next starts." in capsys.readouterr().err

    live.clock.advance(10)
    old: Any = live.app.sync.engine

    def factory(listener: Any) -> SyncEngine:
        return SyncEngine(
            live.store, old.client, now=live.clock.now, listener=listener, settings=old.settings
        )

    again = SmsApp(
        live.store,
        engine_factory=factory,
        now=live.clock.now,
        undo_seconds=5,
        poll_seconds=999,
        rep_tz=REP_TZ,
    )
    async with again.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: again.sync.started, tries=500)
        again.sync.push()
        await settle(pilot)
        again.sync.push()  # a second push finds nothing more to send
        await settle(pilot)
    assert await _on_carrier(live) == 1


async def test_offline_the_dialog_says_queued_offline_and_keeps_it(tmp_path: Path) -> None:
    live = await live_app(tmp_path, undo_seconds=5)
    async with live.app.run_test(size=(100, 30)) as pilot:
        await _send_then_quit(pilot, live)
        await live.faults(rate_5xx=1.0)
        await pilot.press("enter")
        await until(
            pilot,
            lambda: (
                isinstance(live.app.screen, QuitDialog)
                and "queued — offline" in _dialog_text(live.app.screen)
            ),
        )
        assert live.app.is_running
        await pilot.press("ctrl+c")
        await until(pilot, lambda: live.app.return_code is not None or not live.app.is_running)
    assert await _on_carrier(live) == 0
    assert [m.text for m in live.store.outbox()] == [TEXT]
