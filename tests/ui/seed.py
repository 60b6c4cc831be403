"""A small, fixed inbox written straight into a Store (no carrier): fast UI tests and snapshots.

`python -m tests.ui.seed` opens the app on it (no provider) for looking at the layout.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sms_tui.core.models import Contact, ContactPhone, Lead, Message, Organization, OurNumber, Template, User
from sms_tui.store import Store

#: The fixed "now" of every seeded test (a Tuesday afternoon in New York).
NOW = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
REP_TZ = "America/New_York"

LEADS = [
    # id, lead name, contact first, last, phone
    ("lead_ada", "Lovelace Analytics", "Ada", "Lovelace", "+14155550101"),
    ("lead_bob", "Bob's Bikes [VIP] [/]", "Bob", "Builder", "+14155550102"),
    ("lead_cyd", "Cyd Charisse Dance", "Cyd", "Charisse", "+447400123456"),
    ("lead_dee", "Dee's Diner", "Dee", "Snider", "+14155550104"),
    ("lead_eve", "Eve Online Ltd", "Eve", "Moneypenny", "+14155550105"),
    ("lead_fay", "Fay Wray Films", "Fay", "Wray", "+14155550106"),
]

#: (lead, minutes ago, direction, status, text, error_message)
MESSAGES = [
    (
        "lead_ada",
        300,
        "outbound",
        "sent",
        "Hi Ada, this is Sam from Acme. Are you free for a demo this week?",
        None,
    ),
    ("lead_ada", 12, "inbound", "inbox", "Yes! Thursday works 👍", None),
    ("lead_ada", 11, "inbound", "inbox", "Maybe 2pm?", None),
    ("lead_bob", 200, "outbound", "sent", "Hi Bob, Sam from Acme here.", None),
    ("lead_bob", 45, "inbound", "inbox", "[bold]not bold[/bold] \x1b[31mred?\x1b[0m [link=x]y[/link]", None),
    ("lead_cyd", 600, "inbound", "inbox", "Can you call me back tomorrow?", None),
    (
        "lead_cyd",
        590,
        "outbound",
        "error",
        "Sure — what time suits?",
        "Carrier rejected: unreachable handset",
    ),
    ("lead_dee", 1500, "outbound", "sent", "Hi Dee, Sam from Acme. Reply STOP to opt out.", None),
    ("lead_dee", 1490, "inbound", "inbox", "STOP", None),
    ("lead_eve", 3000, "outbound", "sent", "Following up on our call.", None),
    ("lead_fay", 8000, "inbound", "inbox", "Thanks, got it.", None),
]


def seed(store: Store, now: datetime = NOW) -> None:
    store.upsert_organization(Organization(id="orga_1", name="Acme"))
    store.upsert_users(
        [User(id="user_1", first_name="Sam", last_name="Rep", organization_id="orga_1")], me_id="user_1"
    )
    store.upsert_our_numbers(
        [
            OurNumber(id="pn_us", number="+14155550000", country="US"),
            OurNumber(id="pn_gb", number="+442071838750", country="GB"),
        ]
    )
    store.upsert_templates(
        [
            Template(
                id="tmpl_1", name="Follow up", text="Hi {{ contact.first_name }}, just following up — Sam"
            ),
            Template(
                id="tmpl_2", name="Demo [new]", text="Hi {{ contact.first_name }}, want a demo on Thursday?"
            ),
        ]
    )
    leads = []
    for lead_id, name, first, last, phone in LEADS:
        contact = Contact(
            id=f"cont_{lead_id[5:]}",
            lead_id=lead_id,
            name=f"{first} {last}",
            first_name=first,
            last_name=last,
            phones=(ContactPhone(phone=phone, type="mobile"),),
        )
        leads.append(
            Lead(id=lead_id, display_name=name, contacts=(contact,), date_created=now - timedelta(days=30))
        )
    store.upsert_leads(leads)
    numbers = {lead_id: phone for lead_id, _, _, _, phone in LEADS}
    msgs = []
    for i, (lead_id, ago, direction, status, text, error) in enumerate(MESSAGES):
        when = now - timedelta(minutes=ago)
        ours = "+442071838750" if numbers[lead_id].startswith("+44") else "+14155550000"
        msgs.append(
            Message(
                local_id=0,
                lead_id=lead_id,
                direction=direction,  # type: ignore[arg-type]
                local_state="inbox",
                text=text,
                remote_id=f"acti_seed{i:03d}",
                contact_id=f"cont_{lead_id[5:]}",
                status=status,  # type: ignore[arg-type]
                local_phone=ours,
                remote_phone=numbers[lead_id],
                date_created=when,
                date_sent=when if status == "sent" else None,
                error_message=error,
            )
        )
    store.apply_remote_messages(msgs, unread_inbound=True, now=now)
    store.mark_read("lead_dee")
    store.mark_read("lead_fay")
    store.mark_read("lead_cyd")
    store.set_phone_opt_out("+14155550104", True, now=now)


def seeded_store(path: Path, now: datetime = NOW) -> Store:
    store = Store.open(path)
    seed(store, now)
    return store


if __name__ == "__main__":
    import tempfile

    from sms_tui.ui.app import SmsApp

    with tempfile.TemporaryDirectory() as tmp:
        store = seeded_store(Path(tmp) / "c.sqlite3", datetime.now(UTC))
        SmsApp(store, rep_tz=REP_TZ).run()
