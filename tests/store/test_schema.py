"""Opening, migrating an older cache in place, and the indexes the list queries rely on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sms_tui.store import Store, StoreError
from sms_tui.store.schema import CURRENT_VERSION, MIGRATIONS, migrate
from sms_tui.store.search_sql import compile_lead_filter
from tests.store.conftest import NOW, make_lead, sms


def test_open_sets_wal_foreign_keys_and_the_current_version(store: Store) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [number for number, _, _ in MIGRATIONS]


def test_reopening_keeps_data_and_does_not_migrate_again(db_path: Path) -> None:
    with Store.open(db_path) as s:
        s.upsert_leads([make_lead(1, "Acme")])
    with Store.open(db_path) as s:
        assert [r.display_name for r in s.lead_page(now=NOW).rows] == ["Acme"]
        assert s._conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def test_a_v1_cache_is_upgraded_in_place(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert migrate(conn, target=1) == 1
    # what a version-1 sms-tui wrote: no FTS, no phone digits column
    conn.executescript(
        """
        INSERT INTO leads (id, display_name, date_created)
        VALUES ('lead_1', 'Acme', '2026-11-01T00:00:00.000000+00:00');
        INSERT INTO contacts (id, lead_id, name) VALUES ('cont_1', 'lead_1', 'Grace Hopper');
        INSERT INTO contact_phones (contact_id, phone) VALUES ('cont_1', '+16505550001');
        UPDATE lead_state SET phone = '+16505550001', contact_id = 'cont_1' WHERE lead_id = 'lead_1';
        INSERT INTO messages (remote_id, lead_id, direction, status, local_state, text, sort_at, is_read)
        VALUES ('acti_1', 'lead_1', 'inbound', 'inbox', 'inbox', 'Send the pricing please',
                '2026-11-20T10:00:00.000000+00:00', 0);
        """
    )
    assert "messages_fts" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()

    with Store.open(db_path) as s:
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
        row = s.lead_page(now=NOW).rows[0]
        assert (row.lead_id, row.unread, row.preview) == ("lead_1", 1, "Send the pricing please")
        for query in ("pricing", "grace", "acme", "phone:6505550001", "is:unread"):
            assert [r.lead_id for r in s.lead_page(query=query, now=NOW).rows] == ["lead_1"], query
        # and the upgraded cache keeps working: new messages reach the index too
        s.apply_remote_messages([sms("acti_2", 1, text="contract signed")])
        assert s.count_leads("contract", now=NOW) == 1


def test_a_cache_from_a_newer_version_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer sms-tui"):
        Store.open(db_path)


def test_deleting_a_lead_takes_its_contacts_and_messages(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1)])
    store._conn.execute("DELETE FROM leads WHERE id = 'lead_1'")
    counts = [
        store._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("contacts", "contact_phones", "messages", "lead_state")
    ]
    assert counts == [0, 0, 0, 0]


def plan(store: Store, sql: str, params: list[object] | tuple[object, ...] = ()) -> str:
    return " | ".join(r[-1] for r in store._conn.execute("EXPLAIN QUERY PLAN " + sql, params))


@pytest.mark.parametrize(
    "query",
    [
        None,
        "failed_sms > 1",
        "has:error_sms_messages",
        "latest_sms_status:error",
        "is:unread",
        "is:done",
        "opted_out:true",
        "sms_messages > 0",
    ],
)
def test_lead_list_queries_walk_an_index_without_sorting(store: Store, query: str | None) -> None:
    where, params = compile_lead_filter(query, now=NOW)
    page = plan(
        store,
        f"SELECT ls.lead_id FROM lead_state ls WHERE {where} ORDER BY ls.last_activity_at DESC, "
        "ls.lead_id DESC LIMIT 51",
        params,
    )
    assert "USING INDEX lead_state_cover" in page or "USING COVERING INDEX lead_state_cover" in page, page
    assert "TEMP B-TREE" not in page and "SCAN ls" not in page
    count = plan(store, f"SELECT count(*) FROM lead_state ls WHERE {where}", params)
    assert "COVERING INDEX lead_state_cover" in count, count


def test_conversation_outbox_and_sms_search_use_indexes(store: Store) -> None:
    conv = plan(
        store,
        "SELECT * FROM messages WHERE lead_id = ? AND local_state <> 'draft' ORDER BY sort_at DESC, "
        "local_id DESC LIMIT 200",
        ("lead_1",),
    )
    assert "USING INDEX messages_lead_time" in conv and "TEMP B-TREE" not in conv, conv
    claim = plan(
        store,
        "SELECT local_id FROM messages WHERE local_state = 'outbox' AND send_at <= ? "
        "ORDER BY send_at, local_id",
        ("x",),
    )
    assert "INDEX messages_state" in claim, claim
    where, params = compile_lead_filter("sms(created:today direction:outgoing status:error)", now=NOW)
    sms_plan = plan(store, f"SELECT count(*) FROM lead_state ls WHERE {where}", params)
    assert "COVERING INDEX messages_time" in sms_plan or "COVERING INDEX messages_state" in sms_plan, sms_plan


PARTIAL_INDEXES = ("messages_provider_outbox", "messages_unpushed", "lead_state_unread")


def plans_of(store: Store, call: Any) -> list[str]:
    """The query plans of every statement a store call runs (traced with their bound values)."""
    seen: list[str] = []
    with store._counting() as counts:  # counts run on the second read connection: trace both
        pass
    conns = {id(c): c for c in (store._conn, counts)}.values()
    for conn in conns:
        conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        for conn in conns:
            conn.set_trace_callback(None)
    return [plan(store, s) for s in seen if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))]


def test_frequent_reads_never_scan_a_big_table(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1)])
    calls = {
        "has_unsettled_outbound": lambda: store.has_unsettled_outbound(since=NOW, now=NOW),
        "header_counts": lambda: store.header_counts(),
        "outbox": store.outbox,
        "claim_due": lambda: store.claim_due(now=NOW, owner="e"),
        "stale_sending": lambda: store.stale_sending(NOW),
        "conversation": lambda: store.conversation("lead_1"),
        "lead_detail": lambda: store.lead_detail("lead_1"),
        "scheduled_to": lambda: store.scheduled_to("+16505550001"),
    }
    for name, call in calls.items():
        plans = plans_of(store, call)
        assert plans, name
        for p in plans:
            for line in p.split(" | "):
                partial = any(ix in line for ix in PARTIAL_INDEXES)  # scanning those is cheap
                assert partial or not line.startswith(("SCAN messages", "SCAN lead_state")), (name, p)


def _open_and_write(path: str, n: int, start: Any, out: Any) -> None:
    start.wait()
    try:
        with Store.open(path) as s:
            s.upsert_leads([make_lead(n)])
        out.put("ok")
    except BaseException as exc:  # reported to the parent
        out.put(repr(exc))


def test_processes_opening_a_new_cache_at_once_migrate_it_once(db_path: Path) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_open_and_write, args=(str(db_path), n, start, out)) for n in range(3)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == ["ok"] * 3
    with Store.open(db_path) as s:
        assert s.count_leads(now=NOW) == 3
        assert s._conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def test_the_store_and_the_query_language_do_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, sms_tui.store, sms_tui.core.query; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
