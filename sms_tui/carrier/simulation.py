"""The carrier's behaviour over time: sending, late delivery reports, replies, keywords.

Each step is a job (see `Carrier.tick`). Decisions are drawn from an RNG seeded with the carrier's
seed and the SMS id, so a seed replays the same outcomes whatever the order of requests.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sms_tui.carrier import files, limits, mms, outcomes, replies
from sms_tui.carrier.objects import make_contact, make_lead
from sms_tui.carrier.records import iso, phone_parts
from sms_tui.carrier.storage import Record, public
from sms_tui.core.compliance import classify_keyword

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

#: Fields every SMS object has, in Close's order (provider-api.md §a.3).
SMS_FIELDS = (
    "_type", "id", "organization_id", "lead_id", "contact_id", "user_id", "user_name", "created_by",
    "created_by_name", "updated_by", "updated_by_name", "date_created", "date_updated", "activity_at",
    "date_scheduled", "date_sent", "direction", "status", "source", "text", "template_id", "error_message",
    "cost", "local_phone", "local_phone_formatted", "local_country_iso", "remote_phone",
    "remote_phone_formatted", "remote_country_iso", "users", "attachments", "sequence_id", "sequence_name",
    "sequence_subscription_id",
)  # fmt: skip


def rng_for(carrier: Carrier, sms_id: str, purpose: str) -> random.Random:
    return random.Random(f"{carrier.seed}:{purpose}:{sms_id}")


def set_phones(sms: Record, local: str | None, remote: str | None) -> None:
    """Fill `local_phone`/`remote_phone` and their `_formatted` and `_country_iso` companions."""
    for side, number in (("local", local), ("remote", remote)):
        formatted, country = phone_parts(number) if number else (None, None)
        sms[f"{side}_phone"] = number
        sms[f"{side}_phone_formatted"] = formatted
        sms[f"{side}_country_iso"] = country


def new_sms(carrier: Carrier, *, at: datetime, status: str, direction: str, **fields: Any) -> Record:
    """A complete SMS record with every documented field (not stored yet)."""
    user = carrier.me()
    user_id = fields.pop("user_id", user["id"])
    user_name = f"{user['first_name']} {user['last_name']}" if user_id == user["id"] else None
    sms: Record = dict.fromkeys(SMS_FIELDS)
    sms.update(
        {
            "_type": "SMS",
            "id": carrier.state.new_id("acti"),
            "organization_id": carrier.organization()["id"],
            "user_id": user_id,
            "user_name": user_name,
            "created_by": user_id,
            "created_by_name": user_name,
            "updated_by": user_id,
            "updated_by_name": user_name,
            "date_created": iso(at),
            "date_updated": iso(at),
            "activity_at": iso(at),
            "direction": direction,
            "status": status,
            "source": "Close.io",
            "users": [user_id] if user_id else [],
            "attachments": [],
            "_x_gen": 0,
        }
    )
    local, remote = fields.pop("local_phone", None), fields.pop("remote_phone", None)
    set_phones(sms, local, remote)
    sms.update(fields)
    return sms


def carrier_delay(carrier: Carrier, sms: Record) -> float:
    """Seconds between the SMS leaving the outbox and the carrier accepting it (0.5-5 s)."""
    rng = rng_for(carrier, sms["id"], f"delay{sms['_x_gen']}")
    return round(rng.uniform(0.5, 5.0), 3)


def start_sending(carrier: Carrier, sms: Record, at: datetime, send_in: float = 0.0) -> None:
    """Queue an outbox SMS: it leaves after the undo window plus the carrier's delay."""
    due = at + timedelta(seconds=send_in + carrier_delay(carrier, sms))
    carrier.schedule("send", due, sms)


def _live(carrier: Carrier, job: Record, status: str) -> Record | None:
    """The job's SMS if it still exists, is in `status`, and was not edited since."""
    sms = carrier.state.get("sms", job["sms_id"]) if job.get("sms_id") else None
    if sms is None or sms["status"] != status or sms.get("_x_gen", 0) != job["gen"]:
        return None
    return sms


