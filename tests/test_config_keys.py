"""`[keys]` is checked against the app's bindings at start; `sms-tui keys` prints the effective map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sms_tui.cli import main
from sms_tui.config import ConfigError
from sms_tui.ui.keymap import check_keymap, effective_keys


def test_full_ids_and_unique_short_names_resolve() -> None:
    assert check_keymap({"inbox.done": "d", "templates": "ctrl+y"}) == {
        "inbox.done": "d",
        "composer.templates": "ctrl+y",
    }


def test_an_unknown_action_is_an_error_listing_the_valid_ids() -> None:
    with pytest.raises(ConfigError) as caught:
        check_keymap({"inbox.explode": "x"})
    message = str(caught.value)
    assert "unknown action 'inbox.explode'" in message
    assert "inbox.done" in message and "composer.send" in message


def test_taking_a_key_from_another_action_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        check_keymap({"inbox.done": "n"})  # n is "next unread"
    assert "'n' would be bound to both inbox.done and inbox.next_unread" in str(caught.value)


def test_two_remapped_actions_on_one_key_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        check_keymap({"inbox.done": "f7", "inbox.snooze": "f7"})
    assert "'f7' would be bound to both inbox.done and inbox.snooze" in str(caught.value)


def test_keys_in_widgets_never_focused_together_may_share() -> None:
    # j moves in the lead list; the composer is a text box where j is typed, not bound.
    assert check_keymap({"composer.templates": "ctrl+y", "lead.down": "ctrl+y"})


def test_an_empty_key_is_an_error() -> None:
    with pytest.raises(ConfigError, match="'inbox.done' has no key"):
        check_keymap({"inbox.done": " "})


def test_keys_prints_the_effective_map_with_the_remapping(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[keys]\n"inbox.done" = "d"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["keys", "--json"], env={"SMS_TUI_CONFIG": str(cfg)})
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert rows["inbox.done"]["keys"] == ["d"] and rows["inbox.done"]["remapped"]
    assert rows["inbox.next_unread"]["keys"] == ["n"] and not rows["inbox.next_unread"]["remapped"]
    assert len(rows) == len(effective_keys({}))
    human = CliRunner().invoke(main, ["keys"], env={"SMS_TUI_CONFIG": str(cfg)})
    assert "inbox.done" in human.output and "(remapped)" in human.output


def test_keys_and_the_inbox_refuse_a_bad_table(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('base_url = "http://127.0.0.1:9/api/v1/"\n[keys]\n"inbox.done" = "n"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["keys"], env={"SMS_TUI_CONFIG": str(cfg)})
    assert result.exit_code == 2 and "would be bound to both" in result.stderr
    demo = CliRunner().invoke(main, ["demo"], env={"SMS_TUI_CONFIG": str(cfg)})
    assert demo.exit_code != 0 and "would be bound to both" in demo.output and "Traceback" not in demo.output


def test_an_unknown_setting_lists_the_valid_ones(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("undo_secs = 3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["keys"], env={"SMS_TUI_CONFIG": str(cfg)})
    assert result.exit_code == 2
    assert "Unknown setting(s)" in result.stderr and "undo_seconds" in result.stderr


@pytest.mark.parametrize("key", ["[b]", "ctrl+\x1b[2J", "\u202e", "a b"])
def test_a_key_that_is_not_a_key_name_is_an_error(key: str) -> None:
    with pytest.raises(ConfigError, match="not a key name") as caught:
        check_keymap({"inbox.done": key})
    assert "\x1b" not in str(caught.value) and "\u202e" not in str(caught.value)
