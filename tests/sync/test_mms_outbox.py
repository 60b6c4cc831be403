"""Sending an MMS through the sync engine: the rep's file is uploaded through the Files API after
the undo window, exactly once (its url is recorded before the SMS is created), and the SMS goes
out exactly once — under faults, a crash between upload and POST, and a crash after the POST."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sms_tui.carrier.files import SAMPLES_DIR
from sms_tui.core.models import Attachment
from sms_tui.store import Store
from sms_tui.sync.outbox import DEFAULT_LEASE
from tests.sync.harness import World, inbound_mms, textable_leads

LEASE = DEFAULT_LEASE.total_seconds()
ROOF = (SAMPLES_DIR / "roof.jpg").read_bytes()


def send_mms(world: World, store: Store, text: str, *, lead: int = 0, name: str = "roof.jpg") -> int:
    path = world.tmp / name
    if not path.exists():
        shutil.copy(SAMPLES_DIR / "roof.jpg", path)
    lead_id, contact_id, phone, ours = textable_leads(store)[lead]
    att = Attachment(name, "image/jpeg", path.stat().st_size, local_path=str(path))
    now = world.clock.now()
    return store.enqueue_send(
        lead_id=lead_id, contact_id=contact_id, text=text, remote_phone=phone, local_phone=ours,
        send_at=now + timedelta(seconds=5), now=now, attachments=(att,),
    )  # fmt: skip


def uploads(world: World) -> int:
    return world.transport.requests.count(("POST", "/_storage/"))


async def carrier_mms(world: World, text: str) -> list[dict[str, Any]]:
    return [s for s in await world.carrier_sms() if s["direction"] == "outbound" and s["text"] == text]


async def killed_after_the_upload(world: World, store: Store, text: str) -> int:
    """An engine uploads the file of a due MMS, then its process dies before the SMS POST."""
    first = world.engine(store)
    local_id = send_mms(world, store, text)
    world.clock.advance(6)

    async def die(**kwargs: object) -> object:
        raise asyncio.CancelledError

    first.pusher.client.create_sms = die  # type: ignore[method-assign,assignment]
    with pytest.raises(asyncio.CancelledError):
        await first.push_outbox()
    return local_id


async def test_an_mms_is_uploaded_after_the_undo_window_and_sent_once(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_mms(world, store, "the roof, as promised")
    await engine.push_outbox()
    assert uploads(world) == 0  # still in the undo window: nothing leaves
    world.clock.advance(6)
    await engine.push_outbox()
    [sms] = await carrier_mms(world, "the roof, as promised")
    assert uploads(world) == 1
    [att] = sms["attachments"]
    assert att["size"] == len(ROOF) and att["media_id"]
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "sent"
    [mine] = message.attachments
    assert mine.media_id == att["media_id"] and mine.local_path == str(world.tmp / "roof.jpg")


async def test_a_fault_on_the_upload_is_redone_and_the_sms_goes_once(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_mms(world, store, "after a 503")
    world.clock.advance(6)
    await engine.poll_once()  # inbound is fresh: the fault hits the upload, not a poll
    await world.faults(next_5xx=1, status_5xx=503)
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "outbox" and message.attachments[0].url == ""
    await engine.push_outbox()
    assert len(await carrier_mms(world, "after a 503")) == 1 and uploads(world) == 1


async def test_killed_after_the_upload_the_next_engine_reuses_it(world: World) -> None:
    store = world.store()
    local_id = await killed_after_the_upload(world, store, "crash before the POST")
    recorded = store.get_message(local_id)
    assert recorded is not None and recorded.attachments[0].url.startswith("http://carrier.test/go/file/")
    second = world.engine(world.store())
    world.clock.advance(LEASE + 1)
    await second.push_outbox()
    assert second.totals.absent == 1
    assert len(await carrier_mms(world, "crash before the POST")) == 1
    assert uploads(world) == 1  # the upload is not repeated


async def test_killed_after_the_post_it_is_found_and_neither_resent_nor_reuploaded(world: World) -> None:
    store = world.store()
    first = world.engine(store)
    local_id = send_mms(world, store, "crash after the POST")
    world.clock.advance(6)
    original = first.pusher.client.create_sms

    async def post_then_die(**kwargs: object) -> object:
        await original(**kwargs)  # type: ignore[arg-type]
        raise asyncio.CancelledError

    first.pusher.client.create_sms = post_then_die  # type: ignore[method-assign,assignment]
    with pytest.raises(asyncio.CancelledError):
        await first.push_outbox()
    second = world.engine(world.store())
    world.clock.advance(LEASE + 1)
    await second.push_outbox()
    assert second.totals.found == 1
    assert len(await carrier_mms(world, "crash after the POST")) == 1 and uploads(world) == 1
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "sent" and message.attachments[0].media_id


async def test_a_dropped_connection_after_the_sms_was_stored_is_found_not_resent(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    send_mms(world, store, "dropped after store")
    world.clock.advance(6)
    await engine.poll_once()
    # the first mutating request is the upload form, the second the SMS: drop the answer to that one
    await world.faults(rate_drop_after_store=0)
    engine.pusher.client.upload_file = _once(engine.pusher.client.upload_file, world)  # type: ignore[method-assign,assignment]
    await engine.push_outbox()
    world.clock.advance(LEASE + 1)
    await engine.push_outbox()
    assert engine.totals.found == 1  # the dropped answer was found on the carrier, not sent again
    assert len(await carrier_mms(world, "dropped after store")) == 1 and uploads(world) == 1


def _once(upload: object, world: World) -> object:
    """Upload normally, then make the carrier drop the connection after storing the next change
    (the SMS POST)."""

    async def wrapped(*args: object, **kwargs: object) -> object:
        result = await upload(*args, **kwargs)  # type: ignore[operator]
        await world.faults(next_drop_after_store=1)
        return result

    return wrapped


async def test_a_file_that_cannot_be_read_fails_with_the_reason(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    local_id = send_mms(world, store, "gone", name="vanished.jpg")
    (world.tmp / "vanished.jpg").unlink()
    world.clock.advance(6)
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "error"
    assert "vanished.jpg cannot be read" in (message.error_message or "") and uploads(world) == 0


async def test_an_mms_over_the_limit_is_blocked_before_any_upload(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    big = world.tmp / "big.jpg"
    big.write_bytes(ROOF + b"\0" * 700 * 1024)
    local_id = send_mms(world, store, "too big", name="big.jpg")
    world.clock.advance(6)
    await engine.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "blocked" and uploads(world) == 0
    assert "carriers accept at most 600 KB" in (message.block_reason or "")


async def test_a_polled_inbound_mms_keeps_its_attachments(world: World) -> None:
    store = world.store()
    message = await inbound_mms(world, store, world.engine(store), lead=1, sample="part.png")
    assert message.direction == "inbound"
    [att] = message.attachments
    assert (att.filename, att.content_type) == ("part.png", "image/png") and att.thumbnail_url
    assert Path(att.url).name == "part.png" or att.url.endswith("/part.png/")


async def test_a_templates_file_is_synced_and_sent_without_an_upload(world: World) -> None:
    store = world.store()
    engine = world.engine(store)
    [intro] = [t for t in store.templates() if t.name == "Intro"]
    [flyer] = intro.attachments
    assert (
        (flyer.filename, flyer.content_type) == ("flyer.png", "image/png")
        and flyer.url
        and not flyer.local_path
    )
    lead_id, contact_id, phone, ours = textable_leads(store)[2]
    now = world.clock.now()
    store.enqueue_send(
        lead_id=lead_id, contact_id=contact_id, text="see the flyer", remote_phone=phone, local_phone=ours,
        send_at=now, now=now, attachments=intro.attachments, template_id=intro.id,
    )  # fmt: skip
    await engine.poll_once()
    await engine.push_outbox()
    [sms] = await carrier_mms(world, "see the flyer")
    assert sms["attachments"][0]["filename"] == "flyer.png" and uploads(world) == 0


async def test_an_upload_older_than_24_hours_is_done_again_and_the_sms_goes_once(world: World) -> None:
    store = world.store()
    local_id = await killed_after_the_upload(world, store, "a day late")
    world.clock.advance(25 * 3600)  # Close keeps an upload usable for 24 hours
    second = world.engine(world.store())
    await second.push_outbox()  # reconciled: absent; the old url is refused; the file goes up again
    await second.push_outbox()
    message = store.get_message(local_id)
    assert message is not None and message.local_state == "sent", message
    assert len(await carrier_mms(world, "a day late")) == 1 and uploads(world) == 2
