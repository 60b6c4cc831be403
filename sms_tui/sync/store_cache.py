"""`StoreCache`: the engine's `SyncCache` over `sms_tui.store.Store`.

Every call maps onto a public Store method; the only logic here is the translation (wire objects
to Close JSON / core models) and which cache rows count as "ours" when reconciling.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sms_tui.core.models import Message, Organization, User
from sms_tui.core.phones import PhoneError, can_text, parse_phone
from sms_tui.provider import models as wire
from sms_tui.store import Store
from sms_tui.store.convert import attachments_from_close
from sms_tui.sync import convert
from sms_tui.sync.cache import Counts, MergeResult, SendContext, SyncCache
from sms_tui.sync.numbers import countries_of, usable_numbers

#: kv: our number -> the countries it may text (Close's supports_sms_to_countries)
COUNTRIES_KEY = "sync.number_countries"

log = logging.getLogger("sms_tui.sync")


def as_cache(store: Store | SyncCache) -> SyncCache:
    """A Store is wrapped; anything else already speaks SyncCache (a test double)."""
    return StoreCache(store) if isinstance(store, Store) else store


class StoreCache:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- first sync ----------------------------------------------------------------------------------

    def save_account(
        self, me: wire.Me, numbers: Sequence[wire.PhoneNumber], templates: Sequence[wire.SmsTemplate]
    ) -> None:
        for org in me.organizations[:1]:
            self.store.upsert_organization(Organization(id=org.id, name=org.name))
        user = User(me.id, me.first_name, me.last_name, me.email, me.organization_id)
        self.store.upsert_users([user], me_id=me.id)
        ours = usable_numbers(numbers, me.id)  # never a colleague's personal number
        self.store.upsert_our_numbers([convert.number(n) for n in ours])
        countries = {n.number: sorted(countries_of(n)) for n in ours}
        self.store.kv_set(COUNTRIES_KEY, json.dumps(countries, sort_keys=True))
        self.store.upsert_templates([convert.template(t) for t in templates])

    def save_leads(self, leads: Sequence[wire.Lead]) -> frozenset[str]:
        return frozenset(self.store.upsert_leads([convert.lead(lead) for lead in leads]))

    def save_sms(self, items: Sequence[wire.Sms], *, history: bool = False) -> MergeResult:
        fresh: list[str] = []
        if not history:  # replies the cache did not have: two batch look-ups, not one per SMS
            inbound = [s.id for s in items if s.direction == "inbound"]
            known = {m.remote_id for m in self.store.messages_by_remote_ids(inbound)}
            fresh = [i for i in inbound if i not in known]
        changed = self.store.apply_remote_messages([s.raw for s in items], unread_inbound=not history)
        order = {remote_id: n for n, remote_id in enumerate(fresh)}
        stored = self.store.messages_by_remote_ids(fresh) if fresh else []
        new_inbound = tuple(sorted(stored, key=lambda m: order.get(m.remote_id or "", 0)))
        return MergeResult(changed_lead_ids=frozenset(changed), new_inbound=new_inbound)

    def stub_lead_ids(self, limit: int) -> list[str]:
        return list(self.store.stub_lead_ids(limit))

    def delete_sms(self, remote_ids: Sequence[str]) -> frozenset[str]:
        return frozenset(self.store.delete_remote_messages(remote_ids))

    def stubs_among(self, lead_ids: Sequence[str]) -> list[str]:
        return self.store.stubs_among(lead_ids)

    def settle_stubs(self, lead_ids: Sequence[str]) -> None:
        self.store.settle_stubs(lead_ids)

    def known_lead_ids(self, lead_ids: Sequence[str]) -> frozenset[str]:
        return frozenset(self.store.known_lead_ids(lead_ids))

    def unsettled_outbound_ids(self, since: datetime, now: datetime, limit: int) -> list[str]:
        return self.store.unsettled_outbound_ids(since=since, now=now, limit=limit)

    def has_due(self, now: datetime) -> bool:
        return self.store.has_due(now)

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
        from_number = message.local_phone or self._from_number(message.lead_id, phone)
        # first_message only adds warnings (for the rep, at compose time); the push acts on blocks.
        return SendContext(
            opted_out=opted_out, do_not_text=do_not_text, first_message=False, from_number=from_number
        )

    def _from_number(self, lead_id: str, phone: str) -> str | None:
        """A reply goes from the number the thread last used; otherwise from one of the rep's
        numbers that can text the recipient's country (None: there is none, the guard says why)."""
        if not phone:
            return None
        last = self.store.last_local_phone(lead_id, phone) if lead_id else None
        ours = [n.number for n in self.store.our_numbers() if n.sms_enabled]
        if last is not None and last in ours:
            return last
        try:
            region = parse_phone(phone).country
        except PhoneError:
            return ours[0] if ours else None
        try:
            countries: dict[str, list[str]] = json.loads(self.store.kv_get(COUNTRIES_KEY) or "{}")
        except ValueError:
            countries = {}
        for number in ours:
            if region in countries.get(number, ()) or can_text(number, phone).ok:
                return number
        return ours[0] if ours else None

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
            attachments=attachments_from_close(sms.raw.get("attachments")) or None,
        )
        return frozenset({sms.lead_id} if sms.lead_id else ())

    def record_upload(self, local_id: int, index: int, url: str, owner: str) -> None:
        self.store.record_upload(local_id, index, url)

    def forget_uploads(self, local_id: int, owner: str) -> None:
        self.store.forget_uploads(local_id)

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
