"""MMS as the rep sees it: an inbound picture in its bubble, download and open, a preview drawn in
the terminal, and attaching a file in the composer (checked before anything is uploaded)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from sms_tui.core.models import Attachment
from sms_tui.ui.app import SmsApp
from sms_tui.ui.screens.attach import AttachDialog, complete_path
from sms_tui.ui.screens.attachments import AttachmentsDialog
from tests.ui.harness import Clock, bubbles, inbox, open_lead, seeded_app, settle, shown, until
from tests.ui.mms_fixtures import (
    FORM,
    PHOTO,
    Recorded,
    add_inbound_mms,
    attach_in_composer,
    noisy_jpeg,
    photo_bytes,
)


def _app(
    tmp_path: Path, recorded: Recorded, *attachments: Attachment, text: str = "Here is the roof"
) -> SmsApp:
    app = seeded_app(tmp_path, media=recorded.media(tmp_path))
    if attachments:
        add_inbound_mms(app.store, *attachments, text=text)
    return app


# -- receiving ---------------------------------------------------------------------------------


async def test_an_inbound_mms_shows_each_attachment_with_icon_name_and_size(tmp_path: Path) -> None:
    recorded = Recorded()
    app = _app(tmp_path, recorded, PHOTO, FORM)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_ada")
        newest = bubbles(app)[-1]
        assert newest.startswith("Here is the roof\n📷 roof.png · 47 KB\n📄 signed form.pdf · 9 KB\n")
        assert recorded.fetched == []  # nothing is fetched until the rep asks


async def test_a_hostile_file_name_is_shown_as_typed_never_as_markup_or_escapes(tmp_path: Path) -> None:
    hostile = replace(PHOTO, filename="[bold]x[/bold]\x1b[31m.png")
    app = _app(tmp_path, Recorded(), hostile, text="")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_ada")
        newest = bubbles(app)[-1]
        assert newest.startswith("📷 [bold]x[/bold]␛[31m.png · 47 KB\n")


async def _attachments_dialog(pilot: Pilot[None]) -> AttachmentsDialog:
    await open_lead(pilot, "lead_ada")
    await pilot.press("a")
    await until(pilot, lambda: isinstance(pilot.app.screen, AttachmentsDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, AttachmentsDialog)
    return dialog


async def test_a_lists_the_files_and_enter_downloads_once_and_opens_with_the_injected_opener(
    tmp_path: Path,
) -> None:
    recorded = Recorded(files={"media_1": photo_bytes(), "media_2": b"%PDF-1.4 signed"})
    app = _app(tmp_path, recorded, PHOTO, FORM)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attachments_dialog(pilot)
        options = dialog.query_one("#attachments-list", OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(2)]
        assert rows[0].startswith("📷 roof.png · 47 KB · Lovelace Analytics · ")
        await pilot.press("down", "enter")  # the PDF
        await until(pilot, lambda: dialog.saved is not None)
        saved = tmp_path / "downloads" / "signed form.pdf"
        assert dialog.saved == saved and saved.read_bytes() == b"%PDF-1.4 signed"
        assert recorded.opened == [saved]
        assert "Saved to" in shown(dialog.query_one("#attachments-status", Static))

        await pilot.press("enter")  # again: the saved copy, no second download
        await until(pilot, lambda: len(recorded.opened) == 2)
        assert recorded.fetched == ["media_2"] and recorded.opened == [saved, saved]


async def test_a_failed_download_says_why_and_opens_nothing(tmp_path: Path) -> None:
    recorded = Recorded()  # Close has nothing: the fetcher raises
    app = _app(tmp_path, recorded, PHOTO)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attachments_dialog(pilot)
        await pilot.press("enter")
        status = dialog.query_one("#attachments-status", Static)
        await until(pilot, lambda: "404" in shown(status))
        assert shown(status) == "Could not download roof.png: Close answered 404: the file is gone."
        assert status.has_class("-error") and recorded.opened == []


async def test_p_previews_the_picture_in_the_dialog_and_in_its_bubble_as_half_blocks(tmp_path: Path) -> None:
    recorded = Recorded(files={"media_1": photo_bytes()})
    app = _app(tmp_path, recorded, PHOTO)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attachments_dialog(pilot)
        await pilot.press("p")
        await until(pilot, lambda: bool(dialog.query(".picture")))
        assert "▀" in shown(dialog.query_one(".picture", Static))
        await pilot.press("escape")
        await settle(pilot)
        newest = bubbles(app)[-1]
        assert "📷 roof.png · 47 KB" in newest
        column = inbox(app).conversation.query_one("#messages")
        painted = "\n".join(column.render_line(y).text for y in range(column.size.height))
        assert "▀▀▀▀▀▀▀▀" in painted
        assert recorded.fetched == ["media_1"]


async def test_a_with_no_files_says_so(tmp_path: Path) -> None:
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, AttachmentsDialog)
        assert [n.message for n in app._notifications] == ["No attachments in this conversation."]


# -- sending -------------------------------------------------------------------------------------


async def _attach_dialog(pilot: Pilot[None], lead_id: str = "lead_ada") -> AttachDialog:
    await open_lead(pilot, lead_id)
    await pilot.press("enter")  # reply: focus the composer
    await pilot.press("ctrl+n")
    await until(pilot, lambda: isinstance(pilot.app.screen, AttachDialog))
    dialog = pilot.app.screen
    assert isinstance(dialog, AttachDialog)
    return dialog


def _verdict(dialog: AttachDialog) -> str:
    return shown(dialog.query_one("#attach-verdict", Static))


async def _type_path(pilot: Pilot[None], dialog: AttachDialog, path: Path) -> None:
    field = dialog.query_one("#attach-path", Input)
    field.value = str(path)
    await settle(pilot)


def _house(tmp_path: Path, size: tuple[int, int] = (96, 64)) -> Path:
    picture = tmp_path / "house.png"
    picture.write_bytes(photo_bytes(size))
    return picture


async def _attach(pilot: Pilot[None], path: Path) -> None:
    await open_lead(pilot, "lead_ada")
    await attach_in_composer(pilot, path)


async def _enter_is_refused(pilot: Pilot[None], dialog: AttachDialog) -> None:
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen is dialog  # nothing attached: the dialog stays with its sentence


async def test_attach_a_picture_the_counter_says_mms_and_the_outbox_gets_the_file(tmp_path: Path) -> None:
    picture = _house(tmp_path, (400, 300))
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attach_dialog(pilot)
        assert shown(dialog.query_one("#attach-limits", Static)).startswith(
            "Up to 600 KB from a local number · MMS to Canada, United States ·"
        )
        await _type_path(pilot, dialog, picture)
        size = picture.stat().st_size
        assert _verdict(dialog).endswith("— enter attaches it.")
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, AttachDialog))
        composer = inbox(app).composer
        assert [a.filename for a in composer.attachments] == ["house.png"]
        kb = round(size / 1024)
        assert shown(composer.query_one("#composer-mms", Static)) == (
            f"MMS · 1 attachment · {kb} KB · +$0.02 vs SMS · ctrl+n change"
        )
        await pilot.press(*"The house", "ctrl+j")
        await settle(pilot)
        [queued] = [m for m in app.store.conversation("lead_ada") if m.local_state == "outbox"]
        assert queued.text == "The house"
        assert queued.attachments == (
            Attachment("house.png", "image/png", size, local_path=str(picture.resolve())),
        )
        assert composer.attachments == ()  # sent: the composer is empty again


async def test_a_picture_alone_is_a_message(tmp_path: Path) -> None:
    picture = _house(tmp_path)
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30)) as pilot:
        await _attach(pilot, picture)
        assert shown(inbox(app).composer.query_one("#composer-guard", Static)) == "Ready · ctrl+j send"
        await pilot.press("ctrl+j")
        await settle(pilot)
        [queued] = [m for m in app.store.conversation("lead_ada") if m.local_state == "outbox"]
        assert queued.text == "" and [a.filename for a in queued.attachments] == ["house.png"]


async def test_a_picture_over_the_limit_is_refused_with_the_sentence_and_can_be_shrunk(
    tmp_path: Path,
) -> None:
    big = noisy_jpeg(tmp_path / "roof photo.jpg")
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attach_dialog(pilot)
        await _type_path(pilot, dialog, big)
        assert 600 * 1024 < big.stat().st_size < 1024 * 1024
        shown_size = f"{round(big.stat().st_size / 1024)} KB"
        sentence = (
            f"The attachments weigh {shown_size}; carriers accept at most 600 KB from a local number. "
            "Shrink the image or send a smaller file."
        )
        assert _verdict(dialog) == f"📷 roof photo.jpg · {shown_size} — {sentence}"
        assert dialog.query_one("#attach-verdict").has_class("-blocked")
        await _enter_is_refused(pilot, dialog)

        await pilot.press("ctrl+r")
        await until(pilot, lambda: dialog.shrunk is not None)
        shrunk = dialog.shrunk
        assert shrunk is not None and shrunk.attachment.size <= 600 * 1024
        assert Path(shrunk.attachment.local_path).stat().st_size == shrunk.attachment.size
        small = f"{round(shrunk.attachment.size / 1024)} KB"
        assert f"Shrunk roof photo.jpg: {shown_size} → {small} (900×700 → 900×700)." in _verdict(dialog)
        assert _verdict(dialog).endswith("— enter attaches it.")
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, AttachDialog))
        assert [a.filename for a in inbox(app).composer.attachments] == ["roof photo-small.jpg"]
        assert big.stat().st_size > 600 * 1024  # the rep's own file is untouched


async def test_a_file_type_mms_cannot_carry_is_refused(tmp_path: Path) -> None:
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ" + bytes(100))
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attach_dialog(pilot)
        await _type_path(pilot, dialog, program)
        assert "setup.exe (application/" in _verdict(dialog)
        assert _verdict(dialog).endswith(
            "cannot be sent by MMS: send a picture (JPEG, PNG, GIF), a short video (MP4), audio, "
            "a PDF or a contact card."
        )
        await _enter_is_refused(pilot, dialog)


async def test_a_recipient_outside_the_mms_countries_is_refused(tmp_path: Path) -> None:
    picture = _house(tmp_path)
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = await _attach_dialog(pilot, "lead_cyd")  # a UK mobile
        await _type_path(pilot, dialog, picture)
        assert (
            "MMS cannot be sent: their number is in the United Kingdom, and MMS works only in Canada and "
            "the United States. Send the text alone, or a link to the file."
        ) in _verdict(dialog)
        await _enter_is_refused(pilot, dialog)


async def test_ctrl_t_removes_what_is_attached_and_escape_changes_nothing(tmp_path: Path) -> None:
    picture = _house(tmp_path)
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30)) as pilot:
        await _attach(pilot, picture)
        composer = inbox(app).composer
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, AttachDialog))
        assert "Attached: 📷 house.png" in shown(app.screen.query_one("#attach-current", Static))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AttachDialog))
        assert len(composer.attachments) == 1
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, AttachDialog))
        await pilot.press("ctrl+t")
        await until(pilot, lambda: not isinstance(app.screen, AttachDialog))
        assert len(composer.attachments) == 0
        assert not composer.query_one("#composer-mms", Static).display


def test_the_path_completes_to_the_first_entry_and_folders_end_in_a_slash(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "roof.jpg").write_bytes(b"x")
    (tmp_path / "plan.pdf").write_bytes(b"x")
    (tmp_path / ".hidden").write_bytes(b"x")
    assert complete_path("ph", tmp_path) == "photos/"
    assert complete_path("photos/r", tmp_path) == "photos/roof.jpg"
    assert complete_path(f"{tmp_path}/pl", tmp_path) == f"{tmp_path}/plan.pdf"
    assert complete_path("p", tmp_path) == "photos/"
    assert complete_path("x", tmp_path) is None
    assert complete_path(".h", tmp_path) == ".hidden"


async def test_a_template_with_an_attachment_inserts_its_text_and_attaches_its_file(tmp_path: Path) -> None:
    from sms_tui.core.models import Template
    from sms_tui.ui.screens.template_picker import TemplatePicker

    flyer = Attachment(
        "spring flyer.pdf", "application/pdf", 120_000, url="https://app.close.com/go/file/media_9/"
    )
    template = Template(
        "tmpl_mms", "Flyer", "Hi {{ contact.first_name }}, here is our flyer", attachments=(flyer,)
    )
    app = _app(tmp_path, Recorded())
    app.store.upsert_templates([template], replace=False)  # as the sync keeps Close's template
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", "ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, TemplatePicker))
        await pilot.press(*"flyer")
        await settle(pilot)
        info = shown(app.screen.query_one("#template-info", Static))
        assert info.endswith(" chars · 📄 spring flyer.pdf 117 KB")
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, TemplatePicker))
        composer = inbox(app).composer
        assert composer.text == "Hi Ada, here is our flyer"
        assert composer.attachments == (flyer,)
        assert shown(composer.query_one("#composer-mms", Static)).startswith("MMS · 1 attachment · ")
        await pilot.press("ctrl+j")
        await settle(pilot)
        [queued] = [m for m in app.store.conversation("lead_ada") if m.local_state == "outbox"]
        assert queued.attachments == (flyer,)  # already on Close: sent by url, nothing to upload


async def test_undoing_an_mms_brings_back_its_text_and_its_file(tmp_path: Path) -> None:
    picture = _house(tmp_path)
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await _attach(pilot, picture)
        await pilot.press(*"The house", "ctrl+j")
        composer = inbox(app).composer
        await until(pilot, lambda: bool(inbox(app).pending))
        assert composer.attachments == ()
        await pilot.press("ctrl+z")
        await until(pilot, lambda: composer.text == "The house")
        await settle(pilot)
        assert [a.filename for a in inbox(app).composer.attachments] == ["house.png"]
        assert [m for m in app.store.conversation("lead_ada") if m.local_state == "outbox"] == []


async def test_a_typed_in_the_composer_is_text_and_the_keys_are_remappable(tmp_path: Path) -> None:
    from sms_tui.ui.keymap import check_keymap, valid_ids

    assert {"inbox.attachments", "composer.attach"} <= set(valid_ids())
    assert check_keymap({"attach": "ctrl+b", "attachments": "A"}) == {
        "composer.attach": "ctrl+b",
        "inbox.attachments": "A",
    }
    app = _app(tmp_path, Recorded(), PHOTO)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_lead(pilot, "lead_ada")
        await pilot.press("enter", "a")
        await settle(pilot)
        assert inbox(app).composer.text == "a" and not isinstance(app.screen, AttachmentsDialog)


async def test_an_mms_is_scheduled_with_its_file_and_cancelling_gives_both_back(tmp_path: Path) -> None:
    picture = _house(tmp_path)
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(120, 36)) as pilot:
        await _attach(pilot, picture)
        await pilot.press(*"Call tomorrow?", "ctrl+s")
        await settle(pilot)
        await pilot.press("1", "enter")  # in 1 hour (11:30 for Ada in San Francisco)
        await settle(pilot)
        [scheduled] = [m for m in app.store.outbox() if m.local_state == "scheduled"]
        assert scheduled.text == "Call tomorrow?"
        assert [a.local_path for a in scheduled.attachments] == [str(picture.resolve())]
        composer = inbox(app).composer
        assert (composer.text, composer.attachments) == ("", ())
        await pilot.press("escape", "x")
        await settle(pilot)
        assert app.store.outbox() == []
        assert composer.text == "Call tomorrow?"
        assert [a.filename for a in inbox(app).composer.attachments] == ["house.png"]


async def test_at_80x24_an_attached_file_leaves_the_whole_from_to_line_on_screen(tmp_path: Path) -> None:
    """The composer's MMS line is one more line: at the smallest size the From/To line (who gets the
    text, from which of our numbers) must still be whole, not cut after the lead's name."""
    app = _app(tmp_path, Recorded())
    async with app.run_test(size=(80, 24)) as pilot:
        await _attach(pilot, _house(tmp_path))
        await pilot.press(*"The house")
        await settle(pilot)
        composer = inbox(app).composer
        route = composer.query_one("#composer-route", Static)
        text = shown(route)
        assert text.startswith("From +1 415-555-0000 · To Ada Lovelace +1 415-555-0101")
        assert route.size.height == 2  # it wraps at this width
        assert route.region.bottom <= composer.region.bottom  # and both its lines are on screen


