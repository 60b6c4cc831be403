"""The outbox: undo, claims (atomic across Store objects and processes), push outcomes, recovery."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sms_tui.store import Store
from tests.store.conftest import NOW, lead_row, make_lead, sms

DUE = NOW + timedelta(seconds=10)


def send(store: Store, lead: int = 1, text: str = "hi", at: timedelta = timedelta(seconds=5)) -> int:
    return store.enqueue_send(
        lead_id=f"lead_{lead}",
        contact_id=f"cont_{lead}",
        text=text,
        remote_phone=f"+1650555{lead:04d}",
        local_phone="+14155550100",
        send_at=NOW + at,
        now=NOW,
    )


def test_only_due_messages_are_claimed_once(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    early, late = send(store, at=timedelta(seconds=5)), send(store, at=timedelta(seconds=60))
    assert store.claim_due(now=NOW, owner="a") == []
    claimed = store.claim_due(now=DUE, owner="a")
    assert [m.local_id for m in claimed] == [early]
    assert claimed[0].local_state == "sending"
    assert store.claim_due(now=DUE, owner="b") == []
    assert [m.local_id for m in store.outbox()] == [early, late]


def test_undo_before_the_claim_returns_the_text_to_the_draft(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    local = send(store, text="See you at 5")
    assert store.undo_send(local) == "See you at 5"
    assert store.get_draft("lead_1") == "See you at 5"
    assert store.get_message(local) is None
    assert store.claim_due(now=DUE, owner="a") == []
    assert store.undo_send(local) is None


def test_two_store_objects_on_one_file_never_claim_the_same_row(db_path: Path) -> None:
    a, b = Store.open(db_path), Store.open(db_path)
    a.upsert_leads([make_lead(1)])
    ids = [send(a, text=f"m{i}") for i in range(30)]
    got: list[int] = []
    for _ in range(20):
        got += [m.local_id for m in a.claim_due(now=DUE, owner="a", limit=2)]
        got += [m.local_id for m in b.claim_due(now=DUE, owner="b", limit=3)]
    assert sorted(got) == ids
    a.close()
    b.close()


def _claim_all(
    path: str, owner: str, start: multiprocessing.synchronize.Event, out: multiprocessing.Queue[list[int]]
) -> None:
    store = Store.open(path)
    start.wait()
    mine: list[int] = []
    while batch := store.claim_due(now=DUE, owner=owner, limit=1):
        mine += [m.local_id for m in batch]
    store.close()
    out.put(mine)


def test_two_processes_never_claim_the_same_row(db_path: Path) -> None:
    store = Store.open(db_path)
    store.upsert_leads([make_lead(1)])
    ids = [send(store, text=f"m{i}") for i in range(200)]
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_claim_all, args=(str(db_path), f"p{i}", start, out)) for i in range(2)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    claimed = Counter(i for r in results for i in r)
    assert sorted(claimed) == ids and set(claimed.values()) == {1}  # each exactly once
    owners = dict(store._conn.execute("SELECT local_id, claimed_by FROM messages").fetchall())
    assert {owners[i] for i in results[0]} <= {"p0", "p1"}
    store.close()


def test_undo_and_claim_race_has_one_winner(db_path: Path) -> None:
    ui, engine = Store.open(db_path), Store.open(db_path)
    ui.upsert_leads([make_lead(1)])
    local = send(ui)
    assert [m.local_id for m in engine.claim_due(now=DUE, owner="e")] == [local]
    assert ui.undo_send(local) is None  # the engine won: nothing to undo
    assert ui.get_draft("lead_1") == ""
    ui.close()
    engine.close()


def test_push_outcomes(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    sent, failed, blocked, retried = (send(store, text=t) for t in ("ok", "bad", "stop", "later"))
    store.claim_due(now=DUE, owner="e")
    store.mark_pushed(sent, "acti_1", "outbox", date_created=NOW, cost="1")
    store.mark_failed(failed, "Error 30003: unreachable")
    store.mark_blocked(blocked, "The contact opted out (STOP)")
    store.release_claim(retried, error="timeout", send_at=DUE + timedelta(seconds=30))

    m = {x.local_id: x for x in store.conversation("lead_1")}
    assert (m[sent].local_state, m[sent].remote_id, m[sent].status, m[sent].cost) == (
        "sent",
        "acti_1",
        "outbox",
        "1",
    )
    assert (m[failed].local_state, m[failed].error_message) == ("error", "Error 30003: unreachable")
    assert (m[blocked].local_state, m[blocked].block_reason) == ("blocked", "The contact opted out (STOP)")
    assert (m[retried].local_state, m[retried].attempts, m[retried].error_message) == ("outbox", 1, "timeout")
    assert store.claim_due(now=DUE, owner="e") == []  # the retry waits for its new send_at
    assert [x.local_id for x in store.claim_due(now=DUE + timedelta(seconds=31), owner="e")] == [retried]
    assert lead_row(store, "lead_1").failed_count == 2


def test_a_released_claim_cannot_resend_a_message_the_provider_has(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    local = send(store)
    store.claim_due(now=DUE, owner="e")
    store.mark_pushed(local, "acti_1", "sent")
    store.release_claim(local, error="late timeout")
    msg = store.get_message(local)
    assert msg is not None and msg.local_state == "sent"


def test_retry_of_a_blocked_message_reuses_it_and_of_an_error_makes_a_new_one(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    blocked, failed = send(store, text="a"), send(store, text="b")
    store.claim_due(now=DUE, owner="e")
    store.mark_blocked(blocked, "quiet hours")
    store.mark_pushed(failed, "acti_9", "error", error_message="Error 30007")
    assert store.retry(blocked, DUE) == blocked
    again = store.retry(failed, DUE)
    assert again is not None and again != failed
    assert {m.local_id: m.local_state for m in store.outbox()} == {blocked: "outbox", again: "outbox"}
    assert store.retry(blocked, DUE) is None  # not failed any more


def test_stale_claims_are_found_and_taken_over_once(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    local = send(store)
    store.claim_due(now=DUE, owner="crashed")
    assert store.stale_sending(DUE) == []
    stale = store.stale_sending(DUE + timedelta(minutes=5))
    assert [m.local_id for m in stale] == [local]
    assert store.reclaim(local, owner="new", now=DUE + timedelta(minutes=5))
    assert not store.reclaim(local, owner="new", now=DUE + timedelta(minutes=5))


def test_a_polled_copy_of_our_message_is_adopted_not_duplicated(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    local = send(store, text="Quote attached")
    store.claim_due(now=DUE, owner="e")
    # the poll sees the provider's copy before the POST's answer arrived
    changed = store.apply_remote_messages([sms("acti_5", 1, status="sent", text="Quote attached", at=DUE)])
    assert changed == {"lead_1"}
    msgs = store.conversation("lead_1")
    assert [(m.local_id, m.remote_id, m.local_state) for m in msgs] == [(local, "acti_5", "sent")]
    store.mark_pushed(local, "acti_5", "sent")  # then the POST answer: nothing changes
    assert len(store.conversation("lead_1")) == 1


def test_mark_pushed_wins_over_a_polled_copy_it_did_not_adopt(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    local = send(store, text="Same")
    store.apply_remote_messages([sms("acti_5", 1, status="sent", text="Same", at=DUE)])  # not claimed yet
    store.claim_due(now=DUE, owner="e")
    store.mark_pushed(local, "acti_5", "sent")
    assert [(m.local_id, m.remote_id) for m in store.conversation("lead_1")] == [(local, "acti_5")]
    assert lead_row(store, "lead_1").latest_status == "sent"


def test_scheduled_messages_are_claimed_for_pushing_and_cancel_back_to_draft(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    local = store.schedule(
        lead_id="lead_1",
        contact_id="cont_1",
        text="Tomorrow 9am?",
        remote_phone="+16505550001",
        local_phone="+14155550100",
        date_scheduled=NOW + timedelta(days=1),
        now=NOW,
    )
    assert lead_row(store, "lead_1").has_scheduled
    claimed = store.claim_due(now=NOW, owner="e")
    assert [(m.local_id, m.local_state) for m in claimed] == [(local, "scheduled")]
    assert store.cancel_scheduled(local) is None  # being created on the provider right now
    store.mark_pushed(local, "acti_7", "scheduled")
    assert store.claim_due(now=NOW, owner="e") == []
    assert store.cancel_scheduled(local) == "Tomorrow 9am?"
    assert store.get_draft("lead_1") == "Tomorrow 9am?"
    assert [m.local_id for m in store.pending_cancels()] == [local]
    store.mark_cancelled(local)
    assert store.pending_cancels() == [] and store.conversation("lead_1") == []
    assert not lead_row(store, "lead_1").has_scheduled


def test_two_engines_racing_for_one_stale_claim_cannot_both_win(db_path: Path) -> None:
    a, b = Store.open(db_path), Store.open(db_path)
    a.upsert_leads([make_lead(1)])
    local = send(a)
    a.claim_due(now=DUE, owner="crashed")
    later, cutoff = DUE + timedelta(minutes=5), DUE + timedelta(minutes=1)
    assert a.reclaim(local, owner="a", now=later, stale_before=cutoff)
    assert not b.reclaim(local, owner="b", now=later, stale_before=cutoff)  # a's claim is fresh
    msg = b.get_message(local)
    assert (
        msg is not None
        and b._conn.execute("SELECT claimed_by FROM messages WHERE local_id = ?", (local,)).fetchone()[0]
        == "a"
    )
    a.close()
    b.close()
