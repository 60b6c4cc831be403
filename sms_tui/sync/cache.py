"""What the sync engine needs from the cache, in its own words.

The engine talks to the store only through this Protocol, implemented over `sms_tui.store.Store`
by `store_cache.StoreCache`. One seam keeps the engine readable and lets the store evolve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sms_tui.core.models import Message
from sms_tui.provider import models as wire


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What applying provider SMS to the cache changed."""

    changed_lead_ids: frozenset[str]
    #: inbound messages whose remote id the cache did not know before
    new_inbound: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class SendContext:
    """What the send guard needs to know about the recipient, from the cache."""

    opted_out: bool
    do_not_text: bool
    first_message: bool
    from_number: str | None  # the message's local_phone, else our default sending number


@dataclass(frozen=True, slots=True)
class Counts:
    leads: int
    contacts: int
    messages: int


class SyncCache(Protocol):
    # -- first sync ----------------------------------------------------------------------------------
    def save_account(
        self, me: wire.Me, numbers: Sequence[wire.PhoneNumber], templates: Sequence[wire.SmsTemplate]
    ) -> None: ...

    def save_leads(self, leads: Sequence[wire.Lead]) -> frozenset[str]: ...

    def save_sms(self, items: Sequence[wire.Sms], *, history: bool = False) -> MergeResult:
        """Insert or update by remote id, all in one transaction; local-only fields are kept.
        `history` (first sync): inbound messages are stored read and not reported as new."""
        ...

    def stub_lead_ids(self, limit: int) -> list[str]:
        """Leads a message named before their lead was fetched."""
        ...

    def delete_sms(self, remote_ids: Sequence[str]) -> frozenset[str]:
        """The provider deleted these SMS: remove them (a message blocked here keeps its row)."""
        ...

    def known_lead_ids(self, lead_ids: Sequence[str]) -> frozenset[str]: ...

    def stubs_among(self, lead_ids: Sequence[str]) -> list[str]: ...

    def settle_stubs(self, lead_ids: Sequence[str]) -> None:
        """These stub leads do not exist on the provider: stop fetching them."""
        ...

    def unsettled_outbound_ids(self, since: datetime, now: datetime, limit: int) -> list[str]:
        """Provider ids of outbound SMS whose status may still change (re-read every poll)."""
        ...

    def has_due(self, now: datetime) -> bool:
        """Is anything due to be pushed now?"""
        ...

    def counts(self) -> Counts: ...

    # -- cursors -------------------------------------------------------------------------------------
    def get_value(self, key: str) -> str | None: ...

    def set_value(self, key: str, value: str) -> None: ...

    # -- outbox --------------------------------------------------------------------------------------
    def claim_due(self, now: datetime, owner: str, limit: int) -> list[Message]:
        """Atomically move due outbox rows to `sending` (claimed_by=owner, claimed_at=now)."""
        ...

    def claim_stale(self, now: datetime, owner: str, lease: timedelta, limit: int) -> list[Message]:
        """Atomically take over `sending` rows whose claim is older than `lease` (their engine died
        or gave up without an answer): they need reconciling before any new attempt."""
        ...

    def send_context(self, message: Message) -> SendContext: ...

    def mark_pushed(self, local_id: int, sms: wire.Sms, owner: str) -> frozenset[str]:
        """Store the provider's id and status for a message we sent (only if still claimed by owner)."""
        ...

    def mark_blocked(self, local_id: int, reason: str, owner: str) -> None: ...

    def record_upload(self, local_id: int, index: int, url: str, owner: str) -> None:
        """Attachment `index` is uploaded (Files API `download.url`): never upload it again."""
        ...

    def forget_uploads(self, local_id: int, owner: str) -> None:
        """The recorded uploads expired (the provider refused their urls): the rep's files (those
        with a local path) are uploaded again on the next attempt."""
        ...

    def mark_failed(self, local_id: int, error: str, owner: str) -> None: ...

    def release(self, local_id: int, error: str, owner: str) -> None:
        """Nothing left this machine: back to the outbox (due now), keeping `error` as last error."""
        ...

    def note_ambiguous(self, local_id: int, error: str, owner: str) -> None:
        """Stays `sending` with `error`; reconciled once its claim is stale."""
        ...

    def is_taken(self, remote_id: str, local_id: int) -> bool:
        """Is this provider SMS already the copy of another message sent from this cache?"""
        ...

    # -- compliance state ----------------------------------------------------------------------------
    def set_opted_out(self, phone: str, opted_out: bool, when: datetime) -> frozenset[str]:
        """Record a STOP/START for a phone; returns the leads whose contacts have that phone."""
        ...

    def mark_awaiting_reply(self, since: datetime) -> frozenset[str]:
        """First sync: conversations whose latest message is a reply newer than `since` are
        waiting for the rep, so that reply is unread. Returns the leads that changed."""
        ...

    def scheduled_to(self, phone: str) -> list[Message]:
        """Messages scheduled on the provider (remote id known) for this recipient."""
        ...

    def mark_cancelled(self, local_id: int) -> frozenset[str]:
        """The rep's cancel reached the provider: the scheduled message is a draft again."""
        ...

    def pending_cancels(self) -> list[Message]:
        """Scheduled messages the rep cancelled that are still scheduled on the provider."""
        ...

    def has_unsettled_outbound(self, since: datetime, now: datetime) -> bool:
        """Any outbound message whose status may still change soon (sending, outbox on the
        provider, scheduled to go out by about now, or sent since `since`)?"""
        ...

    def get_message(self, local_id: int) -> Message | None: ...
