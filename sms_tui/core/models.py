"""Plain dataclasses shared by every layer (core, store, sync, carrier, ui).

They carry data only; rules live in the sibling modules. Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Direction = Literal["inbound", "outbound"]
#: Close's six SMS statuses (Close has no "delivered").
CloseStatus = Literal["inbox", "draft", "scheduled", "outbox", "sent", "error"]
#: The local life of a message in the cache.
#: draft      -- being written, never left this machine
#: outbox     -- waiting out the undo delay (send_at in the future)
#: sending    -- claimed by a sync engine, POST in flight or outcome unknown
#: scheduled  -- on the provider with status scheduled
#: sent       -- provider says sent (or outbox: accepted, on its way)
#: error      -- provider says error (error_message says why)
#: blocked    -- the send guard refused it locally (block_reason says why); kept, never dropped
#: inbox      -- an inbound message
LocalState = Literal["draft", "outbox", "sending", "scheduled", "sent", "error", "blocked", "inbox"]


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class User:
    id: str
    first_name: str
    last_name: str
    email: str = ""
    organization_id: str = ""


@dataclass(frozen=True, slots=True)
class OurNumber:
    """One of our sending numbers (Close `phone_number` of type internal)."""

    id: str
    number: str  # E.164
    country: str  # ISO 3166-1 alpha-2
    sms_enabled: bool = True
    label: str = ""


@dataclass(frozen=True, slots=True)
class ContactPhone:
    phone: str  # E.164
    type: str = "mobile"  # Close phone type: office, mobile, home, direct, fax, other
    phone_formatted: str = ""


@dataclass(frozen=True, slots=True)
class ContactEmail:
    """One of a contact's emails as Close gives it (`is_unsubscribed`: opted out of email)."""

    email: str
    type: str = ""
    unsubscribed: bool = False


@dataclass(frozen=True, slots=True)
class LeadProfile:
    """What Close says about the lead beyond its contacts (shown in the details panel)."""

    status: str = ""
    owner: str = ""  # the "Lead Owner" custom field when the org has one
    created_by: str = ""
    html_url: str = ""  # the lead in Close's web app
    custom: tuple[tuple[str, str], ...] = ()  # (field name or id, value as text), in Close's order


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    lead_id: str
    name: str
    first_name: str = ""
    last_name: str = ""
    phones: tuple[ContactPhone, ...] = ()
    opted_out: bool = False
    do_not_text: bool = False
    emails: tuple[ContactEmail, ...] = ()


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    display_name: str
    contacts: tuple[Contact, ...] = ()
    date_created: datetime | None = None
    profile: LeadProfile = LeadProfile()
    #: named by a message before the sync fetched the lead itself (no contacts known yet)
    is_stub: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    text: str
    is_active: bool = True
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with an SMS (which makes it an MMS), in Close's shape.

    Inbound and pushed ones carry Close's `url` (fetching it needs the API key), `media_id` and,
    for images Close could shrink, `thumbnail_url`. An outbound one the rep attached carries
    `local_path` until the sync engine has uploaded it (then `url` too).
    """

    filename: str
    content_type: str
    size: int  # bytes
    url: str = ""  # Close download url (fetching needs the API key)
    media_id: str = ""
    thumbnail_url: str = ""
    local_path: str = ""  # outbound, before upload: the file the rep attached


@dataclass(frozen=True, slots=True)
class Message:
    """An SMS as the cache holds it: Close's fields plus local ones."""

    local_id: int
    lead_id: str
    direction: Direction
    local_state: LocalState
    text: str
    remote_id: str | None = None  # Close `acti_…` id, once known
    contact_id: str | None = None
    status: CloseStatus | None = None  # last status the provider reported
    local_phone: str | None = None
    remote_phone: str | None = None
    date_created: datetime | None = None
    date_sent: datetime | None = None
    date_scheduled: datetime | None = None
    send_at: datetime | None = None  # end of the undo window
    error_message: str | None = None
    block_reason: str | None = None
    attempts: int = 0
    cost: str | None = None
    is_read: bool = True
    template_id: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class LeadRow:
    """One row of the lead list: everything the list shows, nothing more."""

    lead_id: str
    display_name: str
    preview: str = ""
    last_activity_at: datetime | None = None
    unread: int = 0
    latest_status: CloseStatus | None = None
    failed_count: int = 0
    opted_out: bool = False
    has_draft: bool = False
    has_scheduled: bool = False
    done: bool = False
    snoozed_until: datetime | None = None
    phone: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
