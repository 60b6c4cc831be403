"""`sms-tui` without a provider explains how to configure one (and the demo) instead of opening."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from sms_tui.cli import main


def test_no_provider_says_how_to_configure_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    result = CliRunner().invoke(
        main, [], env={"SMS_TUI_CONFIG": str(config), "SMS_TUI_API_KEY": "", "SMS_TUI_BASE_URL": ""}
    )
    assert result.exit_code == 2
    assert "SMS_TUI_API_KEY" in result.output and "SMS_TUI_BASE_URL" in result.output
    assert str(config) in result.output
    assert "sms-tui demo" in result.output
