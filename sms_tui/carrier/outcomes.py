"""Why an SMS fails, in words a rep understands (Twilio's error codes as the reference).

Two moments, as with a real carrier:
- at send time (outbox -> error, nothing sent, no cost): opted out, invalid number, short code,
  country not supported, sending number not matching the recipient's country;
- after it was sent (sent -> error, a late delivery report; the cost stays): landline, spam
  filter (public URL shorteners), and rare carrier errors.

Magic recipients make every carrier error reproducible: any NANP number ending in 555-0103,
-0104, -0105, -0106 or -0108 fails with 30003, 30004, 30005, 30006 or 30008 (Twilio's test
credentials use a similar trick).

`error_message` is `Error <code> "<Twilio title>": <sentence for the rep>`, the format Close's
help shows for undelivered SMS.
"""

from __future__ import annotations

import random
import re

from sms_tui.carrier.mms import REASONS as MMS_REASONS
from sms_tui.core.compliance import find_shorteners
from sms_tui.core.phones import can_text
from sms_tui.core.segments import analyze

#: reason -> (Twilio code, Twilio title, default sentence)
REASONS: dict[str, tuple[str, str, str]] = {
    "invalid": ("21211", "Invalid 'To' Phone Number", "this is not a valid phone number."),
    "short_code": (
        "21612",
        "The 'To' phone number is not currently reachable via SMS",
        "short codes cannot be texted.",
    ),
    "country_unsupported": (
        "21408",
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
        "SMS to this country is not supported.",
    ),
    "country_mismatch": (
        "21612",
        "The 'To' phone number is not currently reachable via SMS",
        "the sending number is from another country; send from a number in the recipient's country.",
    ),
    "opted_out": (
        "21610",
        "Attempt to send to unsubscribed recipient",
        "this person replied STOP to this number and has opted out; they must text START before you can "
        "text them again.",
    ),
    "unreachable": (
        "30003",
        "Unreachable destination handset",
        "the phone is off or out of coverage; try again later.",
    ),
    "blocked": ("30004", "Message blocked", "the recipient or their carrier blocked this message."),
    "unknown_handset": (
        "30005",
        "Unknown destination handset",
        "the number may be disconnected or no longer in service.",
    ),
    "landline": (
        "30006",
        "Landline or unreachable carrier",
        "the number is a landline or cannot receive SMS; call instead.",
    ),
    "spam": (
        "30007",
        "Message Delivery - Carrier Violation",
        "the carrier filtered this message as spam; public link shorteners such as bit.ly are blocked, "
        "use your own domain.",
    ),
    "unknown": ("30008", "Unknown error", "the carrier did not say why the message failed; try again."),
    "number_not_yours": (
        "21606",
        "The 'From' phone number provided is not a valid message-capable phone number for this account",
        "this number belongs to another user and you are not a participant of it; send from your own "
        "number or a group number you are in.",
    ),
    "number_not_sms": (
        "21606",
        "The 'From' phone number provided is not a valid message-capable phone number for this account",
        "this number cannot send SMS (an external or voice-only number); send from an SMS-enabled number.",
    ),
    **MMS_REASONS,
}
SEND_TIME_REASONS = ("opted_out", "invalid", "short_code", "country_unsupported", "country_mismatch")
LATE_REASONS = ("landline", "spam", "unreachable", "blocked", "unknown_handset", "unknown")
RANDOM_CARRIER_REASONS = ("unreachable", "unknown_handset", "unknown", "blocked")

_MAGIC_RE = re.compile(r"^\+1\d{3}55501(0[3-8])$")
_MAGIC = {"03": "unreachable", "04": "blocked", "05": "unknown_handset", "06": "landline", "08": "unknown"}


def message(reason: str, detail: str | None = None) -> str:
    """The `error_message` Close shows for this reason."""
    code, title, sentence = REASONS[reason]
    return f'Error {code} "{title}": {detail or sentence}'


def magic_reason(remote: str) -> str | None:
    match = _MAGIC_RE.match(remote)
    return _MAGIC.get(match.group(1)) if match else None


def failure_at_send(local: str, remote: str, *, opted_out: bool) -> tuple[str, str | None] | None:
    """(reason, detail) that stops the send before it leaves, or None."""
    if opted_out:
        return "opted_out", None
    verdict = can_text(local, remote)
    if verdict.ok or verdict.code == "landline":
        return None
    reason = verdict.code if verdict.code in REASONS else "invalid"
    return reason, verdict.reason


def failure_after_sent(
    local: str, remote: str, text: str, *, landlines: set[str], rng: random.Random, error_rate: float
) -> tuple[str, str | None] | None:
    """(reason, detail) of a late delivery report, or None when the SMS is delivered."""
    magic = magic_reason(remote)
    if magic is not None:
        return magic, None
    if remote in landlines or can_text(local, remote).code == "landline":
        return "landline", None
    links = find_shorteners(text)
    if links:
        return "spam", (
            f"the carrier filtered this message as spam because of the public link shortener {links[0]}; "
            "link to your own domain instead."
        )
    if error_rate > 0 and rng.random() < error_rate:
        return rng.choice(RANDOM_CARRIER_REASONS), None
    return None


#: US cents per segment: domestic NANP rates are about a cent, elsewhere a few cents.
CENTS_PER_SEGMENT = {"US": 1, "CA": 1, "PR": 1}
DEFAULT_CENTS_PER_SEGMENT = 4


def cost(text: str, remote_country: str | None) -> str:
    """Close's `cost`: a string of US cents, from the segment count."""
    segments = max(1, analyze(text).segments)
    rate = CENTS_PER_SEGMENT.get(remote_country or "", DEFAULT_CENTS_PER_SEGMENT)
    return str(segments * rate)
