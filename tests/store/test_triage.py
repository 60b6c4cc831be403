"""The lead list's triage row stays right through every write (kept incrementally by triggers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sms_tui.store import Store
from sms_tui.store.convert import STATUS_OF_STATE
from tests.store.conftest import NOW, lead_row, make_lead, sms


def recomputed(store: Store, lead_id: str) -> dict[str, Any]:
    """The triage values computed the slow way, from all of the lead's messages."""
    c = store._conn
    q = lambda sql: c.execute(sql, (lead_id,)).fetchone()[0]  # noqa: E731
    latest = c.execute(
        "SELECT local_id, local_state, substr(text, 1, 200), sort_at FROM messages "
        "WHERE lead_id = ? AND local_state <> 'draft' ORDER BY sort_at DESC, local_id DESC LIMIT 1",
        (lead_id,),
    ).fetchone()
    created = q("SELECT created_at FROM lead_state WHERE lead_id = ?")
    return {
        "msg_count": q("SELECT count(*) FROM messages WHERE lead_id = ? AND local_state <> 'draft'"),
        "unread": q(
            "SELECT count(*) FROM messages WHERE lead_id = ? AND direction = 'inbound' AND is_read = 0"
        ),
        "failed_count": q(
            "SELECT count(*) FROM messages WHERE lead_id = ? AND local_state IN ('error', 'blocked')"
        ),
        "scheduled_count": q("SELECT count(*) FROM messages WHERE lead_id = ? AND local_state = 'scheduled'"),
        "pending_count": q(
            "SELECT count(*) FROM messages WHERE lead_id = ? AND local_state IN ('outbox', 'sending')"
        ),
        "has_draft": q("SELECT count(*) FROM drafts WHERE lead_id = ?"),
        "latest_local_id": latest[0] if latest else None,
        "latest_status": STATUS_OF_STATE[latest[1]] if latest else None,
        "preview": latest[2] if latest else "",
        "last_activity_at": latest[3] if latest else (created or ""),
    }


def stored(store: Store, lead_id: str) -> dict[str, Any]:
    keys = list(recomputed(store, lead_id))
    row = store._conn.execute(
        f"SELECT {', '.join(keys)} FROM lead_state WHERE lead_id = ?", (lead_id,)
    ).fetchone()
    return dict(zip(keys, row, strict=True))


def test_counters_follow_a_send_its_undo_a_reply_and_a_failure(store: Store) -> None:
    store.upsert_leads([make_lead(1, "Acme")])
    row = lambda: lead_row(store, "lead_1")  # noqa: E731

    store.save_draft("lead_1", "Hi there")
    assert row().has_draft
    local = store.enqueue_send(
        lead_id="lead_1",
        contact_id="cont_1",
        text="Hi there",
        remote_phone="+16505550001",
        local_phone="+14155550100",
        send_at=NOW + timedelta(seconds=5),
        now=NOW,
    )
    r = row()
    assert (r.has_draft, r.preview, r.latest_status) == (False, "Hi there", "outbox")
    assert store.header_counts().outbox == 1

    assert store.undo_send(local) == "Hi there"
    r = row()
    assert (r.has_draft, r.preview, r.latest_status, r.last_activity_at) == (
        True,
        "",
        None,
        NOW - timedelta(days=30),
    )
    assert store.get_draft("lead_1") == "Hi there"
    assert store.header_counts().outbox == 0

    local = store.enqueue_send(
        lead_id="lead_1",
        contact_id="cont_1",
        text="Hi again",
        remote_phone="+16505550001",
        local_phone="+14155550100",
        send_at=NOW + timedelta(seconds=5),
        now=NOW,
    )
    assert [m.local_id for m in store.claim_due(now=NOW + timedelta(seconds=6), owner="e1")] == [local]
    assert store.undo_send(local) is None  # too late: claimed
    assert store.header_counts().sending == 1
    store.mark_pushed(local, "acti_9", "sent")
    assert row().latest_status == "sent"

    store.apply_remote_messages([sms("acti_10", 1, text="Call me", at=NOW + timedelta(minutes=1))])
    r = row()
    assert (r.unread, r.preview, r.latest_status) == (1, "Call me", "inbox")
    assert store.header_counts().unread_total == 1

    store.mark_read("lead_1")
    assert row().unread == 0
    store.mark_unread("lead_1")
    assert row().unread == 1

    # the provider later reports our sent message as failed: counted, but the reply stays the latest
    store.apply_remote_messages([sms("acti_9", 1, status="error", text="Hi again", at=NOW)])
    r = row()
    assert (r.failed_count, r.latest_status) == (1, "inbox")
    assert store.header_counts().failed == 1
    assert stored(store, "lead_1") == recomputed(store, "lead_1")


