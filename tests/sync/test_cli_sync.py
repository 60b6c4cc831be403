"""`sms-tui sync --once [--json]` end to end against the fake carrier on a real socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sms_tui.carrier import FakeClock, RunningCarrier, start_background
from sms_tui.cli import main

KEY = "cli-test-key-XYZ"


@pytest.fixture(scope="module")
def carrier() -> Iterator[RunningCarrier]:
    running = start_background(api_key=KEY, seed=3, clock=FakeClock())
    yield running
    running.stop()


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SMS_TUI_CONFIG": str(tmp_path / "none.toml"), "SMS_TUI_API_KEY": "", "SMS_TUI_BASE_URL": ""}


def test_sync_once_json_reports_what_the_cache_holds(carrier: RunningCarrier, tmp_path: Path) -> None:
    args = ["sync", "--once", "--json", "--base-url", carrier.base_url, "--api-key", KEY]
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data")], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    state = carrier.app.carrier.state
    # The first sync holds the rep's conversations of the last 90 days and their leads.
    since = (datetime.now(UTC) - timedelta(days=90)).isoformat()
    recent = [s for s in state.data["sms"].values() if s["date_created"] >= since and s["status"] != "draft"]
    assert recent and len(recent) < len(state.data["sms"])
    assert summary["leads"] == len({s["lead_id"] for s in recent})
    assert summary["messages"] == len(recent)
    assert summary["state"] == "online" and summary["sent"] == 0
    assert (tmp_path / "data" / "cache.sqlite3").exists()
    assert KEY not in result.output


def test_sync_once_prints_a_human_summary_from_env_settings(carrier: RunningCarrier, tmp_path: Path) -> None:
    env = {
        **_env(tmp_path),
        "SMS_TUI_BASE_URL": carrier.base_url,
        "SMS_TUI_API_KEY": KEY,
        "SMS_TUI_DATA_DIR": str(tmp_path / "d"),
    }
    result = CliRunner().invoke(main, ["sync", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert "leads" in result.output and "messages" in result.output and "new replies" in result.output


def test_without_a_provider_it_says_how_to_configure_one_and_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sync", "--once"], env=_env(tmp_path))
    assert result.exit_code == 2
    assert "No provider is configured" in result.output and "SMS_TUI_API_KEY" in result.output


def test_a_refused_key_is_a_readable_error(carrier: RunningCarrier, tmp_path: Path) -> None:
    args = ["sync", "--once", "--base-url", carrier.base_url, "--api-key", "wrong-key-123"]
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)], env=_env(tmp_path))
    assert result.exit_code == 1
    assert "The API key was refused" in result.output and "wrong-key-123" not in result.output


async def test_no_log_line_of_a_real_http_exchange_carries_the_key(carrier: RunningCarrier, caplog) -> None:
    """Over a socket httpx and httpcore log at DEBUG; none of it may show the key or its Basic form."""
    import base64
    import logging

    from sms_tui.provider import AuthError, CloseClient

    caplog.set_level(logging.DEBUG)
    async with CloseClient(carrier.base_url, KEY) as client:
        await client.me()
        await client.list_sms(limit=5)
    async with CloseClient(carrier.base_url, KEY + "-wrong") as bad:
        with pytest.raises(AuthError) as refused:
            await bad.me()
    assert "HTTP Request" in caplog.text or "send_request" in caplog.text  # the exchange was logged
    token = base64.b64encode(f"{KEY}:".encode()).decode()
    assert KEY not in caplog.text and token not in caplog.text
    assert KEY not in str(refused.value)


def test_json_failure_is_a_json_object_on_stdout_too(carrier: RunningCarrier, tmp_path: Path) -> None:
    args = ["sync", "--once", "--json", "--base-url", carrier.base_url, "--api-key", "wrong-key-123"]
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)], env=_env(tmp_path))
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["ok"] is False and "The API key was refused" in answer["error"]
    assert "The API key was refused" in result.stderr  # the human message stays on stderr
    assert "wrong-key-123" not in result.output


def test_json_success_says_ok(carrier: RunningCarrier, tmp_path: Path) -> None:
    args = ["sync", "--once", "--json", "--base-url", carrier.base_url, "--api-key", KEY]
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path / "data")], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True


@pytest.mark.parametrize("as_json", [False, True])
def test_a_base_url_without_http_is_a_settings_mistake(tmp_path: Path, as_json: bool) -> None:
    args = ["sync", "--once", "--base-url", "localhost:8765/api/v1/", "--api-key", KEY]
    args += ["--json"] if as_json else []
    result = CliRunner().invoke(main, [*args, "--data-dir", str(tmp_path)], env=_env(tmp_path))
    assert result.exit_code == 2
    assert "SMS_TUI_BASE_URL / base_url must start with http:// or https://" in result.stderr
    assert "stopped answering" not in result.output and "retry" not in result.output
    if as_json:
        answer = json.loads(result.stdout)
        assert answer["ok"] is False and "must start with http:// or https://" in answer["error"]
    else:
        assert result.stdout == ""
    assert not (tmp_path / "cache.sqlite3").exists()  # refused before anything was opened


def test_json_without_a_provider_is_a_json_object_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sync", "--once", "--json"], env=_env(tmp_path))
    assert result.exit_code == 2
    answer = json.loads(result.stdout)
    assert answer["ok"] is False and "No provider is configured" in answer["error"]
    assert "No provider is configured" in result.stderr


def test_a_second_run_resumes_for_a_handful_of_requests_and_full_starts_over(
    carrier: RunningCarrier, tmp_path: Path
) -> None:
    args = ["sync", "--once", "--json", "--base-url", carrier.base_url, "--api-key", KEY]
    data = ["--data-dir", str(tmp_path / "data")]
    first = json.loads(CliRunner().invoke(main, [*args, *data], env=_env(tmp_path)).output)
    second = json.loads(CliRunner().invoke(main, [*args, *data], env=_env(tmp_path)).output)
    full = json.loads(CliRunner().invoke(main, [*args, *data, "--full"], env=_env(tmp_path)).output)
    assert first["ok"] and second["ok"] and full["ok"]
    # 1 event-log page + me/numbers/templates, then --once's poll: 5. The carrier's clock is frozen,
    # so its scheduled SMS look overdue to the CLI's real clock and each poll re-reads them (id__in).
    state = carrier.app.carrier.state
    now = datetime.now(UTC).isoformat()
    overdue = any(s["status"] == "scheduled" and s["date_scheduled"] <= now for s in state.all("sms"))
    assert second["requests"] <= 5 + (2 if overdue else 0) < first["requests"]
    assert full["requests"] > 5 and full["messages"] == first["messages"]
