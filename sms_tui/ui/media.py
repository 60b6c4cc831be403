"""Attachments on this machine: the file the rep attaches, the one they download and open, and
the picture shown in the terminal. No Textual: the screens run these in thread workers.

- `attachment_for(path)`: an `Attachment` for a file on disk (its type from its name, its size).
- `shrink_image(path, max_bytes, out_dir)`: a JPEG copy that fits a carrier's limit (Pillow).
- `Media`: the app's seam for received files: `fetch` (the bytes of an attachment: by default the
  sync engine's `AttachmentFetcher`, which downloads with the API key into its private on-disk
  cache by media id; see `engine_fetcher`), `open` (the system's opener, injected so tests launch
  nothing), the download folder, and a small in-memory cache of what was fetched.
- `half_blocks(data, width)`: a picture as coloured `▀` cells (a Rich `Text`), deterministic, for
  every terminal; `ui.graphics` uses terminal graphics where the terminal has them.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rich.style import Style
from rich.text import Text

from sms_tui.core import mms
from sms_tui.core.models import Attachment
from sms_tui.sync.events import AttachmentError, AttachmentFetcher


class Fetcher(Protocol):
    """The bytes of a received attachment, or of its thumbnail (blocking: call it in a thread
    worker). Raises an exception whose text is a sentence for the rep when it cannot be had."""

    def __call__(self, attachment: Attachment, *, thumbnail: bool = False) -> bytes: ...


#: Opens a file with the system's viewer.
Opener = Callable[[Path], None]

#: Bytes kept in memory for previews and repeated opens (the rest is fetched again).
MEMORY_CACHE_BYTES = 20_000_000


class MediaError(Exception):
    """A file cannot be attached, fetched, saved or opened; str(err) is the rep's sentence."""


