"""Every size usable: 80×24 keeps both panes and >= 8 conversation lines however long the draft;
under 80 columns or 24 rows one pane shows at a time (Enter: the conversation, Escape: the list);
snapshots at 80×24 and 200×50 of the inbox, the details panel and the recipient picker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet
from textual.pilot import Pilot

from sms_tui.ui import panes
from sms_tui.ui.screens.lead_details import LeadDetails
from sms_tui.ui.screens.route_picker import RoutePicker
from tests.ui.harness import inbox, open_lead, seeded_app, settle, until
from tests.ui.test_lead_profile import _app as profile_app
from tests.ui.test_snapshots import _ready


async def test_at_80x24_a_long_draft_leaves_the_conversation_8_lines(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        screen = inbox(app)
        assert screen.leads.region.width > 0 and screen.conversation.region.width > 0  # both panes
        await pilot.press("enter")
        await pilot.press(*"line\n" * 12)
        await settle(pilot)
        assert screen.conversation.region.height >= 8, screen.conversation.region
        assert screen.leads.region.width > 0  # still both panes at 80×24


@pytest.mark.parametrize("size", [(60, 20), (79, 30), (100, 23)])
async def test_below_80x24_one_pane_at_a_time(tmp_path: Path, size: tuple[int, int]) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await _ready(pilot)
        screen = inbox(app)
        screen.leads.focus()
        await settle(pilot)
        assert screen.leads.region.width == size[0]  # the list, whole width
        assert screen.conversation.region.width == 0
        await pilot.press("enter")  # reply: the conversation pane
        await settle(pilot)
        assert screen.composer.has_focus_within
        assert screen.leads.region.width == 0
        assert screen.conversation.region.width == size[0] and screen.conversation.region.height >= 4
        await pilot.press(*"hi")
        await pilot.press("escape")  # back to the list, the draft kept
        await settle(pilot)
        assert screen.leads.region.width == size[0] and screen.conversation.region.width == 0


async def test_growing_the_terminal_brings_both_panes_back(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await _ready(pilot)
        screen = inbox(app)
        assert screen.conversation.region.width == 0
        await pilot.resize_terminal(120, 36)
        await settle(pilot)
        assert screen.leads.region.width > 0 and screen.conversation.region.width > 0


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_inbox_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(seeded_app(tmp_path), terminal_size=size, run_before=_ready)


def test_single_pane_snapshot_60x20(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(seeded_app(tmp_path), terminal_size=(60, 20), run_before=_ready)


def test_details_snapshot_200x50(snap_compare: Any, tmp_path: Path) -> None:
    async def open_details(pilot: Pilot[None]) -> None:
        await open_lead(pilot, "lead_two")
        await pilot.press("i")
        await until(
            pilot, lambda: isinstance(pilot.app.screen, LeadDetails) and pilot.app.screen.lead is not None
        )
        await settle(pilot)

    assert snap_compare(profile_app(tmp_path), terminal_size=(200, 50), run_before=open_details)


def test_picker_snapshot_200x50(snap_compare: Any, tmp_path: Path) -> None:
    async def open_picker(pilot: Pilot[None]) -> None:
        await open_lead(pilot, "lead_two")
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(pilot.app.screen, RoutePicker))
        await settle(pilot)

    assert snap_compare(profile_app(tmp_path), terminal_size=(200, 50), run_before=open_picker)


async def test_the_footer_at_60_columns_names_quit_whole(tmp_path: Path) -> None:
    app = seeded_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await until(pilot, lambda: inbox(app).leads.total == 6)
        await settle(pilot)
        keys = list(app.screen.query("FooterKey"))
        quit_key = next(k for k in keys if getattr(k, "description", "") == "Quit")
        palette = next(k for k in keys if getattr(k, "description", "") == "Commands")
        assert 0 < quit_key.region.width and quit_key.region.right <= palette.region.x <= 60


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (60, 20), (100, 26)])
async def test_the_inbox_gets_its_size_classes_before_its_first_styling(
    tmp_path: Path, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's first Resize then changes no class: one whole-screen restyle at start, not two."""
    restyled: list[int] = []
    update_nodes = Stylesheet.update_nodes

    def counting(self: Stylesheet, nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.append(len(nodes))
        update_nodes(self, nodes, animate)

    monkeypatch.setattr(Stylesheet, "update_nodes", counting)
    app = seeded_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = inbox(app)
        whole = len(list(screen.walk_children(with_self=True)))
        assert sum(1 for n in restyled if n >= whole // 2) == 1, (restyled, whole)
        names = {name for _, name in (*panes.HORIZONTAL, *panes.VERTICAL)}
        expected = {name for name, on in panes.size_classes(*size).items() if on}
        assert set(screen.classes) & names == expected
        await pilot.resize_terminal(200, 50)  # and Textual's own answer agrees at another size
        await pilot.pause()
        assert set(screen.classes) & names == {n for n, on in panes.size_classes(200, 50).items() if on}
