"""Factories for leads and contacts in the shape Close's published schema gives them (every required
field present, with a realistic value). Used by the demo generator and by the simulation (a text from
an unknown number files a new lead, as Close does).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sms_tui.carrier.records import iso, phone_parts
from sms_tui.carrier.storage import Record

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier


def make_lead(
    carrier: Carrier,
    *,
    display_name: str,
    at: datetime,
    description: str = "",
    user: Record | None = None,
    emit: bool = True,
) -> Record:
    org = carrier.organization()
    user = user or carrier.me()
    user_name = f"{user['first_name']} {user['last_name']}"
    lead_id = carrier.state.new_id("lead")
    lead: Record = {
        "id": lead_id,
        "display_name": display_name,
        "name": display_name,
        "organization_id": org["id"],
        "status_id": org["_x_status_id"],
        "status_label": "Potential",
        "description": description,
        "url": None,
        "html_url": f"https://app.close.com/lead/{lead_id}/",
        "source": None,
        "date_created": iso(at),
        "date_updated": iso(at),
        "created_by": user["id"],
        "created_by_name": user_name,
        "updated_by": user["id"],
        "updated_by_name": user_name,
        "addresses": [],
        "opportunities": [],
        "tasks": [],
        "integration_links": [],
        "custom": {},
    }
    carrier.state.put("lead", lead)
    if emit:
        carrier.emit("created", lead, at=at, object_type="lead")
    return lead


def phone_object(number: str, kind: str) -> dict[str, Any]:
    """A `ContactPhone` as stored (the API adds `outbound_sms_blocked` when it answers)."""
    formatted, country = phone_parts(number)
    return {"phone": number, "phone_formatted": formatted, "type": kind, "country": country}


def make_contact(
    carrier: Carrier,
    lead: Record,
    *,
    name: str,
    phones: list[tuple[str, str]],
    at: datetime,
    title: str = "",
    emit: bool = True,
) -> Record:
    phone_objs = [phone_object(number, kind) for number, kind in phones]
    first, _, last = name.partition(" ")
    email = f"{first.lower()}.{last.lower().replace(' ', '').replace(chr(39), '')}@example.com"
    contact: Record = {
        "id": carrier.state.new_id("cont"),
        "lead_id": lead["id"],
        "organization_id": lead["organization_id"],
        "name": name,
        "display_name": name or (phone_objs[0]["phone_formatted"] if phone_objs else ""),
        "title": title,
        "emails": [{"email": email, "type": "office", "is_unsubscribed": False}] if first else [],
        "phones": phone_objs,
        "urls": [],
        "integration_links": [],
        "timezone": None,
        "date_created": iso(at),
        "date_updated": iso(at),
        "created_by": lead["created_by"],
        "updated_by": lead["created_by"],
        "_x_first_name": first,
        "_x_last_name": last,
    }
    carrier.state.put("contact", contact)
    if emit:
        carrier.emit("created", contact, at=at, object_type="contact")
    return contact
