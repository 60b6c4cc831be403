"""MMS through the whole app against the fake carrier in-process: a lead's photo arrives, the rep
downloads it (the sync engine fetches with the key into its cache) and previews it; the rep attaches
a picture and it leaves through the Files API with the SMS."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from sms_tui.ui.media import Media
from sms_tui.ui.screens.attachments import AttachmentsDialog
from tests.ui.harness import ROOT, Live, bubbles, inbox, live_app, open_lead, settle, shown, until
from tests.ui.mms_fixtures import attach_in_composer

SAMPLES = Path(__file__).parents[2] / "sms_tui" / "carrier" / "samples"


def _media(tmp_path: Path, opened: list[Path]) -> Media:
    return Media(open=opened.append, download_dir=tmp_path / "downloads", work_dir=tmp_path / "work")


def _us_lead(live: Live) -> tuple[str, str]:
    row = next(
        r
        for _, r in inbox(live.app).leads.loaded_rows()
        if r.phone and r.phone.startswith("+1") and not r.opted_out and not r.failed_count
    )
    return row.lead_id, row.phone or ""


def _flyer(tmp_path: Path) -> Path:
    picture = tmp_path / "flyer.jpg"
    picture.write_bytes((SAMPLES / "roof.jpg").read_bytes())
    return picture


async def _a_us_lead_with(pilot: Pilot[None], live: Live, picture: Path) -> str:
    """Once the app is up: open a US lead's conversation and attach `picture` in its composer."""
    await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
    await settle(pilot)
    lead_id, _ = _us_lead(live)
    await open_lead(pilot, lead_id)
    await attach_in_composer(pilot, picture)
    return lead_id


async def test_a_leads_photo_is_downloaded_by_the_engine_opened_and_previewed(tmp_path: Path) -> None:
    opened: list[Path] = []
    live = await live_app(tmp_path, media=_media(tmp_path, opened))
    async with live.app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: live.app.sync.started and inbox(live.app).leads.total > 0, tries=500)
        await settle(pilot)
        lead_id, phone = _us_lead(live)
        ours = next(n.number for n in live.store.our_numbers() if n.country == "US")
        body = {"from": phone, "to": ours, "text": "The roof", "media": ["roof.jpg"]}
        assert (await live.http.post(ROOT + "_carrier/inbound", json=body)).status_code == 200
        live.app.sync.poll()
        await settle(pilot)
        await open_lead(pilot, lead_id)
        await until(pilot, lambda: any("📷 roof.jpg" in b for b in bubbles(live.app)))

        await pilot.press("a")
        await until(pilot, lambda: isinstance(live.app.screen, AttachmentsDialog))
        dialog = live.app.screen
        assert isinstance(dialog, AttachmentsDialog)
        await pilot.press("enter")
        await until(pilot, lambda: dialog.saved is not None, tries=500)
        saved = tmp_path / "downloads" / "roof.jpg"
        assert dialog.saved == saved and opened == [saved]
        assert saved.read_bytes() == (SAMPLES / "roof.jpg").read_bytes()

        await pilot.press("p")
        await until(pilot, lambda: bool(dialog.query(".picture")), tries=500)
        assert "▀" in shown(dialog.query_one(".picture", Static))


async def test_an_attached_picture_leaves_with_the_sms_through_the_files_api(tmp_path: Path) -> None:
    picture = _flyer(tmp_path)
    live = await live_app(tmp_path, undo_seconds=1, media=_media(tmp_path, []))
    async with live.app.run_test(size=(120, 36)) as pilot:
        lead_id = await _a_us_lead_with(pilot, live, picture)
        await pilot.press(*"Our spring flyer", "ctrl+j")
        await settle(pilot)
        await live.advance(2)
        live.app.sync.push()
        await settle(pilot)

        def sent() -> bool:
            return any(
                m.direction == "outbound" and m.text == "Our spring flyer" and m.local_state == "sent"
                for m in live.store.conversation(lead_id)
            )

        await until(pilot, sent, tries=500)
        [message] = [m for m in live.store.conversation(lead_id) if m.text == "Our spring flyer"]
        assert [a.filename for a in message.attachments] == ["flyer.jpg"]
        assert message.attachments[0].url  # uploaded: Close's download url


async def test_a_scheduled_mms_is_uploaded_and_scheduled_on_the_provider(tmp_path: Path) -> None:
    picture = _flyer(tmp_path)
    live = await live_app(tmp_path, media=_media(tmp_path, []))
    async with live.app.run_test(size=(120, 36)) as pilot:
        lead_id = await _a_us_lead_with(pilot, live, picture)
        await pilot.press(*"Tomorrow's flyer", "ctrl+s")
        await settle(pilot)
        await pilot.press("1", "enter")
        await settle(pilot)
        live.app.sync.push()
        await settle(pilot)

        def on_provider() -> bool:
            return any(
                m.text == "Tomorrow's flyer" and m.remote_id and m.local_state == "scheduled"
                for m in live.store.conversation(lead_id)
            )

        await until(pilot, on_provider, tries=500)
        [message] = [m for m in live.store.conversation(lead_id) if m.text == "Tomorrow's flyer"]
        assert [a.filename for a in message.attachments] == ["flyer.jpg"] and message.attachments[0].url
