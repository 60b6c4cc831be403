"""Files on this machine: attaching, shrinking, saving what a lead sent (names from outside cannot
escape the folder), the half-block picture, and when the terminal is asked about graphics."""

from __future__ import annotations

from pathlib import Path

import pytest

from sms_tui.core.models import Attachment
from sms_tui.ui import graphics
from sms_tui.ui.media import Media, MediaError, attachment_for, half_blocks, safe_filename, shrink_image
from tests.ui.mms_fixtures import Recorded, photo_bytes


def test_attachment_for_a_file_and_the_sentences_for_what_is_not_one(tmp_path: Path) -> None:
    (tmp_path / "Card.VCF").write_text("BEGIN:VCARD")
    assert attachment_for(tmp_path / "Card.VCF") == Attachment(
        "Card.VCF", "text/vcard", 11, local_path=str((tmp_path / "Card.VCF").resolve())
    )
    with pytest.raises(MediaError, match=r"^There is no file at .*nope\.jpg\.$"):
        attachment_for(tmp_path / "nope.jpg")
    with pytest.raises(MediaError, match="is a folder: pick a file inside it"):
        attachment_for(tmp_path)


def test_a_name_from_outside_stays_in_the_download_folder() -> None:
    assert safe_filename("../../.bashrc") == "_.._.bashrc"
    assert safe_filename("a/b\\c:d.jpg") == "a_b_c_d.jpg"
    assert safe_filename("..") == "attachment"
    assert safe_filename("\x1b[31mred.png") == "_[31mred.png"
    assert len(safe_filename("x" * 300 + ".pdf")) <= 120 and safe_filename("x" * 300 + ".pdf").endswith(
        ".pdf"
    )


def test_download_saves_once_and_a_second_file_of_the_same_name_gets_its_own(tmp_path: Path) -> None:
    recorded = Recorded(files={"m1": b"one", "m2": b"two"})
    media = recorded.media(tmp_path)
    first = media.download(Attachment("../x.pdf", "application/pdf", 3, media_id="m1"))
    again = media.download(Attachment("../x.pdf", "application/pdf", 3, media_id="m1"))
    other = media.download(Attachment("../x.pdf", "application/pdf", 3, media_id="m2"))
    assert first == again == tmp_path / "downloads" / "_x.pdf"
    assert other == tmp_path / "downloads" / "_x (2).pdf"
    assert (first.read_bytes(), other.read_bytes()) == (b"one", b"two")
    assert recorded.fetched == ["m1", "m2"]


def test_without_a_provider_downloading_says_so() -> None:
    with pytest.raises(MediaError, match="Downloading needs a connection to Close"):
        Media().data(Attachment("a.png", "image/png", 1, media_id="m"))


def test_half_blocks_are_deterministic_and_fit_the_width() -> None:
    data = photo_bytes((96, 64))
    picture = half_blocks(data, 24)
    assert picture.plain.split("\n") == ["▀" * 24] * 8
    assert half_blocks(data, 24).spans == picture.spans
    tall = half_blocks(photo_bytes((20, 200)), 40, max_rows=10)
    assert len(tall.plain.split("\n")) == 10 and len(tall.plain.split("\n")[0]) == 2
    with pytest.raises(MediaError, match="Cannot show this picture"):
        half_blocks(b"not a picture", 10)


def test_shrinking_a_pdf_says_it_is_not_a_picture(tmp_path: Path) -> None:
    (tmp_path / "f.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(MediaError, match=r"f\.pdf is not a picture that can be shrunk"):
        shrink_image(tmp_path / "f.pdf", 1000, tmp_path / "out")


@pytest.mark.parametrize(
    ("env", "plausible"),
    [
        ({"TERM": "xterm-kitty"}, True),
        ({"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, True),
        ({"TERM_PROGRAM": "iTerm.app"}, True),
        ({"TERM": "xterm-256color"}, False),
        ({"TERM": "tmux-256color", "KITTY_WINDOW_ID": "1"}, False),  # tmux hides the graphics
        ({"TERM": "xterm-kitty", "SMS_TUI_GRAPHICS": "off"}, False),
    ],
)
def test_the_terminal_is_probed_only_where_graphics_are_plausible(
    env: dict[str, str], plausible: bool
) -> None:
    assert graphics.plausible(env) is plausible


def test_no_tty_means_half_blocks_without_any_probe() -> None:
    assert graphics.prepare({"TERM": "xterm-kitty"}, is_tty=False) == "halfblock"
    assert graphics.mode() == "halfblock"
