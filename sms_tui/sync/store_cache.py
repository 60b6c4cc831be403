"""`StoreCache`: the engine's `SyncCache` over `sms_tui.store.Store`.

Every call maps onto a public Store method; the only logic here is the translation (wire objects
to Close JSON / core models) and which cache rows count as "ours" when reconciling.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sms_tui.core.models import Message, Organization, User
from sms_tui.provider import models as wire
from sms_tui.sync import convert
from sms_tui.sync.cache import Counts, MergeResult, SendContext, SyncCache

log = logging.getLogger("sms_tui.sync")


def as_cache(store: object) -> SyncCache:
    """Wrap a Store; anything already speaking SyncCache (a test double) is used as it is."""
    if hasattr(store, "claim_stale") and hasattr(store, "save_sms"):
        return store  # type: ignore[return-value]
    return StoreCache(store)


class StoreCache:
    def __init__(self, store: Any) -> None:
        self.store = store

    # -- first sync ----------------------------------------------------------------------------------

    def save_account(
        self, me: wire.Me, numbers: Sequence[wire.PhoneNumber], templates: Sequence[wire.SmsTemplate]
    ) -> None:
        for org in me.organizations[:1]:
            self.store.upsert_organization(Organization(id=org.id, name=org.name))
        user = User(me.id, me.first_name, me.last_name, me.email, me.organization_id)
        self.store.upsert_users([user], me_id=me.id)
        # only numbers this user may text from: theirs, a group number they are in, or one whose owner
        # the provider does not say (issue 8: a colleague's number fails at send time)
        ours = [
            convert.number(n)
            for n in numbers
            if n.type != "external"
            and (n.user_id == me.id or me.id in n.participants or (n.user_id is None and not n.participants))
        ]
        self.store.upsert_our_numbers(ours)
        self.store.upsert_templates([convert.template(t) for t in templates])

    def save_leads(self, leads: Sequence[wire.Lead]) -> frozenset[str]:
        return frozenset(self.store.upsert_leads([convert.lead(lead) for lead in leads]))

    def save_sms(self, items: Sequence[wire.Sms], *, history: bool = False) -> MergeResult:
        fresh: list[str] = []
        if not history:
            fresh = [
                s.id
                for s in items
                if s.direction == "inbound" and self.store.get_message_by_remote_id(s.id) is None
            ]
        changed = self.store.apply_remote_messages([s.raw for s in items], unread_inbound=not history)
        new_inbound = tuple(
            m for m in (self.store.get_message_by_remote_id(i) for i in fresh) if m is not None
        )
        return MergeResult(changed_lead_ids=frozenset(changed), new_inbound=new_inbound)

    def stub_lead_ids(self, limit: int) -> list[str]:
        return list(self.store.stub_lead_ids(limit))

    def counts(self) -> Counts:
        stats = self.store.stats()
        return Counts(leads=stats["leads"], contacts=stats["contacts"], messages=stats["messages"])

    # -- cursors -------------------------------------------------------------------------------------

    def get_value(self, key: str) -> str | None:
        value = self.store.kv_get(key)
        return None if value is None else str(value)

    def set_value(self, key: str, value: str) -> None:
        self.store.kv_set(key, value)

    # -- outbox --------------------------------------------------------------------------------------

    def claim_due(self, now: datetime, owner: str, limit: int) -> list[Message]:
        return list(self.store.claim_due(now=now, owner=owner, limit=limit))

    def claim_stale(self, now: datetime, owner: str, lease: timedelta, limit: int) -> list[Message]:
        taken: list[Message] = []
        for message in self.store.stale_sending(now - lease):
            if len(taken) >= limit:
                break
            if self.store.reclaim(message.local_id, owner=owner, now=now, stale_before=now - lease):
                taken.append(message)
        return taken

    def send_context(self, message: Message) -> SendContext:
        phone = message.remote_phone or ""
        opted_out, do_not_text = self.store.phone_flags(phone) if phone else (False, False)
        if phone and message.lead_id:
            try:
                detail = self.store.lead_detail(message.lead_id)
            except Exception:
                detail = None
            if detail is not None:
                for contact in detail.lead.contacts:
                    if any(p.phone == phone for p in contact.phones):
                        opted_out = opted_out or contact.opted_out
                        do_not_text = do_not_text or contact.do_not_text
        from_number = message.local_phone
        if not from_number:
            numbers = [n for n in self.store.our_numbers() if n.sms_enabled]
            from_number = numbers[0].number if numbers else None
        # first_message only adds warnings (for the rep, at compose time); the push acts on blocks.
        return SendContext(
            opted_out=opted_out, do_not_text=do_not_text, first_message=False, from_number=from_number
        )

    def mark_pushed(self, local_id: int, sms: wire.Sms, owner: str) -> frozenset[str]:
        self.store.mark_pushed(
            local_id,
            sms.id,
            sms.status,
            date_created=sms.date_created,
            date_sent=sms.date_sent,
            date_updated=sms.date_updated,
            cost=sms.cost,
            error_message=sms.error_message,
        )
        return frozenset({sms.lead_id} if sms.lead_id else ())

    def mark_blocked(self, local_id: int, reason: str, owner: str) -> None:
        self.store.mark_blocked(local_id, reason)

    def mark_failed(self, local_id: int, error: str, owner: str) -> None:
        self.store.mark_failed(local_id, error)

    def release(self, local_id: int, error: str, owner: str) -> None:
        self.store.release_claim(local_id, error=error)

    def note_ambiguous(self, local_id: int, error: str, owner: str) -> None:
        log.info("message %s: outcome unknown (%s); it will be reconciled", local_id, error)

    def is_taken(self, remote_id: str, local_id: int) -> bool:
        other = self.store.get_message_by_remote_id(remote_id)
        if other is None or other.local_id == local_id:
            return False
        # Only copies of messages written here count; a copy a poll stored before we learnt the id
        # is ours to adopt (mark_pushed replaces it).
        return other.send_at is not None or other.date_scheduled is not None

    # -- compliance ----------------------------------------------------------------------------------

    def set_opted_out(self, phone: str, opted_out: bool, when: datetime) -> frozenset[str]:
        return frozenset(self.store.set_phone_opt_out(phone, opted_out, now=when))

    def mark_awaiting_reply(self, since: datetime) -> frozenset[str]:
        return frozenset(self.store.mark_awaiting_reply_unread(since))

    def scheduled_to(self, phone: str) -> list[Message]:
        return list(self.store.scheduled_to(phone))

    def mark_cancelled(self, local_id: int) -> frozenset[str]:
        message = self.store.get_message(local_id)
        self.store.mark_cancelled(local_id)
        return frozenset({message.lead_id} if message is not None else ())

    def pending_cancels(self) -> list[Message]:
        return list(self.store.pending_cancels())

    def has_unsettled_outbound(self, since: datetime, now: datetime) -> bool:
        return bool(self.store.has_unsettled_outbound(since=since, now=now))

    def get_message(self, local_id: int) -> Message | None:
        message: Message | None = self.store.get_message(local_id)
        return message
