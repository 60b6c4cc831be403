"""Provider (wire) objects -> the cache's `core.models` dataclasses.

Kept apart from the engine so the mapping of Close's statuses to local states has one home.
"""

from __future__ import annotations

from typing import cast

from sms_tui.core.models import CloseStatus, Contact, ContactPhone, Direction, Lead, Message
from sms_tui.core.models import OurNumber as CoreNumber
from sms_tui.core.models import Template as CoreTemplate
from sms_tui.provider import models as wire
from sms_tui.store.convert import local_state_for


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
    )


def lead(item: wire.Lead) -> Lead:
    return Lead(
        id=item.id,
        display_name=item.display_name,
        contacts=tuple(contact(c) for c in item.contacts),
        date_created=item.date_created,
    )


def number(n: wire.PhoneNumber) -> CoreNumber:
    return CoreNumber(id=n.id, number=n.number, country=n.country, sms_enabled=n.sms_enabled, label=n.label)


def template(t: wire.SmsTemplate) -> CoreTemplate:
    return CoreTemplate(id=t.id, name=t.name, text=t.text, is_active=t.status == "active")