def change(carrier: Carrier, sms: Record, at: datetime, **updates: Any) -> dict[str, Any]:
    """Apply system updates to a stored SMS, emit `updated`; return the previous values."""
    previous = {k: sms.get(k) for k in updates if sms.get(k) != updates[k]}
    sms.update(updates)
    sms["date_updated"] = iso(at)
    carrier.state.touch("sms", sms["id"])
    carrier.emit("updated", sms, at=at, previous=previous, changed=previous.keys())
    return previous


def run_job(carrier: Carrier, job: Record) -> None:
    at = datetime.fromisoformat(job["due"])
    kind = job["kind"]
    if kind == "release":
        sms = _live(carrier, job, "scheduled")
        if sms is not None:
            change(carrier, sms, at, status="outbox")
            start_sending(carrier, sms, at)
    elif kind == "send":
        sms = _live(carrier, job, "outbox")
        if sms is not None:
            _send(carrier, sms, at)
    elif kind == "dlr":
        sms = _live(carrier, job, "sent")
        if sms is not None:
            change(
                carrier,
                sms,
                at,
                status="error",
                error_message=outcomes.message(job["reason"], job.get("detail")),
            )
    elif kind == "lead_text":
        media = [files.sample_media(carrier, name) for name in job.get("media") or []]
        receive(carrier, remote=job["remote"], local=job["local"], text=job["text"], at=at, attachments=media)


def _send(carrier: Carrier, sms: Record, at: datetime) -> None:
    local, remote = sms["local_phone"], sms["remote_phone"]
    number = carrier.our_number(local) if local else None
    sender = sms.get("user_id") or sms.get("created_by")
    not_allowed = carrier.may_send_from(number, sender) if number is not None else None
    refused: tuple[str, str | None] | None = (not_allowed, None) if not_allowed else None
    refused = refused or outcomes.failure_at_send(
        local, remote, opted_out=carrier.state.is_opted_out(local, remote)
    )
    refused = refused or mms.failure_at_send(carrier, sms)
    if refused is not None:
        change(carrier, sms, at, status="error", error_message=outcomes.message(*refused))
        return
    text = sms.get("text") or ""
    over_limit = limits.check(carrier, local, remote, text, at)  # throughput, daily cap (bulk)
    if over_limit is not None:
        change(carrier, sms, at, status="error", error_message=over_limit)
        return
    change(
        carrier,
        sms,
        at,
        status="sent",
        date_sent=iso(at),
        cost=mms.cost(sms) or outcomes.cost(text, sms.get("remote_country_iso")),
    )
    carrier.emit("sent", sms, at=at)
    rng = rng_for(carrier, sms["id"], "outcome")
    late = outcomes.failure_after_sent(
        local,
        remote,
        text,
        landlines=set(carrier.state.meta.get("landlines", [])),
        rng=rng,
        error_rate=carrier.plan.faults.carrier_error_rate,
    )
    if late is not None:
        carrier.schedule(
            "dlr", at + timedelta(seconds=round(rng.uniform(2, 20), 3)), sms, reason=late[0], detail=late[1]
        )
    elif sms.get("user_id") is not None:
        _maybe_reply(carrier, sms, at)


def _maybe_reply(carrier: Carrier, sms: Record, at: datetime) -> None:
    rng = rng_for(carrier, sms["id"], "reply")
    if rng.random() >= carrier.plan.faults.reply_rate:
        return
    text = replies.pick_reply(rng)
    due = at + timedelta(seconds=round(rng.uniform(5, 60), 3))
    media = mms.pick_media(carrier, sms["id"])
    carrier.schedule(
        "lead_text", due, None, remote=sms["remote_phone"], local=sms["local_phone"], text=text, media=media
    )
    if replies.is_stop_word(text) and rng.random() < 0.4:
        later = due + timedelta(minutes=rng.uniform(10, 120))
        carrier.schedule(
            "lead_text", later, None, remote=sms["remote_phone"], local=sms["local_phone"], text="START"
        )


