"""Painting the lead list: the list's own style (which walks its ancestors for the background) is
looked up once per paint, not once per line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.dom import DOMNode
from textual.geometry import Region
from textual.widget import Widget

from sms_tui.ui.widgets import lead_list
from sms_tui.ui.widgets.lead_list import LeadList
from tests.ui.harness import inbox, seeded_app, settle, until


def _counted(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[str]:
    """Count the reads of LeadList's property `name` (defined on `owner`) from now on."""
    read: list[str] = []
    getter = vars(owner)[name].fget

    def counted(self: LeadList) -> object:
        read.append(name)
        return getter(self)

    monkeypatch.setattr(LeadList, name, property(counted))
    return read


async def test_a_paint_of_the_list_looks_up_its_style_and_size_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        leads = inbox(app).leads
        await until(pilot, lambda: leads.total == 6)
        await settle(pilot)
        region = Region(0, 0, leads.size.width, leads.size.height)
        looked = _counted(monkeypatch, DOMNode, "rich_style")
        sized = _counted(monkeypatch, Widget, "size")
        leads._strips.clear()
        leads._styles_cache.clear()  # Textual's own line cache: every line drawn again
        lines = leads.render_lines(region)
        # 6 leads of two lines, then blank lines: every one drawn, the style looked up once, the
        # size (which walks up to the screen) read by the paint and Textual, not once per line.
        assert len(lines) == region.height > 12
        assert len(looked) == 1
        assert len(sized) <= 2


async def test_rows_that_come_back_are_not_drawn_again_and_a_changed_row_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = inbox(app)
        leads = screen.leads
        await until(pilot, lambda: leads.total == 6)
        await settle(pilot)
        drawn: list[str] = []
        draw = getattr(lead_list, "row_strip")  # noqa: B009 - the name the list draws with

        def counted(row: Any, *args: Any, **kwargs: Any) -> Any:
            drawn.append("placeholder" if row is None else row.lead_id)
            return draw(row, *args, **kwargs)

        monkeypatch.setattr(lead_list, "row_strip", counted)
        await pilot.press("2")  # Unread: Ada and Bob, already drawn in All (the cursor moved)
        await until(pilot, lambda: leads.total == 2)
        await settle(pilot)
        await pilot.press("1")  # All again: every row was drawn before, as it is now
        await until(pilot, lambda: leads.total == 6)
        await settle(pilot)
        drawn.clear()
        await pilot.press("2")
        await until(pilot, lambda: leads.total == 2)
        await settle(pilot)
        assert drawn == []  # the same two rows, cursor and focus: nothing drawn again
        first = leads.row_at(0)
        assert first is not None
        leads.update_rows([replace(first, unread=first.unread + 1)])  # what a new reply does
        await settle(pilot)
        assert set(drawn) == {first.lead_id}  # its two lines, drawn again
        lines = [leads.render_line(y).text for y in range(2)]
        assert str(first.unread + 1) in lines[1]  # the preview line's badge


async def test_a_line_asked_for_between_paints_shows_where_the_list_is_now(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 12)) as pilot:
        leads = inbox(app).leads
        await until(pilot, lambda: leads.total == 6)
        await settle(pilot)
        assert leads.max_scroll_y >= leads.row_height  # six leads do not fit
        leads.render_lines(Region(0, 0, leads.size.width, leads.size.height))  # a paint
        first, second = leads.row_at(0), leads.row_at(1)
        assert first is not None and second is not None
        assert first.display_name in leads.render_line(0).text
        leads.scroll_to(y=leads.row_height, animate=False, immediate=True)  # a row down, not painted
        assert second.display_name in leads.render_line(0).text
