"""The inbox's sending logic without a screen: `Sending` and `Drafts` (ui/sending.py) on a real store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sms_tui.store import Store
from sms_tui.ui.sending import (
    RETRY_CONFIRM_SECONDS,
    Drafts,
    Queued,
    Sending,
    newest_pending,
    still_pending,
)
from sms_tui.ui.widgets.composer_context import ComposerContext
from tests.store.conftest import NOW, lead_row, make_lead, sms

NOON = NOW.replace(hour=18)  # 10:00 in California: no quiet hours


@dataclass
class Host:
    store: Store
    clock: list[datetime] = field(default_factory=lambda: [NOON])
    undo_seconds: float = 5.0

    def now(self) -> datetime:
        return self.clock[0]


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    store = Store.open(tmp_path / "cache.db")
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_in", 1, text="Call me", at=NOON - timedelta(hours=1))])
    yield Host(store)
    store.close()


@pytest.fixture
def sending(host: Host) -> Sending:
    return Sending(lambda: host)


CONTEXT = ComposerContext(
    lead_id="lead_1",
    contact_id="cont_1",
    to_number="+16505550001",
    from_number="+14155550100",
    now=lambda: NOON,
)


def test_send_queues_clears_the_draft_and_marks_read_in_one_write(host: Host, sending: Sending) -> None:
    host.store.save_draft("lead_1", "On my way")
    queued = sending.enqueue(CONTEXT, "On my way")
    assert queued == Queued("lead_1", queued.local_id, NOON + timedelta(seconds=5))
    message = host.store.get_message(queued.local_id)
    assert message is not None and (message.local_state, message.text) == ("outbox", "On my way")
    assert (host.store.get_draft("lead_1"), lead_row(host.store, "lead_1").unread) == ("", 0)


def test_a_send_that_fails_half_way_writes_nothing(
    host: Host, sending: Sending, monkeypatch: pytest.MonkeyPatch
) -> None:
    host.store.save_draft("lead_1", "On my way")

    def broken(lead_id: str) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(host.store, "mark_read", broken)
    with pytest.raises(RuntimeError):
        sending.enqueue(CONTEXT, "On my way")
    assert host.store.outbox() == []
    assert (host.store.get_draft("lead_1"), lead_row(host.store, "lead_1").unread) == ("On my way", 1)


def test_undo_gives_the_text_back_as_the_draft(host: Host, sending: Sending) -> None:
    queued = sending.enqueue(CONTEXT, "Wrong lead, sorry")
    assert sending.undo(queued.local_id) == "Wrong lead, sorry"
    assert host.store.get_draft("lead_1") == "Wrong lead, sorry"
    assert sending.undo(queued.local_id) is None  # nothing left to undo


def test_schedule_then_cancel_makes_it_a_draft_again(host: Host, sending: Sending) -> None:
    local_id = sending.schedule(CONTEXT, "Tomorrow at 9?", NOON + timedelta(days=1))
    message = host.store.get_message(local_id)
    assert message is not None and message.local_state == "scheduled"
    assert sending.cancel(message) == "Tomorrow at 9?"
    assert host.store.get_draft("lead_1") == "Tomorrow at 9?"


def _failed(host: Host) -> int:
    host.store.apply_remote_messages([sms("acti_err", 1, status="error", text="Hello again", at=NOON)])
    message = host.store.get_message_by_remote_id("acti_err")
    assert message is not None
    return message.local_id


def test_a_blocked_retry_says_why_and_forgets_any_confirmation(host: Host, sending: Sending) -> None:
    failed = host.store.get_message(_failed(host))
    assert failed is not None
    sending.retry_confirm = (failed.local_id, NOON + timedelta(seconds=3))
    verdict = sending.judge_retry(failed, replace(CONTEXT, opted_out=True))
    assert (verdict.go, verdict.confirm) == (False, False)
    assert verdict.why.startswith("Cannot retry: This contact has opted out")
    assert sending.retry_confirm is None


def test_a_retry_with_warnings_needs_the_override_key_in_time(host: Host, sending: Sending) -> None:
    failed = host.store.get_message(_failed(host))
    assert failed is not None
    first = replace(CONTEXT, first_message=True)  # no opt-out line: a warning, not a block
    verdict = sending.judge_retry(failed, first)
    assert (verdict.go, verdict.confirm) == (False, True)
    assert verdict.why.endswith("Press ctrl+o to retry anyway.")
    assert sending.judge_retry(failed, first).confirm  # R again only warns again: one override key
    host.clock[0] = NOON + timedelta(seconds=RETRY_CONFIRM_SECONDS + 1)  # too late: warned again
    assert sending.judge_retry(failed, first).confirm
    assert sending.confirm_retry()
    assert sending.judge_retry(failed, first).go
    assert sending.retry_confirm is None


def test_confirm_retry_needs_a_retry_waiting(sending: Sending) -> None:
    assert sending.confirm_retry() is False
    sending.retry_confirm = (7, NOON - timedelta(seconds=30))  # expired
    assert sending.confirm_retry() is True
    assert sending.retry_confirm == (7, NOON + timedelta(seconds=1))


def test_retry_of_a_failed_message_goes_through_the_outbox(host: Host, sending: Sending) -> None:
    queued = sending.retry(_failed(host), "lead_1")
    assert queued is not None and queued.send_at == NOON + timedelta(seconds=5)
    message = host.store.get_message(queued.local_id)
    assert message is not None and (message.local_state, message.text) == ("outbox", "Hello again")
    assert sending.retry(queued.local_id, "lead_1") is None  # not failed (any more)


def test_pending_helpers() -> None:
    pending = {1: ("lead_1", NOON + timedelta(seconds=2)), 2: ("lead_2", NOON + timedelta(seconds=4))}
    assert newest_pending(pending) == 2
    assert newest_pending({}) is None
    assert still_pending(pending, NOON + timedelta(seconds=2)) == {2: pending[2]}


def test_drafts_keep_what_was_typed_after_a_save(host: Host) -> None:
    drafts = Drafts()
    drafts.changed("lead_1", "Hel")
    drafts.changed("lead_1", "Hello")
    drafts.saved("lead_1", "Hel")  # an older save came back: "Hello" is still unsaved
    assert drafts.get("lead_1", None) == "Hello"
    drafts.saved("lead_1", "Hello")
    assert drafts.get("lead_1", "from the store") == "from the store"
    drafts.changed("lead_1", "Bye")
    drafts.forget("lead_1")
    assert drafts.unsaved() == []
    drafts.changed("lead_1", "Typed before quitting")
    drafts.flush(host.store)
    assert (host.store.get_draft("lead_1"), drafts.unsaved()) == ("Typed before quitting", [])
