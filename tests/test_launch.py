"""`sms-tui` starts with garbage collection off (`sms_tui/launch.py`): the inbox turns it back on
after its first frame, any other command as soon as click has picked it, the launcher on exit."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import sms_tui.cli
from sms_tui import launch
from sms_tui.commands import inbox
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


def test_the_plain_command_opens_the_inbox_without_the_command_line_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    monkeypatch.setattr(sys, "argv", ["sms-tui"])
    monkeypatch.setattr(sms_tui.cli, "main", lambda: seen.append("click"))
    monkeypatch.setattr(inbox, "start", lambda: seen.append(f"inbox, collecting: {gc.isenabled()}"))
    launch.main()
    assert seen == ["inbox, collecting: False"]
    monkeypatch.setattr(sys, "argv", ["sms-tui", "segments", "Hi"])
    launch.main()
    assert seen[-1] == "click"


def test_the_plain_command_ends_on_a_bad_config_as_click_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("base_url = \n")
    monkeypatch.setenv("SMS_TUI_CONFIG", str(bad))
    with pytest.raises(SystemExit) as ended:
        inbox.start()
    assert ended.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: The config file ") and "is not valid TOML" in err
    assert CliRunner().invoke(sms_tui.cli.main, []).output == err  # the same words through click


def test_the_plain_command_without_a_provider_says_how_to_configure_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMS_TUI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("SMS_TUI_BASE_URL", raising=False)
    monkeypatch.delenv("SMS_TUI_API_KEY", raising=False)
    with pytest.raises(SystemExit) as ended:
        inbox.start()
    assert ended.value.code == 2
    assert "No provider is configured" in capsys.readouterr().err
