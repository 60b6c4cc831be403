"""Typed results of the Close API subset we use (provider-api.md §a.3, a.10, a.12-a.14).

Frozen dataclasses built only through their `parse` functions, which validate everything they
read (see `parse.Fields`). Field names follow Close's JSON so a reader can check them against the
spec. These are the wire view; `sms_tui.core.models` is the cache's view, and the sync engine
translates between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sms_tui.provider.parse import Fields

T = TypeVar("T")

#: The values Close documents. Others are kept as they came (Close adds values over time; one
#: unknown status must not reject a page of replies): the cache stores them and shows them as such.
SMS_STATUSES = frozenset({"inbox", "draft", "scheduled", "outbox", "sent", "error"})
DIRECTIONS = frozenset({"inbound", "outbound"})


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Me:
    id: str
    first_name: str
    last_name: str
    email: str
    organizations: tuple[Organization, ...]

    @property
    def organization_id(self) -> str:
        return self.organizations[0].id if self.organizations else ""


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    id: str
    number: str
    type: str
    country: str
    sms_enabled: bool
    label: str
    user_id: str | None
    is_group_number: bool
    #: users who may text from it (the owner of a personal number; the members of a group number)
    participants: tuple[str, ...] = ()
    #: ISO countries this number can text; empty = its own country only
    supports_sms_to_countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContactPhone:
    phone: str
    type: str
    phone_formatted: str
    outbound_sms_blocked: bool


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    lead_id: str
    name: str
    display_name: str
    phones: tuple[ContactPhone, ...]
    date_created: datetime | None
    date_updated: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    display_name: str
    status_label: str
    contacts: tuple[Contact, ...]
    date_created: datetime | None
    date_updated: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class SmsTemplate:
    id: str
    name: str
    text: str
    status: str
    is_shared: bool
    #: Close's `attachments` (asked for with include_attachments=true), as received
    attachments: tuple[dict[str, object], ...] = ()
    #: False when the answer had no `attachments` field at all (not asked, or not given in a list)
    attachments_included: bool = True


@dataclass(frozen=True, slots=True)
class Sms:
    id: str
    organization_id: str
    lead_id: str | None
    contact_id: str | None
    user_id: str | None
    direction: str
    status: str
    text: str
    local_phone: str | None
    remote_phone: str | None
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None
    date_scheduled: datetime | None
    activity_at: datetime | None
    error_message: str | None
    cost: str | None
    template_id: str | None
    source: str
    #: the validated JSON as received, for the cache's copy of every Close field
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    object_type: str
    object_id: str
    action: str
    lead_id: str | None
    date_created: datetime
    date_updated: datetime
    changed_fields: tuple[str, ...]
    data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class EventPage:
    events: tuple[Event, ...]
    cursor_next: str | None


def parse_me(body: object) -> Me:
    f = Fields(body, "user (/me/)")
    orgs = tuple(
        Organization(id=o.text("id"), name=o.text_or("name"))
        for o in (Fields(item, "organization") for item in f.items("organizations"))
    )
    return Me(
        id=f.text("id"),
        first_name=f.text_or("first_name"),
        last_name=f.text_or("last_name"),
        email=f.text_or("email"),
        organizations=orgs,
    )


def parse_phone_number(body: object) -> PhoneNumber:
    f = Fields(body, "phone number")
    return PhoneNumber(
        id=f.text("id"),
        number=f.text("number"),
        type=f.text_or("type", "internal"),
        country=f.text_or("country"),
        sms_enabled=f.flag("sms_enabled", default=True),
        label=f.text_or("label"),
        user_id=f.opt_text("user_id"),
        is_group_number=f.flag("is_group_number", default=False),
        participants=f.text_list("participants"),
        supports_sms_to_countries=f.text_list("supports_sms_to_countries"),
    )


def parse_contact_phone(body: object) -> ContactPhone:
    f = Fields(body, "contact phone")
    return ContactPhone(
        phone=f.text("phone"),
        type=f.text_or("type", "other"),
        phone_formatted=f.text_or("phone_formatted"),
        outbound_sms_blocked=f.flag("outbound_sms_blocked", default=False),
    )


def parse_contact(body: object) -> Contact:
    f = Fields(body, "contact")
    name = f.text_or("name")
    return Contact(
        id=f.text("id"),
        lead_id=f.text("lead_id"),
        name=name,
        display_name=f.text_or("display_name", name),
        phones=tuple(parse_contact_phone(p) for p in f.items("phones")),
        date_created=f.opt_dt("date_created"),
        date_updated=f.opt_dt("date_updated"),
        raw=dict(f.data),
    )


def parse_lead(body: object) -> Lead:
    f = Fields(body, "lead")
    name = f.text_or("name")
    return Lead(
        id=f.text("id"),
        display_name=f.text_or("display_name", name),
        status_label=f.text_or("status_label"),
        contacts=tuple(parse_contact(c) for c in f.items("contacts")),
        date_created=f.opt_dt("date_created"),
        date_updated=f.opt_dt("date_updated"),
        raw=dict(f.data),
    )


def parse_template(body: object) -> SmsTemplate:
    f = Fields(body, "SMS template")
    return SmsTemplate(
        id=f.text("id"),
        name=f.text("name"),
        text=f.text_or("text"),
        status=f.text_or("status", "active"),
        is_shared=f.flag("is_shared", default=False),
        attachments=tuple(a for a in f.items("attachments") if isinstance(a, dict)),
        attachments_included="attachments" in f.data,
    )


_OPT_TEXT_KEYS = (
    "lead_id", "contact_id", "user_id", "local_phone", "remote_phone", "error_message", "template_id",
    "organization_id", "text", "source",
)  # fmt: skip
_DATE_KEYS = ("date_sent", "date_scheduled", "activity_at")


def _fast_dt(value: object) -> datetime | None:
    """An offset-aware UTC ISO datetime (the common case), else raise to take the careful path."""
    if value is None:
        return None
    if type(value) is not str or not value.endswith("+00:00"):
        raise ValueError
    return datetime.fromisoformat(value)


def parse_sms(body: object) -> Sms:
    """Validated SMS. A first sync parses every SMS the organization has, so the common shape is
    checked in one quick pass; anything unusual goes through `Fields`, which names the problem."""
    if type(body) is dict:
        try:
            get = body.get
            if not (
                type(get("id")) is str
                and get("direction") in DIRECTIONS
                and get("status") in SMS_STATUSES
                and all(get(k) is None or type(get(k)) is str for k in _OPT_TEXT_KEYS)
            ):
                raise ValueError
            created, updated = _fast_dt(get("date_created")), _fast_dt(get("date_updated"))
            if created is None or updated is None:
                raise ValueError
            sent, scheduled, activity = (_fast_dt(get(k)) for k in _DATE_KEYS)
            cost = get("cost")
            if cost is not None and type(cost) is not str:
                raise ValueError
            return Sms(
                id=body["id"],
                organization_id=get("organization_id") or "",
                lead_id=get("lead_id"),
                contact_id=get("contact_id"),
                user_id=get("user_id"),
                direction=body["direction"],
                status=body["status"],
                text=get("text") or "",
                local_phone=get("local_phone"),
                remote_phone=get("remote_phone"),
                date_created=created,
                date_updated=updated,
                date_sent=sent,
                date_scheduled=scheduled,
                activity_at=activity,
                error_message=get("error_message"),
                cost=cost,
                template_id=get("template_id"),
                source=get("source") or "Close.io",
                raw=body,
            )
        except ValueError:
            pass
    return _parse_sms_carefully(body)


def _parse_sms_carefully(body: object) -> Sms:
    f = Fields(body, "SMS")
    return Sms(
        id=f.text("id"),
        organization_id=f.text_or("organization_id"),
        lead_id=f.opt_text("lead_id"),
        contact_id=f.opt_text("contact_id"),
        user_id=f.opt_text("user_id"),
        direction=f.text("direction"),
        status=f.text("status"),
        text=f.text_or("text"),
        local_phone=f.opt_text("local_phone"),
        remote_phone=f.opt_text("remote_phone"),
        date_created=f.dt("date_created"),
        date_updated=f.dt("date_updated"),
        date_sent=f.opt_dt("date_sent"),
        date_scheduled=f.opt_dt("date_scheduled"),
        activity_at=f.opt_dt("activity_at"),
        error_message=f.opt_text("error_message"),
        cost=f.opt_money("cost"),
        template_id=f.opt_text("template_id"),
        source=f.text_or("source", "Close.io"),
        raw=dict(f.data),
    )


def parse_event(body: object) -> Event:
    f = Fields(body, "event")
    return Event(
        id=f.text("id"),
        object_type=f.text("object_type"),
        object_id=f.text("object_id"),
        action=f.text("action"),
        lead_id=f.opt_text("lead_id"),
        date_created=f.dt("date_created"),
        date_updated=f.dt("date_updated"),
        changed_fields=f.text_list("changed_fields"),
        data=f.opt_obj("data"),
    )


def parse_event_page(body: object) -> EventPage:
    f = Fields(body, "list of events")
    events = tuple(parse_event(e) for e in f.items("data", required=True))
    return EventPage(events=events, cursor_next=f.opt_text("cursor_next") or None)
