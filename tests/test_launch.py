"""`sms-tui` starts with garbage collection off (`sms_tui/launch.py`): the inbox turns it back on
after its first frame, any other command as soon as click has picked it, the launcher on exit."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import sms_tui.cli
from sms_tui import launch
from tests.ui.harness import seeded_app


@pytest.fixture(autouse=True)
def _collector_back_on() -> Iterator[None]:
    yield
    gc.enable()


def test_the_launcher_runs_the_command_line_without_collection_and_turns_it_on_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(sms_tui.cli, "main", lambda: seen.append(gc.isenabled()))
    launch.main()
    assert seen == [False]
    assert gc.isenabled()


def test_the_launcher_turns_collection_on_even_when_the_command_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fails() -> None:
        raise SystemExit(2)

    monkeypatch.setattr(sms_tui.cli, "main", fails)
    with pytest.raises(SystemExit):
        launch.main()
    assert gc.isenabled()


def test_a_command_other_than_the_inbox_collects_from_its_start() -> None:
    gc.disable()
    result = CliRunner().invoke(sms_tui.cli.main, ["segments", "Hi Ana"])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


async def test_the_inbox_turns_collection_on_once_its_first_frame_is_painted(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    gc.disable()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert gc.isenabled()
