"""Store reads the inbox screen needs, shaped for the widgets. Called from thread workers.

Each function takes the store and plain values and returns plain data (the widgets' own frozen
view types, `ConversationView` in `widgets/conversation_view.py` and `ComposerContext` in
`widgets/composer_context.py`, both without Textual), so it can run in any thread and be tested
without a screen or an app. It touches no widget; the one Textual import it pulls in is
`ui.text`'s (the safe path builds Textual `Content`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sms_tui.core import phones
from sms_tui.core.mms import DEFAULT_MMS_RULES, MmsRules
from sms_tui.core.models import Contact, Message, OurNumber
from sms_tui.rules import rep_zone as _settings_rep_zone
from sms_tui.store import Store
from sms_tui.ui import route
from sms_tui.ui.route import Route
from sms_tui.ui.text import safe
from sms_tui.ui.widgets.composer_context import ComposerContext
from sms_tui.ui.widgets.conversation_view import ConversationView, LeadHeader

CONVERSATION_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Loaded:
    """One lead's conversation, its composer context and its saved draft."""

    view: ConversationView
    context: ComposerContext
    draft: str | None


def pick_from_number(numbers: Iterable[OurNumber], to_number: str | None) -> str | None:
    """Our SMS number for the recipient's country (NANP counts as one), else None."""
    usable = [n for n in numbers if n.sms_enabled]
    if not to_number:
        return usable[0].number if usable else None
    try:
        country = phones.parse_phone(to_number).country
    except phones.PhoneError:
        return None
    nanp = phones.NANP_GROUP
    for number in usable:
        if number.country == country or (number.country in nanp and country in nanp):
            return number.number
    return None


def header_for(detail: Any, now: datetime, route: Route | None = None) -> LeadHeader:
    """The conversation header from a `store.LeadDetail` (number formatted, their clock).

    `route` names the contact and phone the rep texts (the store's default without it)."""
    lead = detail.lead
    contact: Contact | None = detail.texting_contact
    number = detail.texting_phone
    if route is not None:
        contact = next((c for c in lead.contacts if c.id == route.contact_id), contact)
        number = route.to_number
    shown, country, line_type, local_time, note = number or "", "", "", "", ""
    if number:
        try:
            info = phones.parse_phone(number)
        except phones.PhoneError as error:
            note = str(error)
        else:
            shown = info.international
            country = info.country_name or (info.country or "")
            if info.location and info.location != country:
                country = f"{info.location}, {country}" if country else info.location
            line_type = info.line_type.replace("_", " ")
            if info.time_zones:
                try:
                    zone = ZoneInfo(info.time_zones[0])
                except (KeyError, ValueError):
                    zone = None
                if zone is not None:
                    local = now.astimezone(zone)
                    local_time = f"{local:%H:%M} {local.tzname() or ''}".strip()
    elif lead.is_stub:
        # a message named it before the sync fetched it: its contacts and numbers are on their way
        note = "this lead's contacts are still coming from Close"
    else:
        note = "no phone number on this lead"
    return LeadHeader(
        lead_id=lead.id,
        name=lead.display_name,
        contact_name=contact.name if contact else "",
        number=shown,
        country=country,
        line_type=line_type,
        local_time=local_time,
        opted_out=bool(contact and contact.opted_out),
        do_not_text=bool(contact and contact.do_not_text),
        note=note,
    )


def template_context(
    detail: Any, user: Any = None, org: Any = None, contact: Contact | None = None
) -> dict[str, dict[str, str | None]]:
    """Variables for `core.templates.render` from the lead, its texting contact, us."""
    contact = contact or detail.texting_contact
    return {
        "contact": {
            "name": contact.name if contact else None,
            "first_name": (contact.first_name or None) if contact else None,
            "last_name": (contact.last_name or None) if contact else None,
        },
        "lead": {"display_name": detail.lead.display_name, "name": detail.lead.display_name},
        "user": {
            "first_name": getattr(user, "first_name", None),
            "last_name": getattr(user, "last_name", None),
        },
        "organization": {"name": getattr(org, "name", None)},
    }


def load_lead(
    store: Store,
    lead_id: str,
    now: Callable[[], datetime],
    rules: Any = None,
    limit: int = CONVERSATION_LIMIT,
    mms_rules: MmsRules = DEFAULT_MMS_RULES,
) -> Loaded | None:
    """Everything the right-hand side shows for `lead_id` (None when the lead is gone)."""
    from sms_tui.store.types import StoreError

    try:
        detail = store.lead_detail(lead_id)
    except StoreError:
        return None
    # Oldest -> newest; one extra tells us whether older ones exist.
    messages: list[Message] = list(store.conversation(lead_id, limit=limit + 1))
    more = len(messages) > limit
    if more:
        messages = messages[-limit:]
    numbers = tuple(store.our_numbers())
    choices = route.phone_choices(detail.lead.contacts, numbers, store.phone_flags)
    store_default = route.Route(
        detail.texting_contact.id if detail.texting_contact else None, detail.texting_phone, None
    )
    chosen = route.default_route(
        choices,
        numbers,
        saved=route.decode_route(store.kv_get(route.route_key(lead_id))),
        last=route.last_used(messages),
        fallback=store_default,
    )
    contact: Contact | None = next((c for c in detail.lead.contacts if c.id == chosen.contact_id), None)
    picked = route.choice_for(chosen, choices)
    user = _maybe(store, "me")
    org = _maybe(store, "organization")
    context = ComposerContext(
        lead_id=lead_id,
        contact_id=contact.id if contact else None,
        to_number=chosen.to_number,
        from_number=chosen.from_number,
        opted_out=picked.opted_out if picked else bool(contact and contact.opted_out),
        do_not_text=picked.do_not_text if picked else bool(contact and contact.do_not_text),
        first_message=not any(m.direction == "outbound" and m.local_state == "sent" for m in messages),
        template_context=template_context(detail, user, org, contact),
        user_name=" ".join(p for p in (getattr(user, "first_name", ""), getattr(user, "last_name", "")) if p),
        org_name=getattr(org, "name", "") or "",
        contact_name=safe(contact.name if contact else "", one_line=True),
        rules=rules,
        mms_rules=mms_rules,
        now=now,
        phones=choices,
        numbers=numbers,
    )
    header = header_for(detail, now(), chosen)
    view = ConversationView(header=header, messages=messages, more_before=more)
    return Loaded(view=view, context=context, draft=store.get_draft(lead_id) or None)


def _maybe(store: Any, name: str) -> Any:
    method = getattr(store, name, None)
    if method is None:
        return None
    try:
        return method()
    except Exception:
        return None


def rep_zone(name: str | None) -> tzinfo:
    """The rep's zone from settings, else the machine's *named* zone (never a fixed offset, so
    "tomorrow 9:00" stays right across DST), else UTC. See `sms_tui.rules.rep_zone`."""
    return _settings_rep_zone(name)
