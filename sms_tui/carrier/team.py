"""The organization's people and numbers: users with API keys and roles, personal numbers, group
numbers shared by `participants`, and external (not SMS-capable) numbers — as Close models them.

API keys: the key the carrier was started with belongs to the first user (an admin); every other
user's key is that key plus `.` and their key name (`KEY.jordan`), listed by `GET /_carrier/state`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sms_tui.carrier.records import iso, phone_parts
from sms_tui.carrier.storage import Record

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier


@dataclass(frozen=True)
class Member:
    first_name: str
    last_name: str
    role: str = "member"  # admin | member
    event_log: bool = True  # whether the user's API key may read /event/
    key_name: str = ""  # "" = the carrier's own key; else KEY.<key_name>


@dataclass(frozen=True)
class Number:
    number: str
    label: str
    owners: tuple[int, ...]  # indexes into the members; one = personal, several = group
    kind: str = "internal"  # internal | external
    group: bool = False


#: the demo organization: small, so the demo opens at once, but a real team's shapes
DEMO_TEAM = (
    Member("Alex", "Rivera", "admin"),
    Member("Jordan", "Lee", key_name="jordan"),
    Member("Sam", "Okafor", event_log=False, key_name="sam"),
    Member("Riley", "Chen", key_name="riley"),  # no number of their own yet
)
DEMO_NUMBERS = (
    Number("+16503334444", "Palo Alto office", (0,)),
    Number("+442071838750", "London office", (0,)),
    Number("+16503335500", "Sales team", (0, 1), group=True),
    Number("+16503339911", "Jordan's line", (1,)),
    Number("+14155238886", "Alex's cell", (0,), kind="external"),
)


def make_org(carrier: Carrier, org_id: str, created: datetime) -> Record:
    state = carrier.state
    org: Record = {
        "id": org_id,
        "name": "Sunrise Solar",
        "_x_status_id": state.new_id("stat"),
        "date_created": iso(created),
    }
    return state.put("organization", org)


def make_user(carrier: Carrier, member: Member, org_id: str, created: datetime) -> Record:
    state = carrier.state
    slug = f"{member.first_name}.{member.last_name}".lower().replace(" ", "").replace("'", "")
    return state.put(
        "user",
        {
            "id": state.new_id("user"),
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": f"{slug}@sunrise-solar.example",
            "organization_id": org_id,
            "last_used_timezone": "America/Los_Angeles",
            "date_created": iso(created),
            "date_updated": iso(created),
            "_x_role": member.role,
            "_x_event_log": member.event_log,
            "_x_key_name": member.key_name,
        },
    )


def make_number(
    carrier: Carrier, spec: Number, users: list[Record], org_id: str, created: datetime, now: datetime
) -> Record:
    state = carrier.state
    formatted, country = phone_parts(spec.number)
    country = country or "US"
    owners = [users[i]["id"] for i in spec.owners]
    internal = spec.kind == "internal"
    return state.put(
        "phone_number",
        {
            "id": state.new_id("phon"),
            "number": spec.number,
            "number_formatted": formatted,
            "label": spec.label,
            "type": spec.kind,
            "is_group_number": spec.group,
            "participants": owners if spec.group else owners[:1],
            "user_id": None if spec.group else owners[0],
            "organization_id": org_id,
            "country": country,
            "sms_enabled": internal,
            "mms_enabled": internal and country == "US",
            "supports_sms_to_countries": (["US", "CA", "PR"] if country == "US" else [country])
            if internal
            else [],
            "supports_mms_to_countries": ["US", "CA"] if internal and country == "US" else [],
            "forward_to": None,
            "forward_to_enabled": False,
            "forward_to_formatted": None,
            "is_verified": True,
            "is_premium": False,
            "was_ported": False,
            "press_1_to_accept": False,
            "voicemail_greeting_url": None,
            "carrier": "twilio" if internal else None,
            "carrier_type": "local" if internal else None,
            "address_id": None if country == "US" else state.new_id("addr"),
            "bundle_id": None if country == "US" else state.new_id("bu"),
            "last_billed_price": (1.0 if country == "US" else 4.0) if internal else None,
            "next_billing_on": iso(now + timedelta(days=12)) if internal else None,
            "date_created": iso(created),
            "date_updated": iso(created),
        },
    )


def _sms_countries(country: str) -> list[str]:
    """Where a number may text: its own country (NANP numbers: the US, Canada and Puerto Rico)."""
    return ["US", "CA", "PR"] if country == "US" else [country]


def role_of(user: Record) -> str:
    return str(user.get("_x_role", "admin"))


def keys_for(users: list[Record], api_key: str) -> dict[str, Record]:
    """API key -> user: the carrier's own key is the first user's, the others add `.<key name>`."""
    keys: dict[str, Record] = {}
    for i, user in enumerate(users):
        name = user.get("_x_key_name") or ""
        keys[api_key if i == 0 or not name else f"{api_key}.{name}"] = user
    return keys
