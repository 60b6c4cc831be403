"""MMS fixtures for the UI tests: pictures made with Pillow (deterministic), an inbound MMS in the
seeded cache, and a `Media` whose fetcher and opener are recorded (nothing is launched)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from textual.pilot import Pilot
from textual.widgets import Input

from sms_tui.core.models import Attachment, Message
from sms_tui.store import Store
from sms_tui.ui.media import Media
from sms_tui.ui.screens.attach import AttachDialog
from tests.ui.harness import settle, until
from tests.ui.seed import NOW


def photo_bytes(size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    """A small picture of a house under a sky (deterministic pixels)."""
    image = Image.new("RGB", size, (135, 190, 235))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle((0, h * 3 // 4, w, h), fill=(70, 140, 60))  # grass
    draw.rectangle((w // 4, h // 2, w * 3 // 4, h * 7 // 8), fill=(200, 170, 120))  # walls
    draw.polygon([(w // 5, h // 2), (w // 2, h // 5), (w * 4 // 5, h // 2)], fill=(170, 40, 40))  # roof
    draw.rectangle((w * 9 // 20, h * 5 // 8, w * 11 // 20, h * 7 // 8), fill=(90, 60, 30))  # door
    draw.ellipse((w - 20, 4, w - 6, 18), fill=(250, 220, 60))  # sun
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def noisy_jpeg(path: Path, size: tuple[int, int] = (900, 700)) -> Path:
    """A photo-like JPEG well over 600 KB (noise does not compress)."""
    rng = random.Random(15)
    image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    image.save(path, "JPEG", quality=95)
    return path


PHOTO = Attachment(
    filename="roof.png",
    content_type="image/png",
    size=48_213,
    url="https://app.close.com/go/sms/acti_mms1/media/media_1/",
    media_id="media_1",
)
FORM = Attachment(
    filename="signed form.pdf",
    content_type="application/pdf",
    size=9_000,
    url="https://app.close.com/go/sms/acti_mms1/media/media_2/",
    media_id="media_2",
)


def add_inbound_mms(
    store: Store, *attachments: Attachment, lead_id: str = "lead_ada", text: str = ""
) -> None:
    """An inbound MMS from the lead, a minute ago (after the seeded messages)."""
    message = Message(
        local_id=0,
        lead_id=lead_id,
        direction="inbound",
        local_state="inbox",
        text=text,
        remote_id="acti_mms1",
        contact_id=f"cont_{lead_id[5:]}",
        status="inbox",
        local_phone="+14155550000",
        remote_phone="+14155550101",
        date_created=NOW - timedelta(minutes=1),
        attachments=attachments,
    )
    store.apply_remote_messages([message], unread_inbound=True, now=NOW)


@dataclass
class Recorded:
    """What the injected fetcher served and what the injected opener was asked to open."""

    files: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def fetch(self, attachment: Attachment, *, thumbnail: bool = False) -> bytes:
        self.fetched.append(attachment.media_id + ("#thumbnail" if thumbnail else ""))
        if attachment.media_id not in self.files:
            raise RuntimeError("Close answered 404: the file is gone.")
        return self.files[attachment.media_id]

    def open(self, path: Path) -> None:
        self.opened.append(path)

    def media(self, tmp_path: Path) -> Media:
        return Media(
            fetch=self.fetch,
            open=self.open,
            download_dir=tmp_path / "downloads",
            work_dir=tmp_path / "work",
            pick_dir=tmp_path,
        )


async def attach_in_composer(pilot: Pilot[None], path: Path) -> None:
    """With the lead's conversation shown: reply, ctrl+n, the file's path, enter — attached."""
    await pilot.press("enter", "ctrl+n")
    await until(pilot, lambda: isinstance(pilot.app.screen, AttachDialog))
    pilot.app.screen.query_one("#attach-path", Input).value = str(path)
    await settle(pilot)
    await pilot.press("enter")
    await until(pilot, lambda: not isinstance(pilot.app.screen, AttachDialog))
