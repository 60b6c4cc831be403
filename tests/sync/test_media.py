"""Fetching attachments for the UI (sync.events.AttachmentFetcher): downloaded with the key on
request, kept by media id in a private, bounded cache; thumbnails apart from originals."""

from __future__ import annotations

import asyncio
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from sms_tui.carrier.files import SAMPLES_DIR
from sms_tui.core.models import Attachment
from sms_tui.sync.events import AttachmentError, AttachmentFetcher
from sms_tui.sync.media import MediaCache, blocking_fetcher
from tests.sync.harness import World, inbound_mms

ROOF = (SAMPLES_DIR / "roof.jpg").read_bytes()


async def inbound_photo(world: World) -> Attachment:
    store = world.store()
    message = await inbound_mms(world, store, world.engine(store), lead=0, sample="roof.jpg")
    return message.attachments[0]


def downloads(world: World) -> int:
    return sum(1 for method, path in world.transport.requests if path.startswith("/go/file/"))


async def test_thumbnail_first_then_the_original_each_downloaded_once(world: World) -> None:
    photo = await inbound_photo(world)
    engine = world.engine()
    assert isinstance(engine, AttachmentFetcher)
    assert engine.cached_attachment(photo, thumbnail=True) is None  # nothing is fetched until asked
    thumb = await engine.fetch_attachment(photo, thumbnail=True)
    assert thumb.name == "thumbnail.jpg" and thumb.read_bytes()[:2] == b"\xff\xd8"
    assert downloads(world) == 1
    assert await engine.fetch_attachment(photo, thumbnail=True) == thumb and downloads(world) == 1
    original = await engine.fetch_attachment(photo)
    assert original.read_bytes() == ROOF and original.name == "roof.jpg" and downloads(world) == 2
    assert engine.cached_attachment(photo) == original
    assert original.parent.name == photo.media_id


async def test_the_cache_is_private(world: World) -> None:
    photo = await inbound_photo(world)
    engine = world.engine()
    path = await engine.fetch_attachment(photo)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(engine.media.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert engine.media.folder == world.cache_path.parent / "media"  # beside the cache, not elsewhere


async def test_a_missing_file_is_a_sentence_not_a_crash(world: World) -> None:
    photo = await inbound_photo(world)
    engine = world.engine()
    gone = replace(photo, media_id="media_gone", url=photo.url.replace(photo.media_id, "media_gone"))
    with pytest.raises(AttachmentError, match="Could not fetch roof.jpg"):
        await engine.fetch_attachment(gone)


async def test_the_reps_own_file_needs_no_download(world: World, tmp_path: Path) -> None:
    mine = tmp_path / "flyer.png"
    mine.write_bytes(b"\x89PNG fake")
    engine = world.engine()
    att = Attachment("flyer.png", "image/png", 9, url="http://carrier.test/go/file/x/", local_path=str(mine))
    assert engine.cached_attachment(att) == mine
    assert await engine.fetch_attachment(att) == mine and downloads(world) == 0


def test_the_least_recently_used_files_go_first(tmp_path: Path) -> None:
    cache = MediaCache(tmp_path / "media", max_bytes=250)
    atts = [Attachment(f"f{i}.bin", "application/pdf", 100, media_id=f"media_{i}") for i in range(3)]
    for i, att in enumerate(atts):
        cache._store(cache.path_for(att), b"x" * 100)
        path = cache.path_for(att)
        os.utime(path, (1000 + i, 1000 + i))
    assert cache.size() == 300
    removed = cache.evict(keep=cache.path_for(atts[0]))
    assert removed == 100 and cache.size() == 200
    assert (
        cache.cached(atts[0]) is not None
        and cache.cached(atts[1]) is None
        and cache.cached(atts[2]) is not None
    )


async def test_the_blocking_fetcher_for_ui_workers_goes_through_the_disk_cache(world: World) -> None:
    photo = await inbound_photo(world)
    cache = MediaCache(world.tmp / "media")
    fetch = blocking_fetcher(world.client, cache)
    assert await asyncio.to_thread(fetch, photo) == ROOF  # a worker thread: its own loop and client
    assert await asyncio.to_thread(fetch, photo) == ROOF and downloads(world) == 1
    gone = replace(photo, media_id="media_gone", url=photo.url.replace(photo.media_id, "media_gone"))
    with pytest.raises(AttachmentError) as caught:
        await asyncio.to_thread(fetch, gone)
    assert str(caught.value) == "The attachment is no longer on the provider."  # the UI adds the file name