def test_a_new_reply_brings_back_a_done_or_snoozed_lead(store: Store) -> None:
    store.upsert_leads([make_lead(1), make_lead(2)])
    store.set_done("lead_1")
    store.snooze("lead_2", NOW + timedelta(days=1))
    assert store.count_leads(now=NOW) == 0
    store.apply_remote_messages([sms("acti_1", 1), sms("acti_2", 2)])
    rows = {r.lead_id: r for r in store.lead_page(now=NOW).rows}
    assert set(rows) == {"lead_1", "lead_2"}
    assert not rows["lead_1"].done and rows["lead_2"].snoozed_until is None


def test_history_from_a_first_sync_is_read_and_does_not_reopen_done_leads(store: Store) -> None:
    store.upsert_leads([make_lead(1)])
    store.set_done("lead_1")
    store.apply_remote_messages([sms("acti_1", 1)], unread_inbound=False)
    assert lead_row(store, "lead_1").done and lead_row(store, "lead_1").unread == 0


class TriageMachine(RuleBasedStateMachine):
    """Random sequences of UI and sync writes; after each, the triage equals a full recount."""

    def __init__(self) -> None:
        super().__init__()
        self.store = Store.open(":memory:")
        self.store.upsert_leads([make_lead(i) for i in range(3)])
        self.t = 0
        self.remote = 0

    def teardown(self) -> None:
        self.store.close()

    def tick(self) -> Any:
        self.t += 1
        return NOW + timedelta(seconds=self.t)

    def ids(self, states: tuple[str, ...]) -> list[int]:
        marks = ",".join("?" * len(states))
        return [
            r[0]
            for r in self.store._conn.execute(
                f"SELECT local_id FROM messages WHERE local_state IN ({marks}) ORDER BY local_id", states
            )
        ]

    @rule(lead=st.integers(0, 2), text=st.sampled_from(["a", "b", "hello"]))
    def send(self, lead: int, text: str) -> None:
        now = self.tick()
        self.store.enqueue_send(
            lead_id=f"lead_{lead}",
            contact_id=None,
            text=text,
            remote_phone="+16505550000",
            local_phone="+14155550100",
            send_at=now,
            now=now,
        )

    @rule(lead=st.integers(0, 2))
    def schedule(self, lead: int) -> None:
        now = self.tick()
        self.store.schedule(
            lead_id=f"lead_{lead}",
            contact_id=None,
            text="later",
            remote_phone="+16505550000",
            local_phone="+14155550100",
            date_scheduled=now + timedelta(days=1),
            now=now,
        )

    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        ids = self.ids(("outbox",))
        if ids:
            self.store.undo_send(data.draw(st.sampled_from(ids)))

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        ids = self.ids(("scheduled",))
        if ids:
            self.store.cancel_scheduled(data.draw(st.sampled_from(ids)))

    @rule()
    def claim(self) -> None:
        self.store.claim_due(now=self.tick(), owner="e", limit=2)

    @rule(data=st.data(), outcome=st.sampled_from(["sent", "error", "failed", "blocked", "release"]))
    def finish(self, data: st.DataObject, outcome: str) -> None:
        ids = self.ids(("sending",))
        if not ids:
            return
        local_id = data.draw(st.sampled_from(ids))
        if outcome in ("sent", "error"):
            self.remote += 1
            self.store.mark_pushed(local_id, f"acti_p{self.remote}", outcome)
        elif outcome == "failed":
            self.store.mark_failed(local_id, "Error 30003")
        elif outcome == "blocked":
            self.store.mark_blocked(local_id, "opted out")
        else:
            self.store.release_claim(local_id, error="timeout")

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        ids = self.ids(("error", "blocked"))
        if ids:
            self.store.retry(data.draw(st.sampled_from(ids)), self.tick())

    @rule(lead=st.integers(0, 2), status=st.sampled_from(["inbox", "sent", "error"]), back=st.integers(0, 50))
    def remote_message(self, lead: int, status: str, back: int) -> None:
        self.remote += 1
        self.store.apply_remote_messages(
            [sms(f"acti_r{self.remote}", lead, status=status, at=NOW + timedelta(seconds=self.t - back))]
        )

    @precondition(lambda self: self.remote > 0)
    @rule(data=st.data(), status=st.sampled_from(["sent", "error"]))
    def remote_update(self, data: st.DataObject, status: str) -> None:
        rows = self.store._conn.execute(
            "SELECT remote_id, lead_id, text, sort_at FROM messages WHERE direction = 'outbound' "
            "AND remote_id IS NOT NULL"
        ).fetchall()
        if rows:
            remote_id, lead_id, text, sort_at = data.draw(st.sampled_from(rows))
            self.store.apply_remote_messages(
                [
                    sms(
                        remote_id,
                        int(lead_id.split("_")[1]),
                        status=status,
                        text=text,
                        date_created=sort_at,
                        date_updated=self.tick().isoformat(),
                    )
                ]
            )

    @rule(lead=st.integers(0, 2), read=st.booleans())
    def read(self, lead: int, read: bool) -> None:
        (self.store.mark_read if read else self.store.mark_unread)(f"lead_{lead}")

    @rule(lead=st.integers(0, 2), text=st.sampled_from(["", "draft text"]))
    def draft(self, lead: int, text: str) -> None:
        self.store.save_draft(f"lead_{lead}", text)

    @invariant()
    def triage_matches_a_recount(self) -> None:
        for i in range(3):
            assert stored(self.store, f"lead_{i}") == recomputed(self.store, f"lead_{i}")
        counts = self.store.header_counts()
        assert counts.unread_total == sum(recomputed(self.store, f"lead_{i}")["unread"] for i in range(3))


TriageMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestTriage = TriageMachine.TestCase


def test_threads_sharing_one_store_keep_the_triage_right(store: Store) -> None:
    """UI workers and the sync engine share one Store: writes from several threads interleave."""
    import threading

    store.upsert_leads([make_lead(i) for i in range(4)])
    errors: list[BaseException] = []

    def ui(lead: int) -> None:
        try:
            for i in range(40):
                local = store.enqueue_send(
                    lead_id=f"lead_{lead}",
                    contact_id=None,
                    text=f"m{i}",
                    remote_phone="+16505550000",
                    local_phone="+14155550100",
                    send_at=NOW,
                    now=NOW + timedelta(seconds=i),
                )
                if i % 3 == 0:
                    store.undo_send(local)
                store.save_draft(f"lead_{lead}", f"draft {i}" if i % 2 else "")
                store.lead_page(now=NOW)
                store.mark_read(f"lead_{lead}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def engine() -> None:
        try:
            for i in range(60):
                for m in store.claim_due(now=NOW, owner="e", limit=3):
                    store.mark_pushed(m.local_id, f"acti_s{m.local_id}", "sent")
                store.apply_remote_messages([sms(f"acti_in{i}", i % 4, at=NOW + timedelta(seconds=i))])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ui, args=(n,)) for n in range(4)] + [threading.Thread(target=engine)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for i in range(4):
        assert stored(store, f"lead_{i}") == recomputed(store, f"lead_{i}")
