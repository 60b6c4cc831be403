"""Snapshots of MMS (deterministic: the seeded cache, the injected clock, pictures drawn by Pillow):
a conversation with an inbound photo the rep previewed (half-blocks in its bubble), and the composer
with a picture attached. Regenerate with `--snapshot-update` after a deliberate change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from sms_tui.ui.screens.attachments import AttachmentsDialog
from tests.ui.harness import inbox, open_lead, seeded_app, settle, until
from tests.ui.mms_fixtures import PHOTO, Recorded, add_inbound_mms, attach_in_composer, photo_bytes


def test_inbound_photo_previewed_as_half_blocks(snap_compare: Any, tmp_path: Path) -> None:
    recorded = Recorded(files={"media_1": photo_bytes()})
    app = seeded_app(tmp_path, media=recorded.media(tmp_path))
    add_inbound_mms(app.store, PHOTO, text="Here is the roof, the leak is left of the chimney")

    async def previewed(pilot: Pilot[None]) -> None:
        await open_lead(pilot, "lead_ada")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(pilot.app.screen, AttachmentsDialog))
        await pilot.press("p")
        await until(pilot, lambda: bool(pilot.app.screen.query(".picture")))
        await pilot.press("escape")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 32), run_before=previewed)


def test_composer_with_an_attachment(snap_compare: Any, tmp_path: Path) -> None:
    picture = tmp_path / "flyer.png"
    picture.write_bytes(photo_bytes((640, 480)))
    app = seeded_app(tmp_path, media=Recorded().media(tmp_path))

    async def attached(pilot: Pilot[None]) -> None:
        await open_lead(pilot, "lead_ada")
        await attach_in_composer(pilot, picture)
        await pilot.press(*"Here is the spring flyer")
        await until(pilot, lambda: len(inbox(pilot.app).composer.attachments) == 1)  # type: ignore[arg-type]
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=attached)
