"""`has:attachment` and `attachment_type:` in the search language (MMS), at lead level and inside
sms(...), and their plan: only messages with attachments (a partial index) are looked at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sms_tui.core.models import Attachment
from sms_tui.core.query import QuerySyntaxError
from sms_tui.store import Store
from sms_tui.store.search_sql import compile_lead_filter
from tests.store.conftest import NOW, make_lead, sms


def att(filename: str, ctype: str) -> dict[str, Any]:
    return {"url": f"https://app.close.com/go/file/m/{filename}/", "filename": filename, "size": 10,
            "content_type": ctype, "media_id": f"media_{filename}"}  # fmt: skip


@pytest.fixture
def cache(store: Store) -> Store:
    store.upsert_leads(make_lead(n) for n in range(1, 8))
    store.apply_remote_messages(
        [
            sms("a1", 1, text="the roof", attachments=[att("roof.jpg", "image/jpeg")]),
            sms("a2", 2, text="signed", attachments=[att("form.pdf", "application/pdf")]),
            sms("a3", 3, status="sent", text="clip", attachments=[att("tour.mp4", "video/mp4")]),
            sms("a4", 4, text="card", attachments=[att("me.vcf", "text/vcard; charset=utf-8")]),
            sms("a5", 5, text="plain", attachments=[]),
            # a filename that spells a content type must not fool the search
            sms(
                "a6", 6, text="sneaky", attachments=[att('x"content_type":"image/png.pdf', "application/pdf")]
            ),
        ]
    )
    store.enqueue_send(
        lead_id="lead_7", contact_id="cont_7", text="", remote_phone="+16505550007",
        local_phone="+14155550100", send_at=NOW + timedelta(seconds=5), now=NOW,
        attachments=(Attachment("flyer.png", "image/png", 300, local_path="/tmp/flyer.png"),),
    )  # fmt: skip
    return store


def found(store: Store, query: str) -> set[str]:
    return {r.lead_id for r in store.lead_page(query=query, now=NOW, limit=100).rows}


def leads(*ns: int) -> set[str]:
    return {f"lead_{n}" for n in ns}


def test_has_attachment_finds_every_mms_and_no_plain_sms(cache: Store) -> None:
    assert found(cache, "has:attachment") == leads(1, 2, 3, 4, 6, 7)
    assert found(cache, "-has:attachment") == leads(5)
    assert cache.count_leads("has:mms", now=NOW) == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("attachment_type:image", {1, 7}),
        ("attachment_type:pdf", {2, 6}),
        ("attachment_type:video", {3}),
        ("attachment_type:contact", {4}),
        ("attachment_type:document", {2, 6}),
        ("attachment_type:audio", set()),
        ("attachment_type:image/png", {7}),
        ("attachment_type:text/vcard", {4}),
        ("attachment_type:IMAGE", {1, 7}),
    ],
)
def test_attachment_type_by_kind_or_content_type(cache: Store, query: str, expected: set[int]) -> None:
    assert found(cache, query) == leads(*expected)


def test_inside_sms_it_is_the_same_message(cache: Store) -> None:
    assert found(cache, "sms(has:attachment direction:outbound)") == leads(3, 7)
    assert found(cache, "sms(attachment_type:image direction:inbound)") == leads(1)
    assert found(cache, "sms(attachment_type:image roof)") == leads(1)


def test_a_bad_kind_says_what_is_expected(cache: Store) -> None:
    with pytest.raises(QuerySyntaxError, match="image, video, audio, pdf"):
        found(cache, "attachment_type:spreadsheet")
    with pytest.raises(QuerySyntaxError, match="attachment"):
        found(cache, "has:nothing")


def test_the_plan_uses_the_partial_index(cache: Store) -> None:
    for query in ("has:attachment", "attachment_type:image"):
        where, params = compile_lead_filter(query, now=NOW)
        plan = " | ".join(
            str(r[3])
            for r in cache._conn.execute(
                f"EXPLAIN QUERY PLAN SELECT ls.lead_id FROM lead_state ls WHERE {where}", params
            )
        )
        assert "messages_with_attachments" in plan, plan
