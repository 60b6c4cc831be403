"""`store.transaction()`: the writes of one user action land together or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sms_tui.store import Outgoing, Store
from tests.store.conftest import NOW, lead_row, make_lead, sms

MESSAGE: Outgoing = {
    "lead_id": "lead_1",
    "contact_id": "cont_1",
    "text": "On my way",
    "remote_phone": "+16505550001",
    "local_phone": "+14155550100",
}


@pytest.fixture
def replied(store: Store) -> Store:
    store.upsert_leads([make_lead(1)])
    store.apply_remote_messages([sms("acti_1", 1, text="Call me")])
    store.save_draft("lead_1", "On my way")
    assert lead_row(store, "lead_1").unread == 1
    return store


def test_send_and_mark_read_land_together(replied: Store) -> None:
    with replied.transaction():
        local_id = replied.enqueue_send(send_at=NOW + timedelta(seconds=5), now=NOW, **MESSAGE)
        replied.mark_read("lead_1")
    row = lead_row(replied, "lead_1")
    assert (row.unread, replied.get_draft("lead_1")) == (0, "")
    message = replied.get_message(local_id)
    assert message is not None and (message.local_state, message.text) == ("outbox", "On my way")


def test_a_failure_inside_leaves_nothing_half_written(replied: Store) -> None:
    with pytest.raises(RuntimeError), replied.transaction():
        replied.enqueue_send(send_at=NOW + timedelta(seconds=5), now=NOW, **MESSAGE)
        replied.mark_read("lead_1")
        raise RuntimeError("the app died between two writes")
    row = lead_row(replied, "lead_1")
    assert (row.unread, replied.get_draft("lead_1")) == (1, "On my way")
    assert replied.outbox() == []


def test_schedule_takes_the_same_message_fields(replied: Store) -> None:
    when = NOW + timedelta(days=1)
    templated: Outgoing = {**MESSAGE, "template_id": "tmpl_1"}
    local_id = replied.schedule(date_scheduled=when, now=NOW, **templated)
    message = replied.get_message(local_id)
    assert message is not None
    assert (message.local_state, message.date_scheduled, message.template_id) == ("scheduled", when, "tmpl_1")