def attachment_for(path: Path) -> Attachment:
    """The attachment for a file the rep picked, or MediaError saying why it cannot be one."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise MediaError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise MediaError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if path.is_dir():
        raise MediaError(f"{path} is a folder: pick a file inside it.")
    if not os.access(path, os.R_OK):
        raise MediaError(f"Cannot read {path}: permission denied.")
    return Attachment(
        filename=path.name,
        content_type=mms.content_type_for(path.name),
        size=stat.st_size,
        local_path=str(path.resolve()),
    )


@dataclass(frozen=True, slots=True)
class Shrunk:
    """A smaller copy of a picture: the attachment to send and what changed."""

    attachment: Attachment
    before: tuple[int, int]
    after: tuple[int, int]
    old_size: int
    original: str = ""  # the rep's file's name

    @property
    def sentence(self) -> str:
        return (
            f"Shrunk {self.original or self.attachment.filename}: {mms.size_text(self.old_size)} → "
            f"{mms.size_text(self.attachment.size)} ({self.before[0]}×{self.before[1]} → "
            f"{self.after[0]}×{self.after[1]})."
        )


def shrink_image(path: Path, max_bytes: int, out_dir: Path) -> Shrunk:
    """A JPEG copy of the picture at `path` of at most `max_bytes`, written in `out_dir`.

    Tries lower quality first, then smaller sizes (never larger than the original). MediaError
    when the file is not a picture Pillow reads, or when even a thumbnail does not fit.
    """
    from PIL import Image, UnidentifiedImageError  # on first use: Pillow costs start-up time

    try:
        with Image.open(path) as opened:
            opened.load()
            picture = opened.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise MediaError(
            f"{path.name} is not a picture that can be shrunk ({exc.__class__.__name__})."
        ) from None
    before = picture.size
    old_size = path.stat().st_size
    scale = 1.0
    while True:
        size = (max(1, round(before[0] * scale)), max(1, round(before[1] * scale)))
        candidate = picture if scale == 1.0 else picture.resize(size, Image.Resampling.LANCZOS)
        for quality in (85, 75, 60):
            buffer = io.BytesIO()
            candidate.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return _write_shrunk(path, buffer.getvalue(), out_dir, before, size, old_size)
        if max(size) <= 64:
            raise MediaError(f"{path.name} does not fit in {mms.size_text(max_bytes)} even as a thumbnail.")
        scale *= 0.75


def _write_shrunk(
    path: Path, data: bytes, out_dir: Path, before: tuple[int, int], after: tuple[int, int], old_size: int
) -> Shrunk:
    out_dir.mkdir(parents=True, exist_ok=True)
    target = _free_name(out_dir, f"{path.stem}-small.jpg")
    target.write_bytes(data)
    attachment = Attachment(
        filename=target.name, content_type="image/jpeg", size=len(data), local_path=str(target.resolve())
    )
    return Shrunk(attachment, before, after, old_size, path.name)


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """A file name from outside (a lead's upload) that cannot escape the folder or hide itself."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip().lstrip(".").strip()
    if not cleaned or cleaned in (".", ".."):
        cleaned = fallback
    stem, dot, suffix = cleaned.rpartition(".")
    if len(cleaned) > 120:
        cleaned = (stem[: 110 - len(suffix)] + dot + suffix) if dot else cleaned[:120]
    return cleaned


def _free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`… when that exists."""
    target = folder / name
    stem, suffix = target.stem, target.suffix
    n = 2
    while target.exists():
        target = folder / f"{stem} ({n}){suffix}"
        n += 1
    return target


def system_opener(path: Path) -> None:
    """Open `path` with the desktop's viewer (xdg-open, open), detached from the terminal."""
    command = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(command) is None:
        raise MediaError(f"Saved {path} (no {command} here to open it).")
    subprocess.Popen(
        [command, str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def engine_fetcher(app: object) -> Fetcher | None:
    """The running sync engine's fetcher (`app.sync.engine`, an `AttachmentFetcher`) for a thread
    worker: the download runs on the app's loop, the bytes are read from the engine's cache."""
    engine = getattr(getattr(app, "sync", None), "engine", None)
    call_from_thread = getattr(app, "call_from_thread", None)
    if not isinstance(engine, AttachmentFetcher) or call_from_thread is None:
        return None
    fetcher: AttachmentFetcher = engine

    def fetch(attachment: Attachment, *, thumbnail: bool = False) -> bytes:
        path = fetcher.cached_attachment(attachment, thumbnail=thumbnail)
        if path is None:
            path = call_from_thread(fetcher.fetch_attachment, attachment, thumbnail=thumbnail)
        return Path(path).read_bytes()

    return fetch


@dataclass
class Media:
    """What the UI does with received files (the app holds one; tests inject theirs)."""

    #: None: the app's sync engine fetches (`bind`), or nothing can be fetched without a provider
    fetch: Fetcher | None = None
    open: Opener = system_opener
    download_dir: Path = field(default_factory=lambda: Path.home() / "Downloads" / "sms-tui")
    rules: mms.MmsRules = mms.DEFAULT_MMS_RULES
    #: where shrunk copies of pictures go before they are uploaded
    work_dir: Path | None = None
    #: where the attach dialog's path starts (relative paths are read from here)
    pick_dir: Path = field(default_factory=Path.home)
    _memory: OrderedDict[str, bytes] = field(default_factory=OrderedDict, repr=False)
    _saved: dict[str, Path] = field(default_factory=dict, repr=False)

    def data(self, attachment: Attachment, *, thumbnail: bool = False) -> bytes:
        """The file's bytes (or its thumbnail's): from memory, the rep's own file, or fetched
        (blocking: a thread worker)."""
        key = _key(attachment) + ("#thumbnail" if thumbnail else "")
        cached = self._memory.get(key)
        if cached is not None:
            self._memory.move_to_end(key)
            return cached
        if attachment.local_path and Path(attachment.local_path).is_file():
            data = Path(attachment.local_path).read_bytes()
        elif self.fetch is None:
            raise MediaError("Downloading needs a connection to Close (this inbox runs without one).")
        else:
            try:
                data = self.fetch(attachment, thumbnail=thumbnail)
            except MediaError:
                raise
            except AttachmentError as exc:  # the engine's sentence, as it is
                raise MediaError(str(exc)) from exc
            except Exception as exc:  # another fetcher's error: its text is the reason
                raise MediaError(f"Could not download {attachment.filename}: {exc}") from exc
        self._remember(key, data)
        return data

    def preview_data(self, attachment: Attachment) -> bytes:
        """The bytes to draw a picture from: Close's thumbnail when it made one (smaller; the
        engine gives the file itself when there is none)."""
        return self.data(attachment, thumbnail=bool(attachment.thumbnail_url))

    def bind(self, app: object) -> Media:
        """Fetch through the app's sync engine, unless a fetcher was given (tests, screenshots)."""
        if self.fetch is None:
            self.fetch = engine_fetcher(app)
        return self

    def download(self, attachment: Attachment) -> Path:
        """Save the file in the download folder (once: a second ask reuses the saved copy)."""
        key = _key(attachment)
        saved = self._saved.get(key)
        if saved is not None and saved.is_file():
            return saved
        data = self.data(attachment)
        try:
            self.download_dir.mkdir(parents=True, exist_ok=True)
            target = _free_name(self.download_dir, safe_filename(attachment.filename))
            target.write_bytes(data)
        except OSError as exc:
            raise MediaError(f"Cannot save into {self.download_dir}: {exc.strerror or exc}.") from None
        self._saved[key] = target
        return target

    def download_and_open(self, attachment: Attachment) -> Path:
        path = self.download(attachment)
        self.open(path)
        return path

    def shrink(self, attachment: Attachment, max_bytes: int) -> Shrunk:
        folder = self.work_dir or (self.download_dir / ".outgoing")
        return shrink_image(Path(attachment.local_path), max_bytes, folder)

    def _remember(self, key: str, data: bytes) -> None:
        self._memory[key] = data
        total = sum(len(v) for v in self._memory.values())
        while total > MEMORY_CACHE_BYTES and len(self._memory) > 1:
            _, dropped = self._memory.popitem(last=False)
            total -= len(dropped)


def media_of(app: object) -> Media:
    """The app's `Media` (`SmsApp.media`); a default one for a host without it (tests of one widget)."""
    media = getattr(app, "media", None)
    return media if isinstance(media, Media) else _DEFAULT_MEDIA


_DEFAULT_MEDIA = Media()


def _key(attachment: Attachment) -> str:
    return attachment.media_id or attachment.url or attachment.local_path or attachment.filename


def is_picture(attachment: Attachment) -> bool:
    return mms.kind_of(attachment.content_type) == "image"


def half_blocks(data: bytes, width: int, max_rows: int = 12) -> Text:
    """The picture as `▀` cells, two pixels a cell (top: foreground, bottom: background).

    At most `width` cells wide and `max_rows` lines high, aspect kept (a cell is about twice as
    high as wide). Deterministic: the same bytes and width give the same cells. MediaError when
    the bytes are not a picture.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.seek(0)  # an animated GIF: its first frame
            picture = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(f"Cannot show this picture ({exc.__class__.__name__}).") from None
    w, h = picture.size
    cols = max(1, min(width, w))
    rows = max(1, round(h * cols / w / 2))
    if rows > max_rows:
        rows = max_rows
        cols = max(1, min(width, round(w * rows * 2 / h)))
    small = picture.resize((cols, rows * 2), Image.Resampling.BOX)
    pixels = small.load()
    assert pixels is not None
    out = Text(no_wrap=True, overflow="crop")
    for row in range(rows):
        if row:
            out.append("\n")
        for col in range(cols):
            top = pixels[col, row * 2]
            bottom = pixels[col, row * 2 + 1]
            assert isinstance(top, tuple) and isinstance(bottom, tuple)
            out.append("▀", Style(color=_hex(top), bgcolor=_hex(bottom)))
    return out


def _hex(pixel: tuple[int, ...]) -> str:
    return f"#{pixel[0]:02x}{pixel[1]:02x}{pixel[2]:02x}"
