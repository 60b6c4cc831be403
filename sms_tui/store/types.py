"""Small result types the store returns besides the shared `core.models` dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

from sms_tui.core.models import Attachment, Contact, Lead, LeadRow


class StoreError(Exception):
    """A store operation could not be done (bad input or a cache we cannot upgrade)."""


class Outgoing(TypedDict):
    """A message the rep wrote, as `enqueue_send` and `schedule` take it (keyword arguments)."""

    lead_id: str
    contact_id: str | None
    text: str
    remote_phone: str
    local_phone: str
    template_id: NotRequired[str | None]
    user_id: NotRequired[str | None]
    #: files the rep attached (an MMS): each with `local_path`, uploaded by the sync engine
    attachments: NotRequired[tuple[Attachment, ...]]


@dataclass(frozen=True, slots=True)
class LeadCursor:
    """Keyset position in the lead list: the last row of the previous page.

    Opaque to callers: pass `LeadPage.next_cursor` back as `after=` to get the next page.
    """

    last_activity_at: str
    lead_id: str


@dataclass(frozen=True, slots=True)
class LeadPage:
    rows: list[LeadRow]
    next_cursor: LeadCursor | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class LeadDetail:
    """Everything the conversation header needs about one lead."""

    lead: Lead  # with contacts, each with phones and its opted_out / do_not_text flags
    row: LeadRow  # the triage row (unread, done, snoozed, ...)
    texting_contact: Contact | None  # whom the composer texts by default
    texting_phone: str | None  # E.164, that contact's first mobile phone (else its first phone)


@dataclass(frozen=True, slots=True)
class HeaderCounts:
    unread_total: int  # unread inbound messages, all leads
    outbox: int  # waiting out the undo delay
    sending: int  # claimed by a sync engine, outcome not yet known
    failed: int  # error + blocked messages
    scheduled: int
