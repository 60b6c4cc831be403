"""Attachments on disk: fetched with the API key on the rep's request, kept by `media_id`.

The cache is private data (a lead's photos and forms): its folder is 0700 and every file 0600. It
is bounded: after each download the least recently used files go until the total fits `max_bytes`
(the file just fetched is never the one removed). A file is written to a temporary name and
renamed, so a crash never leaves half a picture under the real name. Thumbnails and originals are
kept apart (`<media_id>/thumbnail.jpg`, `<media_id>/<filename>`), so scrolling past pictures costs
thumbnails only.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from sms_tui.core.models import Attachment
from sms_tui.provider import CloseClient, ProviderError
from sms_tui.sync.events import AttachmentError

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: a single download larger than this is refused (Close's own limit is far below)
MAX_FILE_BYTES = 50 * 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(name: str, fallback: str) -> str:
    cleaned = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return cleaned[:100] or fallback


def media_folder(cache_path: object, data_dir: Path) -> Path:
    """Fetched attachments live beside the cache file they belong to (`media/`), else in the data dir."""
    if isinstance(cache_path, str) and cache_path != ":memory:" and not cache_path.startswith("file:"):
        return Path(cache_path).parent / "media"
    return data_dir / "media"


class MediaCache:
    def __init__(self, folder: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._locks: dict[Path, asyncio.Lock] = {}

    def path_for(self, attachment: Attachment, *, thumbnail: bool = False) -> Path:
        """Where this attachment (or its thumbnail) is kept, fetched or not."""
        key = attachment.media_id or hashlib.sha256(attachment.url.encode()).hexdigest()[:24]
        name = "thumbnail.jpg" if thumbnail else _safe(attachment.filename, "file")
        return self.folder / _safe(key, "media") / name

    def cached(self, attachment: Attachment, *, thumbnail: bool = False) -> Path | None:
        """The file when it is here already (no network): the rep's own file for one they sent,
        else the cached download."""
        if attachment.local_path and not thumbnail and Path(attachment.local_path).is_file():
            return Path(attachment.local_path)
        path = self.path_for(attachment, thumbnail=thumbnail and bool(attachment.thumbnail_url))
        return path if path.is_file() else None

    async def fetch(self, client: CloseClient, attachment: Attachment, *, thumbnail: bool = False) -> Path:
        """The file on disk, downloading it with the key the first time. `thumbnail` asks for the
        small version; an attachment without one gives the original."""
        thumbnail = thumbnail and bool(attachment.thumbnail_url)
        found = self.cached(attachment, thumbnail=thumbnail)
        if found is not None:
            _touch(found)
            return found
        url = attachment.thumbnail_url if thumbnail else attachment.url
        if not url:
            raise AttachmentError(
                f"{attachment.filename or 'This attachment'} has no address to fetch it from."
            )
        path = self.path_for(attachment, thumbnail=thumbnail)
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:  # two requests for one picture download it once
            if path.is_file():
                return path
            try:
                got = await client.download_file(url, max_bytes=MAX_FILE_BYTES)
            except ProviderError as exc:
                error = AttachmentError(f"Could not fetch {attachment.filename or 'the attachment'}: {exc}")
                error.reason = str(exc)
                raise error from None
            await asyncio.to_thread(self._store, path, got.data)
        self._locks.pop(path, None)
        await asyncio.to_thread(self.evict, keep=path)
        return path

    def _store(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)

    def size(self) -> int:
        return sum(f.stat().st_size for f in self._files())

    def evict(self, *, keep: Path | None = None) -> int:
        """Remove the least recently used files until the cache fits; returns bytes removed."""
        files = sorted(self._files(), key=lambda f: f.stat().st_mtime)
        total = sum(f.stat().st_size for f in files)
        removed = 0
        for f in files:
            if total <= self.max_bytes:
                break
            if keep is not None and f == keep:
                continue
            size = f.stat().st_size
            f.unlink(missing_ok=True)
            total -= size
            removed += size
            try:
                f.parent.rmdir()  # the media folder, once empty
            except OSError:
                pass
        return removed

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return [f for f in self.folder.glob("*/*") if f.is_file() and not f.name.endswith(".part")]


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def blocking_fetcher(client: Callable[[], CloseClient], cache: MediaCache) -> Callable[[Attachment], bytes]:
    """An attachment's bytes through the on-disk cache, for a UI thread worker (it runs its own
    event loop and client per call: a worker thread has no loop). Raises AttachmentError whose text
    is the provider's sentence."""

    def fetch(attachment: Attachment) -> bytes:
        async def run() -> Path:
            async with client() as connection:
                return await cache.fetch(connection, attachment)

        try:
            path = asyncio.run(run())
        except AttachmentError as exc:
            raise AttachmentError(exc.reason or str(exc)) from None
        return path.read_bytes()

    return fetch
