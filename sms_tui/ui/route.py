"""Whom a lead's texts go to and from which of our numbers: the choices and the defaults.

No Textual and no store: `loaders.load_lead` builds the choices from the cache, the composer
shows the chosen route on its "From … · To …" line and `screens/route_picker.py` lets the rep
change it. The choice is remembered per lead in the cache's key/value table (`route_key`).

Defaults, in order: the route the rep chose for this lead (while its phone and number still
exist), else the numbers the thread last used, else the first textable phone of the lead's
contacts (in Close's order) and one of our numbers in its country.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sms_tui.core import phones
from sms_tui.core.models import Contact, Message, OurNumber


@dataclass(frozen=True, slots=True)
class PhoneChoice:
    """One phone of one contact on the lead, and whether we can text it."""

    contact_id: str
    #: The contact's name as Close has it (outside text: show it through `ui.text`).
    contact_name: str
    #: E.164 as stored.
    phone: str
    #: Close's own label (mobile, office, …).
    label: str = ""
    #: What the numbering plan says: mobile, fixed line, VoIP… ("" when unknown).
    line_type: str = ""
    country: str | None = None
    country_name: str = ""
    opted_out: bool = False
    do_not_text: bool = False
    #: Why it cannot be texted, in the rep's words; None when it can.
    why_not: str | None = None

    @property
    def textable(self) -> bool:
        return self.why_not is None


@dataclass(frozen=True, slots=True)
class Route:
    """The chosen recipient (contact and phone) and sending number."""

    contact_id: str | None
    to_number: str | None
    from_number: str | None


def route_key(lead_id: str) -> str:
    """The cache key/value key that remembers the rep's route for a lead."""
    return f"route:{lead_id}"


def encode_route(route: Route) -> str:
    return json.dumps({"contact": route.contact_id, "to": route.to_number, "from": route.from_number})


def decode_route(raw: str | None) -> Route | None:
    """The stored route, or None when absent or unreadable (never raises on a damaged value)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    values = [data.get(k) for k in ("contact", "to", "from")]
    if not all(v is None or isinstance(v, str) for v in values):
        return None
    return Route(values[0], values[1], values[2])


def _country_of(number: str) -> str | None:
    try:
        return phones.parse_phone(number).country
    except phones.PhoneError:
        return None


def senders_for(numbers: Iterable[OurNumber], to_number: str | None) -> tuple[OurNumber, ...]:
    """Our SMS numbers that can text `to_number` (its country); all of them without a recipient."""
    usable = [n for n in numbers if n.sms_enabled]
    if not to_number:
        return tuple(usable)
    country = _country_of(to_number)
    return tuple(n for n in usable if phones.same_country(n.country, country))


def phone_choices(
    contacts: Sequence[Contact],
    numbers: Sequence[OurNumber],
    flags: Callable[[str], tuple[bool, bool]],
) -> tuple[PhoneChoice, ...]:
    """Every phone of every contact, in Close's order, each with why it cannot be texted.

    `flags(phone)` returns (opted_out, do_not_text) for that number (the cache's phone flags).
    """
    out: list[PhoneChoice] = []
    for contact in contacts:
        for entry in contact.phones:
            opted_out, do_not_text = flags(entry.phone)
            do_not_text = do_not_text or contact.do_not_text
            line_type, country, country_name = "", None, ""
            why: str | None = None
            try:
                info = phones.parse_phone(entry.phone)
            except phones.PhoneError as error:
                why = str(error)
            else:
                line_type = info.line_type.replace("_", " ")
                country, country_name = info.country, info.country_name or (info.country or "")
                senders = senders_for(numbers, entry.phone)
                # With no number of ours there, judge the line itself (sender = the same country).
                verdict = phones.can_text(senders[0].number if senders else entry.phone, entry.phone)
                if not verdict.ok:
                    why = verdict.reason
                elif not senders:
                    why = f"we have no sending number {phones.in_country(country)}"
            if why is None and opted_out:
                why = "opted out (replied STOP)"
            if why is None and do_not_text:
                why = "marked do not text in Close"
            out.append(
                PhoneChoice(
                    contact_id=contact.id,
                    contact_name=contact.name,
                    phone=entry.phone,
                    label=entry.type,
                    line_type=line_type,
                    country=country,
                    country_name=country_name,
                    opted_out=opted_out,
                    do_not_text=do_not_text,
                    why_not=why,
                )
            )
    return tuple(out)


def last_used(messages: Sequence[Message]) -> Route | None:
    """The route of the newest outbound message of the thread (None when we never wrote)."""
    for message in reversed(messages):
        if message.direction == "outbound" and message.remote_phone:
            return Route(message.contact_id, message.remote_phone, message.local_phone or None)
    return None


def default_route(
    choices: Sequence[PhoneChoice],
    numbers: Sequence[OurNumber],
    *,
    saved: Route | None = None,
    last: Route | None = None,
    fallback: Route | None = None,
) -> Route:
    """The route the composer starts with (see the module's docstring for the order)."""
    for wanted in (saved, last):
        route = _still_valid(wanted, choices, numbers)
        if route is not None:
            return route
    for choice in choices:
        if choice.textable:
            return with_sender(choice, numbers)
    if fallback is not None and fallback.to_number:
        senders = senders_for(numbers, fallback.to_number)
        return Route(fallback.contact_id, fallback.to_number, senders[0].number if senders else None)
    if choices:
        return with_sender(choices[0], numbers)
    senders = senders_for(numbers, None)
    return Route(None, None, senders[0].number if senders else None)


def with_sender(choice: PhoneChoice, numbers: Sequence[OurNumber], current: str | None = None) -> Route:
    """Text `choice`, keeping `current` as sender when it fits the country, else the first that does."""
    senders = senders_for(numbers, choice.phone)
    keep = next((n.number for n in senders if n.number == current), None)
    return Route(choice.contact_id, choice.phone, keep or (senders[0].number if senders else None))


def _still_valid(
    route: Route | None, choices: Sequence[PhoneChoice], numbers: Sequence[OurNumber]
) -> Route | None:
    if route is None or not route.to_number:
        return None
    choice = next((c for c in choices if c.phone == route.to_number), None)
    if choice is None:
        return None  # the phone left the lead
    return with_sender(choice, numbers, route.from_number)


def choice_for(route: Route, choices: Sequence[PhoneChoice]) -> PhoneChoice | None:
    return next((c for c in choices if c.phone == route.to_number), None)
