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
from sms_tui.carrier.storage import Record

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


#: What a lead abroad texts first (we may not be able to answer: that is the point of the demo).
FROM_ABROAD = (
    "Hi, I saw your ad online. Do you install outside the US?",
    "Hello! Is this Sunrise Solar? Please call me back.",
    "Do you ship panels internationally?",
)
#: At most this many leads we cannot text end with their unanswered text (the demo's first screen
#: should be mostly conversations the rep can answer).
ABROAD_UNREAD_MAX = 2


def _phone(contact: Record) -> str | None:
    return contact["phones"][0]["phone"] if contact["phones"] else None


class _Writer:
    """Appends messages of one conversation at increasing times.

    Every outbound SMS gets its status from `outcome`, i.e. the live carrier's rules
    (`outcomes.failure_at_send` / `failure_after_sent`, both built on `core.phones.can_text`),
    with the sending number the live carrier would pick — so the history never shows a text
    the carrier itself would have refused.
    """

    def __init__(self, carrier: Carrier, lead: Record, contact: Record, start: datetime) -> None:
        self.carrier, self.lead, self.contact, self.at = carrier, lead, contact, start
        self.remote = _phone(contact) or ""
        self.country = contact["phones"][0]["country"]
        self.local = carrier.default_number(self.country)["number"]

    def _advance(self, rng: random.Random) -> datetime:
        self.at += timedelta(minutes=rng.uniform(2, 600))
        return self.at

    def outcome(
        self, text: str, rng: random.Random, *, carrier_error: bool = False
    ) -> tuple[str | None, bool]:
        """(error_message or None, whether it left the carrier) for an outbound `text` now.

        `carrier_error` makes this one of the rare carrier failures the live carrier draws at
        `carrier_error_rate` (the rate is 1 for this attempt), for the demo's failure display.
        """
        state = self.carrier.state
        refused = outcomes.failure_at_send(
            self.local, self.remote, opted_out=state.is_opted_out(self.local, self.remote)
        )
        if refused is not None:
            return outcomes.message(*refused), False
        late = outcomes.failure_after_sent(
            self.local, self.remote, text, landlines=set(state.meta.get("landlines", [])),
            rng=rng, error_rate=1.0 if carrier_error else 0.0,
        )  # fmt: skip
        return (outcomes.message(*late) if late else None), True

    def _add(self, rng: random.Random, direction: str, status: str, text: str, **extra: object) -> Record:
        at = self._advance(rng)
        fields: dict[str, object] = {
            "local_phone": self.local,
            "remote_phone": self.remote,
            "text": text,
            "lead_id": self.lead["id"],
            "contact_id": self.contact["id"],
        }
        if direction == "inbound":
            fields["user_id"] = self.carrier.me()["id"]
        fields.update(extra)
        sms = new_sms(self.carrier, at=at, status=status, direction=direction, **fields)
        return self.carrier.state.put("sms", sms)

    def receive(self, rng: random.Random, text: str) -> Record:
        return self._add(rng, "inbound", "inbox", text)

    def keep(self, rng: random.Random, status: str, text: str, **extra: object) -> Record:
        """An outbound SMS that has not been sent (yet): a draft or a scheduled send."""
        return self._add(rng, "outbound", status, text, **extra)

    def send(self, rng: random.Random, text: str, *, carrier_error: bool = False, **extra: object) -> Record:
        """An outbound SMS that went through the carrier: `sent`, or `error` with the reason."""
        error, left = self.outcome(text, rng, carrier_error=carrier_error)
        sms = self._add(
            rng, "outbound", "sent" if error is None else "error", text, error_message=error, **extra
        )
        if left:  # a late delivery report keeps the sent date and the cost, as on the live carrier
            sms["date_sent"] = sms["date_created"]
            sms["cost"] = outcomes.cost(text, self.country)
        return sms


def build_histories(carrier: Carrier, rng: random.Random, now: datetime) -> None:
    templates = list(carrier.state.all("sms_template"))
    abroad_unread = 0
    for lead in list(carrier.state.all("lead")):
        contacts = [c for c in carrier.contacts_of(lead["id"]) if c["phones"]]
        if not contacts or rng.random() < 0.3:
            continue
        contact = contacts[0]
        w = _Writer(carrier, lead, contact, now - timedelta(days=rng.uniform(3, 30)))
        first = contact["_x_first_name"]
        if rng.random() < 0.3:
            tmpl = rng.choice(templates)
            opener, tid = render_for(carrier, tmpl["text"], lead, contact), tmpl["id"]
        else:
            opener, tid = rng.choice(OPENERS).format(first=first), None
        failure, left = w.outcome("hello", rng)
        if failure is not None:  # we cannot text this number: every attempt fails with the reason
            if not left and rng.random() < 0.35:  # a lead abroad texted us first
                w.receive(rng, rng.choice(FROM_ABROAD))
                if abroad_unread < ABROAD_UNREAD_MAX and rng.random() < 0.5:
                    abroad_unread += 1
                    continue
                opener = f"Hi {first}, thanks for your message! When is a good time to call?"
            w.send(rng, opener, template_id=tid)
            continue
        pattern = rng.choice(PATTERNS)
        if pattern == "failed":  # a number we can text, and yet the text did not arrive
            if rng.random() < 0.5:
                w.send(rng, SPAMMY.format(first=first))
            else:
                w.send(rng, opener, carrier_error=True, template_id=tid)
            continue
        w.send(rng, opener, template_id=tid)
        for _ in range(rng.randrange(0, 4)):
            w.receive(rng, replies.pick_reply_safe(rng))
            w.send(rng, rng.choice(FOLLOW_UPS))
        if pattern == "unread":
            w.receive(rng, replies.pick_reply_safe(rng))
        elif pattern == "draft":
            w.keep(rng, "draft", f"Hi {first}, circling back on ")
        elif pattern == "scheduled":
            due = now + timedelta(hours=rng.uniform(1, 48))
            sms = w.keep(rng, "scheduled", f"Hi {first}, just checking in!", date_scheduled=iso(due))
            carrier.schedule("release", due, sms)
        elif pattern in ("opted_out", "restarted"):
            stop = w.receive(rng, rng.choice(replies.STOP_WORDS))
            w.send(rng, replies.STOP_REPLY, user_id=None)  # the carrier's confirmation
            carrier.state.set_opted_out(stop["local_phone"], stop["remote_phone"], True)
            if pattern == "restarted":
                w.receive(rng, "START")
                carrier.state.set_opted_out(stop["local_phone"], stop["remote_phone"], False)
                w.send(rng, replies.START_REPLY, user_id=None)
        if w.at > now:  # keep history in the past (scheduled dates excepted)
            _shift_into_past(carrier, lead["id"], w.at - now + timedelta(minutes=5))


def _shift_into_past(carrier: Carrier, lead_id: str, by: timedelta) -> None:
    for sms in carrier.state.query("sms", "lead_id = ?", (lead_id,)):
        for key in ("date_created", "date_updated", "activity_at", "date_sent"):
            if sms.get(key):
                sms[key] = iso(datetime.fromisoformat(sms[key]) - by)
        carrier.state.touch("sms", sms["id"])
