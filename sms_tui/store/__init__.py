"""The local SQLite cache (sqlite-utils). The UI reads and writes only this; the sync engine fills it.

Open with ``store = Store.open(path)`` (creates or upgrades the file; WAL; foreign keys on).
One Store may be shared by threads (one connection, check_same_thread=False, behind an RLock); a
second process may open the same file. All datetimes in and out are timezone-aware UTC.

Reads (return core.models dataclasses or the small types in store.types)
    lead_page(*, query=None, after=None, limit=50, now, tz=None) -> LeadPage(rows, next_cursor)
        keyset by (last_activity_at desc, lead_id desc); leaves out done leads and leads snoozed past
        `now` unless the query says is:done / is:snoozed (a lead whose snooze time has passed is
        back, even though its row still carries snoozed_until). `tz` = the rep's zone for
        today/yesterday/dates (default UTC). Raises core.query.QuerySyntaxError (position, expected).
        A new unread reply clears done/snoozed. Search language: core/query.py; SQL: search_sql.py.
    count_leads(query=None, *, now, tz=None) -> int
    lead_rows(lead_ids) -> list[LeadRow]            refresh only the rows the sync engine changed
    lead_row(lead_id) -> LeadRow | None
    lead_detail(lead_id) -> LeadDetail(lead, row, texting_contact, texting_phone)
    conversation(lead_id, *, limit=200, before_local_id=None) -> list[Message]   oldest -> newest
    get_message(local_id) / get_message_by_remote_id(remote_id) -> Message | None
    get_draft(lead_id) -> str
    outbox() -> list[Message]                        outbox + sending + unpushed scheduled
    header_counts(now=None) -> HeaderCounts(unread_total, outbox, sending, failed, scheduled)
    templates() / our_numbers() / users() / me() / organization()
    phone_flags(phone) -> (opted_out, do_not_text)   for the send guard right before a push
    stub_lead_ids(limit) -> list[str]                leads named by a message but not fetched yet
    stats() -> {"leads": n, "contacts": n, "messages": n}
    scheduled_to(phone) -> list[Message]            scheduled on the provider to that number
    has_unsettled_outbound(*, since, now) -> bool   may an outbound status still change soon?
    kv_get(key, default=None) / kv_set(key, value|None)   sync cursors
    lead_ids(query=None, *, now, tz=None, limit=None) -> list[str]   every lead of a search (bulk: `*`)
    preview_recipients(lead_ids) -> list[core.campaign.Recipient]    leads as the bulk preview needs them
    optimize()                                       refresh planner statistics (ANALYZE; at a quiet moment)
    close()

UI writes
    transaction()                                    with-block: the writes inside land together or not at all
    save_draft(lead_id, text)                        empty text deletes
    enqueue_send(*, send_at, now=None, **Outgoing) -> local_id          state outbox, draft cleared
        Outgoing (store.types): lead_id, contact_id, text, remote_phone, local_phone[, template_id, user_id]
    undo_send(local_id) -> str | None                back to draft while still outbox and unclaimed
    schedule(*, date_scheduled, now=None, **Outgoing) -> local_id
    cancel_scheduled(local_id) -> str | None         text back to the draft (see pending_cancels)
    retry(local_id, send_at) -> local_id | None      error/blocked -> through the outbox again
    mark_read(lead_id) / mark_unread(lead_id) / set_done(lead_id, done=True) / snooze(lead_id, until)

Sync writes
    upsert_organization(org) / upsert_users(users, me_id=None) / upsert_our_numbers(numbers)
    upsert_templates(templates) / upsert_leads(leads) -> set[lead_id]
    apply_remote_messages(msgs, *, unread_inbound=True, now=None) -> set[changed lead_id]
        msgs are Close SMS JSON objects (provider-api.md §a.3) or Message; upsert by remote id;
        malformed input raises StoreError and writes nothing.
    claim_due(*, now, owner, limit=20, include_scheduled=True) -> list[Message]
        atomic across threads and processes: outbox (send_at <= now) -> sending; unpushed scheduled
        rows are claimed too (local_state stays scheduled).
    mark_pushed(local_id, remote_id, status, *, date_created=None, date_sent=None, cost=None, ...)
    mark_failed(local_id, error_message) / mark_blocked(local_id, reason)
    release_claim(local_id, *, error, send_at=None)  back to outbox, attempts + 1 (only if no remote id)
    stale_sending(older_than) -> list[Message]       claims older than that: reconcile first
    reclaim(local_id, *, owner, now) -> bool         take over one stale claim
    pending_cancels() -> list[Message] / mark_cancelled(local_id)
    set_phone_opt_out(phone, opted_out, *, now=None) -> set[lead_id]
    set_phone_do_not_text(phone, do_not_text)

Bulk campaigns (store/campaigns.py: create_campaign, campaigns, campaign_progress, campaign_recipients,
pause/resume/cancel_campaign, campaign_report, export_campaign_csv; store/campaign_runs.py: the runner's
plan_releases/release/sync_outcomes and replies/opt-outs; rows in store/campaign_rows.py)

`store.db` (the sqlite_utils.Database) is there for tests and tools; it bypasses the lock, so app code
that shares the Store between threads should use the methods above (ask for a new one if missing).

Every write that changes what the lead list shows updates the lead's triage row (lead_state) in the
same transaction — by triggers on messages and drafts (schema.py) or in the same statement batch.
"""

from __future__ import annotations

from pathlib import Path

from sms_tui.store.bulk_reads import BulkReadsMixin
from sms_tui.store.campaign_runs import CampaignRunsMixin
from sms_tui.store.campaigns import CampaignsMixin
from sms_tui.store.outbox import OutboxMixin
from sms_tui.store.reads import ReadsMixin
from sms_tui.store.sync_writes import SyncWritesMixin
from sms_tui.store.types import HeaderCounts, LeadCursor, LeadDetail, LeadPage, Outgoing, StoreError
from sms_tui.store.ui_writes import UiWritesMixin


class Store(
    BulkReadsMixin, ReadsMixin, UiWritesMixin, SyncWritesMixin, OutboxMixin, CampaignsMixin, CampaignRunsMixin
):
    """The cache. See the module docstring for the API."""

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating or upgrading) the cache at `path`; ":memory:" for a throwaway one."""
        return cls(cls._open_conn(path), str(path))

    def __enter__(self) -> Store:
        return self


__all__ = ["HeaderCounts", "LeadCursor", "LeadDetail", "LeadPage", "Outgoing", "Store", "StoreError"]
