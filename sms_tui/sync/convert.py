"""Provider (wire) objects -> the cache's `core.models` dataclasses.

Kept apart from the engine so the mapping of Close's statuses to local states has one home.
"""

from __future__ import annotations

from typing import Any, cast

from sms_tui.core.models import (
    CloseStatus,
    Contact,
    ContactEmail,
    ContactPhone,
    Direction,
    Lead,
    LeadProfile,
    Message,
)
from sms_tui.core.models import OurNumber as CoreNumber
from sms_tui.core.models import Template as CoreTemplate
from sms_tui.provider import models as wire
from sms_tui.store.convert import attachments_from_close, local_state_for


def message(sms: wire.Sms) -> Message:
    return Message(
        local_id=0,
        lead_id=sms.lead_id or "",
        direction=cast(Direction, sms.direction),
        local_state=local_state_for(sms.status, sms.direction),
        text=sms.text,
        remote_id=sms.id,
        contact_id=sms.contact_id,
        status=cast(CloseStatus, sms.status),
        local_phone=sms.local_phone,
        remote_phone=sms.remote_phone,
        date_created=sms.date_created,
        date_sent=sms.date_sent,
        date_scheduled=sms.date_scheduled,
        error_message=sms.error_message,
        cost=sms.cost,
        is_read=sms.direction != "inbound",
        template_id=sms.template_id,
        attachments=attachments_from_close(sms.raw.get("attachments")),
    )


def _first_last(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def contact(c: wire.Contact) -> Contact:
    first, last = _first_last(c.name or c.display_name)
    return Contact(
        id=c.id,
        lead_id=c.lead_id,
        name=c.name or c.display_name,
        first_name=first,
        last_name=last,
        phones=tuple(ContactPhone(p.phone, p.type, p.phone_formatted) for p in c.phones),
        # Close's per-phone "outbound SMS blocked" (the carrier's STOP list): treat as opted out.
        opted_out=any(p.outbound_sms_blocked for p in c.phones),
        emails=emails(c.raw.get("emails")),
    )


def emails(items: Any) -> tuple[ContactEmail, ...]:
    """Close's `emails` list of a contact (`ContactEmail`: email, type, is_unsubscribed)."""
    return tuple(
        ContactEmail(e["email"], str(e.get("type") or ""), e.get("is_unsubscribed") is True)
        for e in (items if isinstance(items, list) else [])
        if isinstance(e, dict) and isinstance(e.get("email"), str) and e["email"]
    )


#: Custom field names Close orgs use for the lead's owner (a "user" field).
OWNER_FIELDS = ("lead owner", "owner")
MAX_VALUE = 200


def _value_text(value: Any) -> str:
    if isinstance(value, list):
        text = ", ".join(_value_text(v) for v in value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def custom_fields(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The lead's custom fields: Close sends each as a top-level `custom.cf_…` key (by id) and, in
    the older form, a `custom` object by field name. Names win; an id shows only when no named
    form came. Empty values are left out."""
    pairs: list[tuple[str, str]] = []
    named = raw.get("custom")
    if isinstance(named, dict) and named:
        pairs = [(str(k), _value_text(v)) for k, v in named.items()]
    else:
        pairs = [
            (k.removeprefix("custom."), _value_text(v)) for k, v in raw.items() if k.startswith("custom.cf_")
        ]
    return tuple((k, v) for k, v in pairs if v)


def profile(item: wire.Lead) -> LeadProfile:
    raw = item.raw
    custom = custom_fields(raw)
    owner = next((v for k, v in custom if k.lower() in OWNER_FIELDS), "")
    people = {
        raw.get("created_by"): raw.get("created_by_name"),
        raw.get("updated_by"): raw.get("updated_by_name"),
    }
    owner = str(people.get(owner) or owner)  # a user field holds a user id: name it when we can
    html_url = raw.get("html_url")
    created_by = raw.get("created_by_name")
    return LeadProfile(
        status=item.status_label,
        owner=owner,
        created_by=created_by if isinstance(created_by, str) else "",
        html_url=html_url if isinstance(html_url, str) else "",
        custom=tuple((k, v) for k, v in custom if k.lower() not in OWNER_FIELDS),
    )


def lead(item: wire.Lead) -> Lead:
    return Lead(
        id=item.id,
        display_name=item.display_name,
        contacts=tuple(contact(c) for c in item.contacts),
        date_created=item.date_created,
        profile=profile(item),
    )


def number(n: wire.PhoneNumber) -> CoreNumber:
    return CoreNumber(id=n.id, number=n.number, country=n.country, sms_enabled=n.sms_enabled, label=n.label)


def template(t: wire.SmsTemplate) -> CoreTemplate:
    return CoreTemplate(
        id=t.id,
        name=t.name,
        text=t.text,
        is_active=t.status == "active",
        attachments=attachments_from_close(list(t.attachments)),
    )
