"""Keyset pages of the lead list, conversation pages, refreshing single rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sms_tui.store import LeadCursor, Store, StoreError
from tests.store.conftest import NOW, make_lead, sms


def test_keyset_pages_cover_every_lead_once_in_activity_order(store: Store) -> None:
    store.upsert_leads(make_lead(i) for i in range(130))
    # ties on purpose: leads 0..39 share one activity time, so the lead id decides among them
    store.apply_remote_messages(
        sms(f"acti_{i}", i, at=NOW - timedelta(hours=1 if i < 40 else i)) for i in range(120)
    )
    seen: list[str] = []
    cursor: LeadCursor | None = None
    pages = 0
    while True:
        page = store.lead_page(now=NOW, after=cursor, limit=50)
        seen += [r.lead_id for r in page.rows]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 130 == len(set(seen))
    key = {r.lead_id: (r.last_activity_at, r.lead_id) for r in store.lead_rows(seen)}
    in_page_order = [key[lead] for lead in seen]
    assert in_page_order == sorted(in_page_order, reverse=True)  # (activity desc, id desc)
    assert seen[:40] == sorted((f"lead_{i}" for i in range(40)), reverse=True)


def test_a_page_that_ends_exactly_at_the_end_has_no_next_cursor(store: Store) -> None:
    store.upsert_leads(make_lead(i) for i in range(50))
    assert store.lead_page(now=NOW, limit=50).next_cursor is None
    first = store.lead_page(now=NOW, limit=49)
    assert first.next_cursor is not None
    last = store.lead_page(now=NOW, limit=49, after=first.next_cursor)
    assert len(last.rows) == 1 and last.next_cursor is None


def test_search_pages_too(store: Store) -> None:
    store.upsert_leads(make_lead(i) for i in range(60))
    store.apply_remote_messages(sms(f"acti_{i}", i, text="pricing?" if i % 2 else "hello") for i in range(60))
    first = store.lead_page(query="pricing", now=NOW, limit=20)
    assert first.next_cursor is not None
    second = store.lead_page(query="pricing", now=NOW, limit=20, after=first.next_cursor)
    ids = [r.lead_id for r in first.rows + second.rows]
    assert len(ids) == 30 == len(set(ids)) and all(int(i.split("_")[1]) % 2 for i in ids)


def test_conversation_pages_backwards_from_the_newest(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages(
        sms(f"acti_{i}", 1, text=f"m{i}", at=NOW - timedelta(minutes=100 - i)) for i in range(25)
    )
    latest = store.conversation("lead_1", limit=10)
    assert [m.text for m in latest] == [f"m{i}" for i in range(15, 25)]  # oldest -> newest
    older = store.conversation("lead_1", limit=10, before_local_id=latest[0].local_id)
    assert [m.text for m in older] == [f"m{i}" for i in range(5, 15)]
    oldest = store.conversation("lead_1", limit=10, before_local_id=older[0].local_id)
    assert [m.text for m in oldest] == [f"m{i}" for i in range(5)]


def test_inbound_text_is_kept_verbatim(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    text = "[b]bold[/] 'quote' \"dq\" ; DROP TABLE leads; -- 😀 e\u0301"
    store.apply_remote_messages([sms("acti_1", 1, text=text)])
    assert [m.text for m in store.conversation("lead_1")] == [text]
    assert store.lead_page(now=NOW).rows[0].preview == text


def test_lead_rows_and_errors(store: Store) -> None:
    store.upsert_leads([make_lead(1), make_lead(2)])
    assert {r.lead_id for r in store.lead_rows(["lead_2", "lead_1", "lead_9", "lead_1"])} == {
        "lead_1",
        "lead_2",
    }
    assert store.lead_row("lead_9") is None
    with pytest.raises(StoreError, match="no lead lead_9"):
        store.lead_detail("lead_9")
    with pytest.raises(StoreError, match="no lead lead_9"):
        store.save_draft("lead_9", "hi")


def test_header_counts(store: Store) -> None:
    store.upsert_leads([make_lead(1), make_lead(2)])
    store.apply_remote_messages([sms("a1", 1), sms("a2", 2), sms("a3", 2, status="error")])
    for text in ("x", "y"):
        store.enqueue_send(
            lead_id="lead_1",
            contact_id=None,
            text=text,
            remote_phone="+16505550001",
            local_phone="+14155550100",
            send_at=NOW,
            now=NOW,
        )
    store.claim_due(now=NOW, owner="e", limit=1)
    counts = store.header_counts()
    assert (counts.unread_total, counts.outbox, counts.sending, counts.failed, counts.scheduled) == (
        2,
        1,
        1,
        1,
        0,
    )
