"""Painting the lead list: the list's own style (which walks its ancestors for the background) is
looked up once per paint, not once per line."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.dom import DOMNode
from textual.geometry import Region

from sms_tui.ui.widgets.lead_list import LeadList
from tests.ui.harness import inbox, seeded_app, settle, until


async def test_a_paint_of_the_list_looks_up_its_style_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        leads = inbox(app).leads
        await until(pilot, lambda: leads.total == 6)
        await settle(pilot)
        looked: list[int] = []
        style_of = vars(DOMNode)["rich_style"].fget

        def counted(self: LeadList) -> object:
            looked.append(1)
            return style_of(self)

        monkeypatch.setattr(LeadList, "rich_style", property(counted))
        leads._strips.clear()
        leads._styles_cache.clear()  # Textual's own line cache: every line drawn again
        lines = leads.render_lines(Region(0, 0, leads.size.width, leads.size.height))
        # 6 leads of two lines, then blank lines: every one drawn, the style looked up once.
        assert len(lines) == leads.size.height > 12
        assert len(looked) == 1
