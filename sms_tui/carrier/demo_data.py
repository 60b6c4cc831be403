"""The demo organization: a user, two numbers (+1, +44), 240 leads, templates and histories.

Everything is drawn from `random.Random(f"{seed}:demo")` and placed relative to the clock's
"now" at creation, so a seed with a FakeClock always yields the same data. Numbers are valid
per phonenumbers; a few are landlines, a few are in countries Close cannot text, a few contacts
have no phone at all.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import phonenumbers

from sms_tui.carrier import demo_history, files, team
from sms_tui.carrier.objects import make_contact, make_lead, phone_object
from sms_tui.carrier.records import naive_iso
from sms_tui.carrier.team import make_number, make_user

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

LEAD_COUNT = 240
SUPPORTED = ["US", "CA", "GB", "AU", "BE", "DK", "FR", "IL", "PR", "ZA"]

FIRST = (
    "Maria", "James", "Priya", "Tom", "Aisha", "Lukas", "Chloé", "Kenji", "Olivia", "Mateo", "Sofia", "Noah",
    "Emma", "Liam", "Zoë", "Ravi", "Fatima", "Jack", "Amélie", "Oscar", "Ines", "Hannah", "Daniel", "Grace",
    "Yusuf", "Mei", "Lars", "Freya", "Diego", "Nora", "Sam", "Ada", "Bjørn", "Léa", "Omar", "Ruth",
)  # fmt: skip
LAST = (
    "Garcia", "Smith", "Patel", "Nguyen", "Khan", "Müller", "Dubois", "Tanaka", "Brown", "Rossi", "O'Brien",
    "Jensen", "Cohen", "van Dijk", "Okafor", "Kowalski", "Silva", "Walker", "Martin", "Larsen", "Schmidt",
    "Murphy", "Lee", "Andersen", "Haddad", "Novak", "Evans", "Fischer", "Moreau", "Singh",
)  # fmt: skip
COMPANY_A = (
    "Blue", "North", "Bright", "Summit", "Cedar", "Harbor", "Atlas", "Pioneer", "Silver", "Granite", "Maple",
    "Coastal", "Evergreen", "Union", "Apex", "Red Oak", "Lighthouse", "Prairie", "Metro", "Golden",
)  # fmt: skip
COMPANY_B = (
    "Logistics", "Dental", "Roofing", "Analytics", "Bakery", "Consulting", "Realty", "Fitness", "Labs",
    "Solar", "Legal", "Freight", "Studios", "Health", "Motors", "Capital", "Foods", "Software",
)  # fmt: skip
SUFFIX = ("Inc.", "LLC", "Ltd", "Co.", "& Sons", "Group", "")
#: templates that carry a file (Close's SMS templates can), by template name
TEMPLATE_FILES = {"Intro": ("flyer.png",)}
TITLES = ("CEO", "Office Manager", "Head of Ops", "Owner", "VP Sales", "Buyer", "CTO", "")

TEMPLATES = (
    ("Intro", "Hi {{ contact.first_name }}, this is {{ user.first_name }} from {{ organization.name }}. "
     "Do you have 10 minutes this week to talk about {{ lead.display_name }}'s energy costs?"),
    ("Follow-up", "Hey {{ contact.first_name }}, just following up on my last message. "
     "Any questions I can answer?"),
    ("Meeting reminder", "Reminder: we're meeting tomorrow at 10am. Reply here if the time no longer works. "
     "- {{ user.first_name }}"),
    ("Quote sent", "Hi {{ contact.first_name }}, I just emailed the quote for {{ lead.display_name }}. "
     "Let me know what you think!"),
    ("Thanks", "Thanks {{ contact.first_name }}! Great talking with you today."),
    ("Missed call", "Sorry I missed your call, {{ contact.first_name }}. When is a good time to call back? "
     "- {{ user.first_name }}, {{ organization.name }}"),
)  # fmt: skip

#: (country, phone template, wanted phonenumbers types, share); "#" is a random digit.
PHONE_KINDS: tuple[tuple[str, str, tuple[int, ...], int], ...] = (
    ("US", "+1{area}#######", (2, 1), 62),
    ("CA", "+1{area_ca}#######", (2, 1), 6),
    ("GB", "+447#########", (1,), 12),
    ("AU", "+614########", (1,), 4),
    ("FR", "+336########", (1,), 3),
    ("GB-landline", "+44207946####", (0,), 3),
    ("AU-landline", "+6129#######", (0,), 2),
    ("DE", "+49151########", (1,), 2),
    ("IN", "+919#########", (1,), 2),
    ("BR", "+55119########", (1,), 1),
    ("US-magic", "+1{area}555010#", (2, 1), 1),
)
US_AREAS = ("212", "415", "646", "312", "617", "512", "303", "206", "404", "305", "702", "213", "650", "917")
CA_AREAS = ("416", "604", "514", "403", "613")


def _draw_number(rng: random.Random, kind: str, template: str, types: tuple[int, ...]) -> str:
    country = kind.split("-")[0]
    for _ in range(200):
        raw = template.replace("{area}", rng.choice(US_AREAS)).replace("{area_ca}", rng.choice(CA_AREAS))
        raw = "".join(str(rng.randrange(10)) if ch == "#" else ch for ch in raw)
        if kind == "US-magic":
            raw = raw[:-1] + rng.choice("34568")
        num = phonenumbers.parse(raw, None)
        if (
            phonenumbers.is_valid_number(num)
            and phonenumbers.region_code_for_number(num) == country
            and phonenumbers.number_type(num) in types
        ):
            return raw
    raise RuntimeError(f"could not draw a valid {kind} number")  # pragma: no cover


def _base(carrier: Carrier, now: datetime) -> None:
    state = carrier.state
    org_id = state.new_id("orga")
    created = now - timedelta(days=400)
    team.make_org(carrier, org_id, created)
    users = [make_user(carrier, member, org_id, created) for member in team.DEMO_TEAM]
    for spec in team.DEMO_NUMBERS:
        make_number(carrier, spec, users, org_id, created, now)
    user_id = users[0]["id"]
    for name, text in TEMPLATES:
        tid = state.new_id("smstmpl")
        state.put(
            "sms_template",
            {
                "id": tid,
                "name": name,
                "text": text,
                "is_shared": True,
                "status": "active",
                "owned_by": user_id,
                "created_by": user_id,
                "updated_by": user_id,
                "organization_id": org_id,
                "date_created": naive_iso(created),
                "date_updated": naive_iso(created),
                # served with the request's host in their urls (files.template_view)
                "attachments": [files.sample_media(carrier, f) for f in TEMPLATE_FILES.get(name, ())],
            },
        )


def build_demo(carrier: Carrier) -> None:
    """Fill an empty carrier with the demo organization of its seed."""
    now = carrier.now()
    rng = random.Random(f"{carrier.seed}:demo")
    _base(carrier, now)
    kinds = [k for k in PHONE_KINDS for _ in range(k[3])]
    landlines: list[str] = []
    for i in range(LEAD_COUNT):
        created = now - timedelta(days=rng.uniform(5, 365), seconds=i)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(SUFFIX)}".strip()
        lead = make_lead(carrier, display_name=company, at=created, emit=False)
        for c in range(rng.choice((1, 1, 1, 2, 2, 3))):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            phones: list[tuple[str, str]] = []
            if not (c == 0 and i % 37 == 5):  # a few leads whose first contact has no phone
                kind, template, types, _ = rng.choice(kinds)
                number = _draw_number(rng, kind, template, types)
                label = (
                    "office"
                    if kind.endswith("landline")
                    else rng.choice(("mobile", "mobile", "mobile", "direct"))
                )
                if kind == "US" and rng.random() < 0.04:  # a US office line: only the carrier knows
                    label = "office"
                    landlines.append(number)
                phones.append((number, label))
            make_contact(
                carrier, lead, name=name, phones=phones, at=created, title=rng.choice(TITLES), emit=False
            )
    _second_phones(carrier, landlines)
    carrier.state.meta["landlines"] = landlines
    demo_history.build_histories(carrier, rng, now)


def _second_phones(carrier: Carrier, landlines: list[str]) -> None:
    """Some contacts have more than one phone: an office line after their mobile, now and then a wrong
    number (type `other`). Drawn from a separate RNG so the rest of the demo stays as it was."""
    rng = random.Random(f"{carrier.seed}:demo-phones")
    for contact in list(carrier.state.all("contact")):
        phones = contact["phones"]
        if (
            not phones
            or phones[0]["country"] != "US"
            or phones[0]["type"] != "mobile"
            or rng.random() >= 0.15
        ):
            continue
        office = _draw_number(rng, "US", "+1{area}#######", (2, 1))
        landlines.append(office)  # the carrier knows it is a landline: texts to it fail with 30006
        phones.append(phone_object(office, "office"))
        if rng.random() < 0.3:
            phones.append(phone_object(_draw_number(rng, "US", "+1{area}#######", (2, 1)), "other"))
        carrier.state.put("contact", contact)
