"""Conversation histories for the demo leads: sent, failed (with reasons), scheduled, drafts,
unread replies, opted-out leads and leads who came back with START.

History is stored as it would be after the fact; it emits no events (Close's event log only
keeps 30 days, and a client's first sync reads `activity/sms/` anyway).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sms_tui.carrier import outcomes, replies
from sms_tui.carrier.records import iso
from sms_tui.carrier.simulation import new_sms, render_for
from sms_tui.carrier.state import Record

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

OPENERS = (
    "Hi {first}, it's Alex from Sunrise Solar. Got a minute to chat about your roof this week?",
    "Hi {first}! Following up on the quote we sent. Any questions?",
    "Hey {first}, are you still looking at solar for the office?",
    "Morning {first}, quick one: did the site survey date work for you?",
    "Hi {first}, thanks for stopping by our booth! Here's the info: https://sunrise-solar.example/demo",
)
FOLLOW_UPS = (
    "Great, I'll send a calendar invite.",
    "No problem at all. Talk soon!",
    "It's month to month, cancel any time.",
    "Setup usually takes about two weeks.",
    "I can do Thursday at 3pm, does that work?",
    "Perfect, see you then 👍",
    "Sure, I'll email it over now.",
)
SPAMMY = "Limited offer for {first}: 30% off installs this month only! Details: https://bit.ly/3xSolar"
PATTERNS = (
    "chat",
    "chat",
    "chat",
    "unread",
    "unread",
    "failed",
    "scheduled",
    "draft",
    "opted_out",
    "restarted",
)


def _phone(contact: Record) -> str | None:
    return contact["phones"][0]["phone"] if contact["phones"] else None


class _Writer:
    """Appends messages of one conversation at increasing times."""

    def __init__(self, carrier: Carrier, lead: Record, contact: Record, start: datetime) -> None:
        self.carrier, self.lead, self.contact, self.at = carrier, lead, contact, start
        self.remote = _phone(contact) or ""
        self.local = carrier.default_number(contact["phones"][0]["country"])["number"]

    def _advance(self, rng: random.Random) -> datetime:
        self.at += timedelta(minutes=rng.uniform(2, 600))
        return self.at

    def add(self, rng: random.Random, direction: str, status: str, text: str, **extra: object) -> Record:
        at = self._advance(rng)
        fields: dict[str, object] = {
            "local_phone": self.local,
            "remote_phone": self.remote,
            "text": text,
            "lead_id": self.lead["id"],
            "contact_id": self.contact["id"],
        }
        if status == "sent":
            fields["date_sent"] = iso(at)
            fields["cost"] = outcomes.cost(text, self.contact["phones"][0]["country"])
        if direction == "inbound":
            fields["user_id"] = self.carrier.me()["id"]
        fields.update(extra)
        sms = new_sms(self.carrier, at=at, status=status, direction=direction, **fields)
        return self.carrier.state.put("sms", sms)


def _failure_for(carrier: Carrier, remote: str, text: str) -> str | None:
    local = carrier.default_number(None)["number"]
    refused = outcomes.failure_at_send(local, remote, opted_out=False)
    if refused is not None and refused[0] != "country_mismatch":
        return outcomes.message(*refused)
    late = outcomes.failure_after_sent(
        local, remote, text, landlines=set(carrier.state.meta.get("landlines", [])),
        rng=random.Random(0), error_rate=0.0,
    )  # fmt: skip
    return outcomes.message(*late) if late else None


def build_histories(carrier: Carrier, rng: random.Random, now: datetime) -> None:
    templates = list(carrier.state.all("sms_template"))
    for lead in list(carrier.state.all("lead")):
        contacts = [c for c in carrier.contacts_of(lead["id"]) if c["phones"]]
        if not contacts or rng.random() < 0.3:
            continue
        contact = contacts[0]
        w = _Writer(carrier, lead, contact, now - timedelta(days=rng.uniform(3, 30)))
        first = contact["_x_first_name"]
        failure = _failure_for(carrier, w.remote, "hello")
        pattern = "failed" if failure else rng.choice(PATTERNS)
        if rng.random() < 0.3:
            tmpl = rng.choice(templates)
            opener, tid = render_for(carrier, tmpl["text"], lead, contact), tmpl["id"]
        else:
            opener, tid = rng.choice(OPENERS).format(first=first), None
        if pattern == "failed":
            text, reason = opener, failure
            if reason is None and rng.random() < 0.5:
                text = SPAMMY.format(first=first)
                reason = _failure_for(carrier, w.remote, text)
            elif reason is None:
                reason = outcomes.message(rng.choice(outcomes.RANDOM_CARRIER_REASONS))
            late = any(f"Error {outcomes.REASONS[r][0]} " in (reason or "") for r in outcomes.LATE_REASONS)
            extra: dict[str, object] = {"error_message": reason, "template_id": tid}
            if late:  # it left, then the carrier reported it undelivered: sent date and cost stay
                extra |= {"date_sent": "", "cost": outcomes.cost(text, contact["phones"][0]["country"])}
            sms = w.add(rng, "outbound", "error", text, **extra)
            if late:
                sms["date_sent"] = sms["date_created"]
            continue
        w.add(rng, "outbound", "sent", opener, template_id=tid)
        for _ in range(rng.randrange(0, 4)):
            w.add(rng, "inbound", "inbox", replies.pick_reply_safe(rng))
            w.add(rng, "outbound", "sent", rng.choice(FOLLOW_UPS))
        if pattern == "unread":
            w.add(rng, "inbound", "inbox", replies.pick_reply_safe(rng))
        elif pattern == "draft":
            w.add(rng, "outbound", "draft", f"Hi {first}, circling back on ")
        elif pattern == "scheduled":
            due = now + timedelta(hours=rng.uniform(1, 48))
            sms = w.add(
                rng, "outbound", "scheduled", f"Hi {first}, just checking in!", date_scheduled=iso(due)
            )
            carrier.schedule("release", due, sms)
        elif pattern in ("opted_out", "restarted"):
            stop = w.add(rng, "inbound", "inbox", rng.choice(replies.STOP_WORDS))
            w.add(rng, "outbound", "sent", replies.STOP_REPLY, user_id=None)
            carrier.state.set_opted_out(stop["local_phone"], stop["remote_phone"], True)
            if pattern == "restarted":
                w.add(rng, "inbound", "inbox", "START")
                w.add(rng, "outbound", "sent", replies.START_REPLY, user_id=None)
                carrier.state.set_opted_out(stop["local_phone"], stop["remote_phone"], False)
        if w.at > now:  # keep history in the past (scheduled dates excepted)
            _shift_into_past(carrier, lead["id"], w.at - now + timedelta(minutes=5))


def _shift_into_past(carrier: Carrier, lead_id: str, by: timedelta) -> None:
    for sms in carrier.state.all("sms"):
        if sms["lead_id"] != lead_id:
            continue
        for key in ("date_created", "date_updated", "activity_at", "date_sent"):
            if sms.get(key):
                sms[key] = iso(datetime.fromisoformat(sms[key]) - by)
