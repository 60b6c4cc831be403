"""`ui.css_cache`: Textual's parsed CSS, kept between starts, gives Textual's own rules and screen."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.css import stylesheet as textual_stylesheet
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

from sms_tui.ui import css_cache
from sms_tui.ui.app import SmsApp
from tests.ui.harness import inbox, seeded_app, until

SIZE = (120, 36)


@pytest.fixture
def table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "textual-css.pickle"
    try:
        yield path
    finally:
        css_cache.uninstall()


async def _run(app: SmsApp) -> tuple[str, list[tuple[tuple[Any, ...], list[RuleSet]]]]:
    """The painted screen once the rows are in, and every CSS source the app parsed."""
    async with app.run_test(size=SIZE) as pilot:
        leads = inbox(app).leads
        await until(pilot, lambda: leads.exact and inbox(app)._lead_id is not None)
        await until(pilot, lambda: "Reply" in app.export_screenshot())  # the footer has settled
        await pilot.pause()
        cache = app.stylesheet._parse_cache
        parsed = [(key, cache[key]) for key in list(cache._cache)]
        return app.export_screenshot(), parsed


def _facts(rule: RuleSet) -> tuple[Any, ...]:
    values = {
        # Layouts are new objects at each parse (Textual's `get_layout`): compared by kind.
        name: (type(value).__name__ if name == "layout" else value)
        for name, value in rule.styles.get_rules().items()
    }
    return (
        values,
        sorted(rule.styles.important),
        [(s.selectors, s.specificity) for s in rule.selector_set],
        rule.selector_names,
        rule.pseudo_classes,
        rule.is_default_rules,
        rule.tie_breaker,
    )


async def test_kept_rules_and_the_painted_screen_equal_textuals_own(
    tmp_path: Path, table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain_screen, _ = await _run(seeded_app(tmp_path / "a"))

    css_cache.install(table)  # a first start: parses, keeps
    await _run(seeded_app(tmp_path / "b"))
    css_cache.save()
    assert table.exists()

    css_cache.install(table)  # the next start: everything from the table, nothing parsed

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the rules were kept")

    monkeypatch.setattr(textual_stylesheet, "parse", no_parse)
    kept_screen, kept = await _run(seeded_app(tmp_path / "c"))
    monkeypatch.undo()

    assert kept_screen == plain_screen
    fresh = Stylesheet(variables=seeded_app(tmp_path / "d").get_css_variables())
    assert len(kept) > 20
    for (css, read_from, is_default, tie_breaker, scope), rules in kept:
        textuals = fresh._parse_rules(css, read_from, is_default, tie_breaker, scope)
        assert [_facts(r) for r in rules] == [_facts(r) for r in textuals], read_from


def test_another_theme_is_parsed_not_served_from_the_table(table: Path) -> None:
    css = "Screen { background: $primary; }"
    css_cache.install(table)
    dark = Stylesheet(variables={"primary": "#ff0000"})
    assert dark._parse_rules(css, ("x", ""))[0].styles.background.hex == "#FF0000"
    light = Stylesheet(variables={"primary": "#0000ff"})
    assert light._parse_rules(css, ("x", ""))[0].styles.background.hex == "#0000FF"


@pytest.mark.parametrize("content", [b"", b"garbage", pickle.dumps({"stamp": "other", "entries": {}})])
def test_an_unreadable_or_foreign_table_is_ignored(table: Path, content: bytes) -> None:
    table.write_bytes(content)
    css_cache.install(table)
    rules = Stylesheet(variables={})._parse_rules("Screen { width: 10; }", ("x", ""))
    assert rules[0].styles.width is not None and rules[0].styles.width.value == 10


def test_nothing_is_written_when_bytecode_is_not(table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    css_cache.install(table)
    Stylesheet(variables={})._parse_rules("Screen { width: 10; }", ("x", ""))
    css_cache.save()
    assert not table.exists()


def test_css_with_errors_is_not_kept(table: Path) -> None:
    css_cache.install(table)
    stylesheet = Stylesheet(variables={})
    with pytest.raises(Exception):  # noqa: B017 - Textual's own error, whatever its class
        stylesheet.add_source("Screen { width: nonsense; }", read_from=("x", ""))
        stylesheet.parse()
    css_cache.save()
    assert not table.exists()