async def test_at_80x24_a_ucs2_text_a_file_and_a_quiet_hours_warning_all_show_whole(tmp_path: Path) -> None:
    """All of the composer's lines at once at the smallest two-pane size: the counter keeps to one
    line (its figures first), and the warning and the From/To line are whole, not cut at the bottom."""
    late = Clock(datetime(2026, 11, 24, 7, 0, tzinfo=UTC))  # Monday 23:00 for Ada in San Francisco
    app = seeded_app(tmp_path, clock=late, media=Recorded().media(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await _attach(pilot, _house(tmp_path))
        composer = inbox(app).composer
        composer.input.insert("Hi Ada 😀 thanks for the call — I’ll send the “pricing” sheet over tomorrow")
        await settle(pilot)
        counter = composer.query_one("#composer-counter", Static)
        guard = composer.query_one("#composer-guard", Static)
        route = composer.query_one("#composer-route", Static)
        assert shown(counter).startswith("75/1000 · UCS-2 · 2 segments · 59 left · forced by")
        assert counter.size.height == 1
        assert shown(guard).startswith("⚠ ctrl+o sends anyway · Quiet hours: it is 23:00 on Monday")
        assert guard.size.height >= 2  # the whole sentence, wrapped
        assert shown(route).startswith("From +1 415-555-0000 · To Ada Lovelace +1 415-555-0101")
        for line in (counter, guard, route):
            assert line.region.bottom <= composer.region.bottom, line.id
