"""Far pages in one query (End walks the index backwards) and counts on their own connection."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import pytest

from sms_tui.store import Store
from tests.store.conftest import NOW, make_lead, sms


def _walk(store: Store, query: str | None = None) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = store.lead_page(query=query, now=NOW, after=cursor, limit=7)
        seen += [r.lead_id for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.fixture
def filled(store: Store) -> Store:
    store.upsert_leads(make_lead(i) for i in range(60))
    # ties: leads 0..19 share one activity time, so the lead id decides among them
    store.apply_remote_messages(
        sms(f"acti_{i}", i, at=NOW - timedelta(hours=1 if i < 20 else i)) for i in range(50)
    )
    return store


def test_a_page_from_the_end_is_the_tail_of_the_list_in_list_order(filled: Store) -> None:
    every = _walk(filled)
    assert len(every) == 60
    tail = filled.lead_page(now=NOW, limit=10, from_end=True)
    assert [r.lead_id for r in tail.rows] == every[-10:]
    assert tail.next_cursor is None  # nothing after the last page
    middle = filled.lead_page(now=NOW, limit=10, offset=15, from_end=True)
    assert [r.lead_id for r in middle.rows] == every[35:45]
    after = filled.lead_page(now=NOW, limit=100, after=middle.next_cursor)
    assert [r.lead_id for r in after.rows] == every[45:]  # the keyset continues from a far page


def test_an_offset_page_is_the_same_rows_as_walking_there(filled: Store) -> None:
    every = _walk(filled)
    page = filled.lead_page(now=NOW, limit=10, offset=23)
    assert [r.lead_id for r in page.rows] == every[23:33]
    rest = filled.lead_page(now=NOW, limit=100, after=page.next_cursor)
    assert [r.lead_id for r in rest.rows] == every[33:]


def test_a_capped_count_stops_at_the_cap(filled: Store) -> None:
    assert filled.count_leads(now=NOW) == 60
    assert filled.count_leads(now=NOW, cap=25) == 25
    assert filled.count_leads(now=NOW, cap=1000) == 60
    assert filled.count_leads("lead", now=NOW, cap=1000) == filled.count_leads("lead", now=NOW)


def test_counts_do_not_wait_for_the_lock_pages_use(filled: Store) -> None:
    result: list[int] = []
    with filled._lock:  # a page (or a sync write) holds the main connection
        worker = threading.Thread(target=lambda: result.append(filled.count_leads(now=NOW)))
        worker.start()
        worker.join(timeout=30)
        assert result == [60]  # counted while the lock was held
        assert filled.header_counts().unread_total >= 0


def test_a_running_count_can_be_interrupted(filled: Store) -> None:
    with filled._counting() as conn:
        stopper = threading.Timer(0.1, filled.interrupt_counts)  # while the endless count runs
        stopper.start()
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
            ).fetchone()