def _lead_for_unknown_number(carrier: Carrier, remote: str, at: datetime) -> Record:
    """Close files a text from an unknown number under a new lead named after the number."""
    formatted, _ = phone_parts(remote)
    lead = make_lead(carrier, display_name=formatted, at=at)
    contact = make_contact(carrier, lead, name="", phones=[(remote, "mobile")], at=at)
    return contact


def receive(
    carrier: Carrier,
    *,
    remote: str,
    local: str,
    text: str,
    at: datetime,
    attachments: list[Record] | None = None,
) -> Record:
    """A lead texts one of our numbers: log it as `inbox` (an MMS with its `attachments`), then
    apply STOP/START/HELP."""
    contact = carrier.contact_by_phone(remote) or _lead_for_unknown_number(carrier, remote, at)
    number = carrier.our_number(local)
    inbound = new_sms(
        carrier,
        at=at,
        status="inbox",
        direction="inbound",
        user_id=number.get("user_id") if number else None,
        local_phone=local,
        remote_phone=remote,
        text=text,
        lead_id=contact["lead_id"],
        contact_id=contact["id"],
        attachments=attachments or [],
    )
    carrier.state.put("sms", inbound)
    carrier.emit("created", inbound, at=at)
    keyword = classify_keyword(text)
    state = carrier.state
    answer: str | None = None
    before = _phones_view(carrier, contact)
    if keyword == "opt_out":
        state.set_opted_out(local, remote, True)
        answer = replies.STOP_REPLY
    elif keyword == "opt_in":
        if state.set_opted_out(local, remote, False):
            answer = replies.START_REPLY
    elif keyword == "help" and not state.is_opted_out(local, remote):
        answer = replies.HELP_REPLY
    after = _phones_view(carrier, contact)
    if after != before:  # a phone's outbound_sms_blocked flipped: Close logs a contact change
        view = public(contact) | {"phones": after}
        carrier.emit(
            "updated", view, at=at, previous={"phones": before}, changed=["phones"], object_type="contact"
        )
    if answer is not None:  # answered a moment later, so it sorts after the keyword
        auto_reply(carrier, inbound, answer, at + timedelta(milliseconds=1))
    return inbound


def _phones_view(carrier: Carrier, contact: Record) -> list[dict[str, Any]]:
    """The contact's phones as the API shows them (with `outbound_sms_blocked`)."""
    blocked = carrier.state.opted_out_remotes()
    return [dict(p, outbound_sms_blocked=p["phone"] in blocked) for p in contact["phones"]]


def auto_reply(carrier: Carrier, inbound: Record, text: str, at: datetime) -> Record:
    """The carrier's keyword confirmation, logged as an outbound SMS sent by nobody (user_id null)."""
    sms = new_sms(
        carrier,
        at=at,
        status="sent",
        direction="outbound",
        user_id=None,
        local_phone=inbound["local_phone"],
        remote_phone=inbound["remote_phone"],
        text=text,
        lead_id=inbound["lead_id"],
        contact_id=inbound["contact_id"],
        date_sent=iso(at),
        cost=outcomes.cost(text, inbound.get("remote_country_iso")),
    )
    carrier.state.put("sms", sms)
    carrier.emit("created", sms, at=at)
    carrier.emit("sent", sms, at=at)
    return sms


def sms_view(sms: Record) -> Record:
    return public(sms)


def render_for(carrier: Carrier, text: str, lead: Record | None, contact: Record | None) -> str:
    """Render a template the way Close does on create: merge fields from the contact, lead, user, org."""
    from sms_tui.core.templates import render, template_context

    user = carrier.me()
    number = carrier.default_number(None)
    context = template_context(
        contact_first_name=(contact or {}).get("_x_first_name") or None,
        contact_last_name=(contact or {}).get("_x_last_name") or None,
        lead_display_name=(lead or {}).get("display_name"),
        user_first_name=user["first_name"],
        user_last_name=user["last_name"],
        user_email=user["email"],
        user_phone=number["number_formatted"],
        organization_name=carrier.organization()["name"],
    )
    return render(text, context).text
