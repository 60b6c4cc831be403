"""MMS in the cache: Close's `attachments` read back into Message.attachments, the rep's files
kept through the outbox, and the migration that indexes messages with attachments."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sms_tui.core.models import Attachment, Message, Template
from sms_tui.provider.models import parse_sms
from sms_tui.store import Store
from sms_tui.store.convert import attachments_from_json, attachments_json
from sms_tui.store.schema import migrate, schema_version
from sms_tui.sync import convert
from tests.store.conftest import NOW, make_lead, sms

PHOTO: dict[str, Any] = {
    "url": "https://app.close.com/go/file/media_1/roof.jpg",
    "filename": "roof.jpg",
    "size": 48213,
    "content_type": "image/jpeg",
    "media_id": "media_1",
    "thumbnail_url": "https://app.close.com/go/file/media_1/thumbnail/",
}
FORM: dict[str, Any] = {
    "url": "https://app.close.com/go/file/media_2/form.pdf",
    "filename": "form.pdf",
    "size": 9000,
    "content_type": "application/pdf",
    "media_id": "media_2",
}


def test_an_inbound_mms_reads_back_with_its_attachments(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1, text="Here is the roof", attachments=[PHOTO, FORM])])
    [msg] = store.conversation("lead_1")
    assert msg.attachments == (
        Attachment("roof.jpg", "image/jpeg", 48213, PHOTO["url"], "media_1", PHOTO["thumbnail_url"]),
        Attachment("form.pdf", "application/pdf", 9000, FORM["url"], "media_2"),
    )
    assert store.get_message_by_remote_id("acti_1") == msg


def test_a_plain_sms_has_no_attachments_and_a_picture_only_mms_has_no_text(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages(
        [sms("acti_1", 1, attachments=[]), sms("acti_2", 1, text="", at=NOW, attachments=[PHOTO])]
    )
    plain, photo = store.conversation("lead_1")
    assert plain.attachments == ()
    assert photo.text == "" and [a.filename for a in photo.attachments] == ["roof.jpg"]


def test_null_and_odd_fields_from_close_read_as_empty_not_as_a_crash(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    odd = {"url": "https://x/f", "filename": None, "size": None, "content_type": "IMAGE/PNG"}
    store.apply_remote_messages([sms("acti_1", 1, attachments=[odd, "junk"])])
    [msg] = store.conversation("lead_1")
    assert msg.attachments == (Attachment("", "image/png", 0, "https://x/f"),)


def test_a_corrupt_attachments_value_reads_as_none(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1)])
    store._conn.execute("UPDATE messages SET attachments = '[{not json'")
    [msg] = store.conversation("lead_1")
    assert msg.attachments == ()


def test_the_wire_sms_converts_with_its_attachments() -> None:
    body = sms("acti_1", 1, attachments=[PHOTO])
    body.update(
        user_id="user_1",
        date_sent=None,
        date_scheduled=None,
        activity_at=None,
        error_message=None,
        cost=None,
        template_id=None,
    )
    msg = convert.message(parse_sms(body))
    assert [(a.media_id, a.thumbnail_url) for a in msg.attachments] == [("media_1", PHOTO["thumbnail_url"])]


def test_a_message_object_round_trips_through_apply_remote_messages(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    att = Attachment("roof.jpg", "image/jpeg", 48213, PHOTO["url"], "media_1")
    msg = Message(
        0,
        "lead_1",
        "inbound",
        "inbox",
        "see",
        remote_id="acti_9",
        status="inbox",
        date_created=NOW,
        attachments=(att,),
    )
    store.apply_remote_messages([msg])
    assert store.conversation("lead_1")[0].attachments == (att,)


def test_the_outbox_keeps_the_reps_files_until_they_are_claimed(store: Store, tmp_path: Path) -> None:
    store.upsert_leads([make_lead(1)])
    path = tmp_path / "flyer.png"
    att = Attachment("flyer.png", "image/png", 3120, local_path=str(path))
    local = store.enqueue_send(
        lead_id="lead_1",
        contact_id="cont_1",
        text="",
        remote_phone="+16505550001",
        local_phone="+14155550100",
        send_at=NOW + timedelta(seconds=5),
        now=NOW,
        attachments=(att,),
    )
    assert store.outbox()[0].attachments == (att,)
    [claimed] = store.claim_due(now=NOW + timedelta(seconds=10), owner="a")
    assert claimed.local_id == local and claimed.attachments == (att,)


def test_retrying_a_failed_mms_sends_the_same_files_again(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    att = Attachment(
        "flyer.png",
        "image/png",
        3120,
        url="https://app.close.com/go/file/m/flyer.png",
        local_path="/tmp/flyer.png",
    )
    local = store.enqueue_send(
        lead_id="lead_1",
        contact_id="cont_1",
        text="new flyer",
        remote_phone="+16505550001",
        local_phone="+14155550100",
        send_at=NOW,
        now=NOW,
        attachments=(att,),
    )
    store.claim_due(now=NOW, owner="a")
    store.mark_pushed(local, "acti_1", "error", error_message="30019")
    again = store.retry(local, NOW + timedelta(seconds=5))
    assert again is not None and again != local
    retried = store.get_message(again)
    assert retried is not None and retried.attachments == (att,)


def test_json_helpers_round_trip_and_omit_empty_fields() -> None:
    atts = (
        Attachment("a.gif", "image/gif", 10, "u", "m", "t", "/p"),
        Attachment("b.pdf", "application/pdf", 2),
    )
    assert attachments_from_json(attachments_json(atts)) == atts
    assert attachments_json(()) is None
    assert attachments_json((replace(atts[1], url="u"),)) == (
        '[{"content_type":"application/pdf","filename":"b.pdf","size":2,"url":"u"}]'
    )


def test_migration_7_indexes_only_messages_with_attachments(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrate(conn, target=6)
    conn.execute("INSERT INTO leads (id, display_name) VALUES ('lead_1', 'A')")
    conn.executemany(
        "INSERT INTO messages (lead_id, direction, local_state, sort_at, attachments) "
        "VALUES ('lead_1', 'inbound', 'inbox', '2026', ?)",
        [(None,), ("[]",), ('[{"url":"u"}]',)],
    )
    migrate(conn)
    assert schema_version(conn) >= 7
    plan = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT local_id FROM messages WHERE attachments > '[]' AND lead_id = 'lead_1'"
        )
    )
    assert "messages_with_attachments" in plan
    assert conn.execute("SELECT count(*) FROM messages WHERE attachments > '[]'").fetchone()[0] == 1
    conn.close()


def test_templates_keep_their_files(store: Store) -> None:
    flyer = Attachment(
        "flyer.png", "image/png", 4160, "https://app.close.com/go/file/m/flyer.png/", "media_f"
    )
    store.upsert_templates(
        [Template("smstmpl_1", "Intro", "Hi", attachments=(flyer,)), Template("smstmpl_2", "Bye", "Bye")]
    )
    intro, bye = sorted(store.templates(), key=lambda t: t.id)
    assert intro.attachments == (flyer,) and bye.attachments == ()
