"""Bulk campaigns in the cache: the spec and every recipient survive, and their states follow the outbox."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import NoReturn

import pytest

from sms_tui.core.bulk_spec import CampaignSpec, SpecError
from sms_tui.store import Store, StoreError
from sms_tui.store.campaign_rows import NewRecipient
from tests.store.conftest import NOW, make_lead, sms

FROM = "+14155550100"


def _recipients(n: int, **overrides: object) -> list[NewRecipient]:
    out = []
    for i in range(1, n + 1):
        fields: dict[str, object] = {
            "lead_id": f"lead_{i}",
            "contact_id": f"cont_{i}",
            "display_name": f"Company {i}",
            "phone": f"+1650555{i:04d}",
            "from_number": FROM,
            "text": f"Hi {i}, spring offer",
            "segments": 1,
            "est_cost": 1.0,
        }
        fields.update(overrides)
        out.append(NewRecipient(**fields))  # type: ignore[arg-type]
    return out


@pytest.fixture
def seeded(store: Store) -> Store:
    store.upsert_leads([make_lead(i) for i in range(1, 11)])
    return store


def _campaign(store: Store, n: int = 5, spec: CampaignSpec | None = None) -> int:
    return store.create_campaign(spec or CampaignSpec(name="Spring", text="Hi {{ contact.first_name }}"),
                                 _recipients(n), now=NOW)  # fmt: skip


def test_a_campaign_and_its_recipients_are_stored_and_survive_reopening(seeded: Store, db_path: Path) -> None:
    spec = CampaignSpec(name="Spring", text="Hi", mode="drip", drip_count=10, drip_minutes=15, daily_cap=200)
    recipients = _recipients(3)
    recipients[1] = replace(recipients[1], verdict="block", reason="Opted out")
    recipients[2] = replace(recipients[2], skipped=True)
    cid = seeded.create_campaign(spec, recipients, now=NOW)
    seeded.close()
    with Store.open(db_path) as again:
        [campaign] = again.campaigns()
        assert campaign.id == cid and campaign.spec == spec and campaign.state == "running"
        assert campaign.created_at == NOW and campaign.total == 3
        page = again.campaign_recipients(cid)
        assert [(r.lead_id, r.state, r.reason) for r in page] == [
            ("lead_1", "pending", ""),
            ("lead_2", "blocked", "Opted out"),
            ("lead_3", "skipped", ""),
        ]
        assert page[0].text == "Hi 1, spring offer" and page[0].phone == "+16505550001"


def test_a_schedule_at_their_local_time_round_trips(seeded: Store) -> None:
    spec = CampaignSpec(name="Nine thirty", text="Hi", mode="schedule", local_time=time(9, 30))
    cid = seeded.create_campaign(spec, _recipients(1), now=NOW)
    campaign = seeded.campaign(cid)
    assert campaign is not None and campaign.spec.local_time == time(9, 30) and campaign.spec.at is None


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        (CampaignSpec(name=" ", text="Hi"), "needs a name"),
        (CampaignSpec(name="x"), "text or a template"),
        (CampaignSpec(name="x", text="Hi", mode="schedule"), "one moment or one local time"),
        (CampaignSpec(name="x", text="Hi", mode="drip", drip_count=0, drip_minutes=5), "at least 1"),
        (CampaignSpec(name="x", text="Hi", drip_count=3), "Only a drip"),
        (CampaignSpec(name="x", text="Hi", daily_cap=0), "daily cap"),
    ],
)
def test_a_spec_that_cannot_run_is_refused_and_nothing_is_stored(
    seeded: Store, spec: CampaignSpec, says: str
) -> None:
    with pytest.raises(SpecError, match=says):
        seeded.create_campaign(spec, _recipients(2), now=NOW)
    assert seeded.campaigns() == []


def test_a_recipient_without_a_sending_number_rolls_the_whole_campaign_back(seeded: Store) -> None:
    recipients = _recipients(2)
    recipients.append(NewRecipient(lead_id="lead_3", phone="+16505550003", from_number="", text="Hi"))
    with pytest.raises(StoreError, match="lead_3"):
        seeded.create_campaign(CampaignSpec(name="x", text="Hi"), recipients, now=NOW)
    assert seeded.campaigns() == []
    assert seeded.db.execute("SELECT count(*) FROM campaign_recipients").fetchone()[0] == 0


def test_pages_filter_by_state_and_progress_counts_every_state(seeded: Store) -> None:
    cid = _campaign(seeded, 10)
    first = seeded.campaign_recipients(cid, limit=4)
    assert [r.lead_id for r in first] == ["lead_1", "lead_2", "lead_3", "lead_4"]
    assert [r.lead_id for r in seeded.campaign_recipients(cid, offset=8, limit=4)] == ["lead_9", "lead_10"]
    seeded.release(first[0].id, now=NOW)
    seeded.release(first[1].id, now=NOW)
    queued = seeded.campaign_recipients(cid, state="queued")
    assert [r.lead_id for r in queued] == ["lead_1", "lead_2"]
    assert seeded.count_campaign_recipients(cid, ("queued", "pending")) == 10
    progress = seeded.campaign_progress(cid)
    assert progress.counts["queued"] == 2 and progress.counts["pending"] == 8 and progress.counts["sent"] == 0
    assert progress.total == 10 and progress.done == 0 and progress.finish_at is None
    later = NOW + timedelta(hours=3)
    seeded.plan_releases({r.id: NOW + timedelta(minutes=i) for i, r in enumerate(first[2:])} | {
        seeded.campaign_recipients(cid, offset=9, limit=1)[0].id: later})  # fmt: skip
    assert seeded.campaign_progress(cid).finish_at == later


def test_release_puts_the_message_in_the_ordinary_outbox_once(seeded: Store) -> None:
    cid = _campaign(seeded, 1)
    [r] = seeded.campaign_recipients(cid)
    local_id = seeded.release(r.id, now=NOW)
    assert local_id is not None
    assert seeded.release(r.id, now=NOW) is None  # queued already: never twice
    [msg] = seeded.outbox()
    assert (msg.local_id, msg.text, msg.remote_phone, msg.local_phone, msg.local_state) == (
        local_id, "Hi 1, spring offer", "+16505550001", FROM, "outbox")  # fmt: skip
    [claimed] = seeded.claim_due(now=NOW, owner="engine")
    assert claimed.local_id == local_id
    assert seeded.campaign_recipients(cid)[0].state == "queued"


def test_outcomes_flow_back_sent_failed_blocked_and_the_campaign_is_done(seeded: Store) -> None:
    cid = _campaign(seeded, 3)
    ids = [seeded.release(r.id, now=NOW) for r in seeded.campaign_recipients(cid)]
    assert all(ids)
    seeded.claim_due(now=NOW, owner="e")
    seeded.mark_pushed(ids[0] or 0, "acti_1", "sent", cost="2")
    seeded.mark_failed(ids[1] or 0, "Error 30006: landline")
    seeded.mark_blocked(ids[2] or 0, "This contact has opted out")
    changed = seeded.sync_outcomes(now=NOW)
    assert [(o.state, o.error) for o in changed] == [
        ("sent", ""),
        ("failed", "Error 30006: landline"),
        ("blocked", "This contact has opted out"),
    ]
    assert seeded.sync_outcomes(now=NOW) == []
    campaign = seeded.campaign(cid)
    assert campaign is not None and campaign.state == "done"
    report = seeded.campaign_report(cid)
    assert (report.sent, report.failed, report.blocked, report.pending) == (1, 1, 1, 0)
    assert report.failures == (("Error 30006: landline", 1),)
    assert report.blocks == (("This contact has opted out", 1),)
    assert report.cost_cents == 2.0 and report.segments == 1 and report.est_cost_cents == 3.0


def test_pause_takes_unclaimed_messages_back_and_resume_runs_again(seeded: Store) -> None:
    cid = _campaign(seeded, 4)
    rs = seeded.campaign_recipients(cid)
    a = seeded.release(rs[0].id, now=NOW)
    seeded.claim_due(now=NOW, owner="e")  # a has left the outbox: in flight
    seeded.release(rs[1].id, now=NOW)
    assert seeded.pause_campaign(cid, now=NOW) == 1
    assert [m.local_id for m in seeded.outbox()] == [a]  # in flight stays (state sending)
    assert [r.state for r in seeded.campaign_recipients(cid)] == ["queued", "pending", "pending", "pending"]
    assert seeded.release(rs[2].id, now=NOW) is None  # paused: nothing is released
    assert seeded.pause_campaign(cid, now=NOW) == 0
    assert seeded.resume_campaign(cid, now=NOW) is True
    assert seeded.resume_campaign(cid, now=NOW) is False
    assert seeded.release(rs[2].id, now=NOW) is not None


def test_cancel_removes_what_had_not_left_and_says_how_many(seeded: Store) -> None:
    cid = _campaign(seeded, 5)
    rs = seeded.campaign_recipients(cid)
    _leave(seeded, rs[0].id, "acti_a")
    seeded.release(rs[1].id, now=NOW)  # waiting in the outbox: removed
    seeded.sync_outcomes(now=NOW)
    assert seeded.cancel_campaign(cid, now=NOW) == 4
    assert seeded.cancel_campaign(cid, now=NOW) == 0
    assert seeded.outbox() == []
    assert [r.state for r in seeded.campaign_recipients(cid)] == ["sent"] + ["cancelled"] * 4
    campaign = seeded.campaign(cid)
    assert campaign is not None and campaign.state == "cancelled"
    assert seeded.resume_campaign(cid, now=NOW) is False
    assert seeded.campaign_report(cid).cancelled == 4


def test_a_message_the_rep_undid_in_the_conversation_cancels_its_recipient(seeded: Store) -> None:
    cid = _campaign(seeded, 1)
    [r] = seeded.campaign_recipients(cid)
    local_id = seeded.release(r.id, now=NOW, send_at=NOW + timedelta(seconds=5))
    assert seeded.undo_send(local_id or 0) is not None
    [outcome] = seeded.sync_outcomes(now=NOW)
    assert outcome.state == "cancelled"


def test_stop_withdraws_what_has_not_left_and_marks_the_others_opted_out(seeded: Store) -> None:
    spec = CampaignSpec(name="Two", text="Hi")
    same = [NewRecipient(lead_id="lead_1", phone="+16505550001", from_number=FROM, text="one")]
    first = seeded.create_campaign(spec, same, now=NOW)
    second = seeded.create_campaign(spec, same + _recipients(3)[1:], now=NOW)
    [sent] = seeded.campaign_recipients(first)
    _leave(seeded, sent.id, "acti_1")
    queued = seeded.campaign_recipients(second)[0]
    seeded.release(queued.id, now=NOW)
    assert seeded.campaign_phone_opted_out("+16505550001", now=NOW) == 1
    assert seeded.outbox() == []
    assert seeded.campaign_recipients(first)[0].state == "opted_out"
    assert [r.state for r in seeded.campaign_recipients(second)] == ["opted_out", "pending", "pending"]
    report = seeded.campaign_report(first)
    assert (report.sent, report.opted_out) == (1, 1)
    assert seeded.campaign_report(second).sent == 0


def test_a_reply_after_the_message_left_marks_replied(seeded: Store) -> None:
    cid = _campaign(seeded, 2)
    rs = seeded.campaign_recipients(cid)
    _leave(seeded, rs[0].id, "acti_1")
    assert seeded.campaign_phone_replied("+16505550001", at=NOW - timedelta(minutes=1)) == 0  # before it left
    assert seeded.campaign_phone_replied("+16505550001", at=NOW + timedelta(minutes=1)) == 1
    assert seeded.campaign_phone_replied("+16505550002", at=NOW + timedelta(minutes=1)) == 0  # not sent yet
    report = seeded.campaign_report(cid)
    assert (report.sent, report.replied) == (1, 1)


def test_a_throughput_refusal_puts_the_recipient_back_to_pending(seeded: Store) -> None:
    cid = _campaign(seeded, 1)
    [r] = seeded.campaign_recipients(cid)
    lid = seeded.release(r.id, now=NOW)
    seeded.claim_due(now=NOW, owner="e")
    seeded.mark_failed(lid or 0, "Error 30022: rate limits exceeded")
    later = NOW + timedelta(minutes=1)
    assert seeded.retry_recipient(r.id, error="rate limits exceeded", release_at=later, now=NOW)
    [again] = seeded.campaign_recipients(cid)
    assert (again.state, again.attempts, again.release_at, again.local_id) == ("pending", 1, later, None)
    refused = seeded.get_message(lid or 0)  # the carrier's record of the refusal stays
    assert refused is not None and refused.local_state == "error"
    again_id = seeded.release(r.id, now=later)
    assert again_id is not None and again_id != lid


def test_a_late_refusal_after_sent_fails_the_recipient_and_a_retry_reopens_a_done_campaign(
    seeded: Store,
) -> None:
    cid = _campaign(seeded, 1)
    [r] = seeded.campaign_recipients(cid)
    lid = seeded.release(r.id, now=NOW) or 0
    seeded.claim_due(now=NOW, owner="e")
    seeded.mark_pushed(lid, "acti_1", "outbox")  # accepted, on its way: sent for us
    assert [o.state for o in seeded.sync_outcomes(now=NOW)] == ["sent"]
    assert (seeded.campaign(cid) or _no()).state == "done"
    seeded.apply_remote_messages([sms("acti_1", 1, status="error", error_message="Error 30022 x")])
    [outcome] = seeded.sync_outcomes(now=NOW + timedelta(seconds=5))
    assert (outcome.state, outcome.error) == ("failed", "Error 30022 x")
    assert seeded.retry_recipient(r.id, error="Error 30022 x", release_at=NOW, now=NOW)
    assert (seeded.campaign(cid) or _no()).state == "running"


def _leave(store: Store, recipient_id: int, remote_id: str) -> int:
    """Release one recipient, push it (the provider says sent) and carry the outcome back."""
    local_id = store.release(recipient_id, now=NOW) or 0
    store.claim_due(now=NOW, owner="e")
    store.mark_pushed(local_id, remote_id, "sent")
    store.sync_outcomes(now=NOW)
    return local_id


def _no() -> NoReturn:
    raise AssertionError("no such campaign")


def test_daily_usage_of_a_sending_number_counts_releases_in_the_window(seeded: Store) -> None:
    cid = _campaign(seeded, 3)
    for r in seeded.campaign_recipients(cid)[:2]:
        seeded.release(r.id, now=NOW)
    assert seeded.released_on(FROM, start=NOW, end=NOW + timedelta(days=1)) == 2
    assert seeded.released_on(FROM, start=NOW + timedelta(seconds=1), end=NOW + timedelta(days=1)) == 0
    assert seeded.released_on("+14155550199", start=NOW, end=NOW + timedelta(days=1)) == 0


def test_csv_export_has_every_recipient_and_defuses_formulas(seeded: Store) -> None:
    recipients = _recipients(2)
    recipients[0] = replace(recipients[0], display_name='=HYPERLINK("x")', text="-1 off, reply STOP to end")
    cid = seeded.create_campaign(CampaignSpec(name="x", text="Hi"), recipients, now=NOW)
    out = io.StringIO()
    assert seeded.export_campaign_csv(cid, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["name"] == '\'=HYPERLINK("x")' and rows[0]["text"] == "'-1 off, reply STOP to end"
    assert rows[0]["phone"] == "+16505550001" and rows[1]["state"] == "pending"


def test_everyone_blocked_or_skipped_is_done_at_once(seeded: Store) -> None:
    cid = seeded.create_campaign(
        CampaignSpec(name="x", text="Hi"), _recipients(2, verdict="block", reason="Landline"), now=NOW
    )
    campaign = seeded.campaign(cid)
    assert campaign is not None and campaign.state == "done"
    assert seeded.campaign_report(cid).blocks == (("Landline", 2),)
