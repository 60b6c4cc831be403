"""Create, update and delete SMS activities with Close's rules and state machine (§a.4, §a.6).

| from \\ to | draft | scheduled | outbox | other |
| create    | yes   | yes (+date_scheduled) | yes (+send_in < 60) | sent, inbox, error: logged |
| draft     | edit  | yes       | yes    | no    |
| scheduled | cancel| no        | (system at date_scheduled) | no |
| outbox    | cancel while unsent | no | - | (system: sent / error) |
| sent, error, inbox | no | no | no | no |
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sms_tui.carrier import mms
from sms_tui.carrier.errors import NotFound, ValidationFailed, field_error
from sms_tui.carrier.records import iso, phone_parts
from sms_tui.carrier.simulation import new_sms, render_for, set_phones, start_sending
from sms_tui.carrier.storage import Record, public
from sms_tui.carrier.validation import Field
from sms_tui.core.phones import PhoneError, parse_phone

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

STATUSES = ("inbox", "draft", "scheduled", "outbox", "sent", "error")
MAX_TEXT = 1000
MAX_SEND_IN = 60
_S = Field("str")
_DT = Field("datetime")
UPDATE_SCHEMA: dict[str, Field] = {
    "status": Field("enum", False, STATUSES),
    "text": _S,
    "template_id": _S,
    "local_phone": _S,
    "remote_phone": _S,
    "lead_id": _S,
    "contact_id": _S,
    "user_id": _S,
    "activity_at": _DT,
    "attachments": Field("list"),
    "date_scheduled": _DT,
    "send_in": Field("number"),
}
CREATE_SCHEMA: dict[str, Field] = {
    **UPDATE_SCHEMA,
    "direction": Field("enum", True, ("inbound", "outbound")),
    "source": Field("enum", True, ("Close.io", "External")),
    "date_created": _DT,
    "created_by": _S,
    "organization_id": _S,
}


def get_sms(carrier: Carrier, sms_id: str) -> Record:
    sms = carrier.state.get("sms", sms_id)
    if sms is None:
        raise NotFound(f"SMS activity {sms_id} was not found.")
    return sms


def _check_refs(carrier: Carrier, v: dict[str, Any]) -> None:
    """Resolve lead/contact/user ids (400 for unknown ones) and fill lead_id from the contact."""
    state = carrier.state
    if v.get("contact_id"):
        contact = state.get("contact", v["contact_id"])
        if contact is None:
            raise field_error("contact_id", f"Contact {v['contact_id']} does not exist.")
        if v.get("lead_id") and v["lead_id"] != contact["lead_id"]:
            raise field_error("contact_id", "This contact belongs to another lead.")
        v["lead_id"] = contact["lead_id"]
    if v.get("lead_id") and state.get("lead", v["lead_id"]) is None:
        raise field_error("lead_id", f"Lead {v['lead_id']} does not exist.")
    for key in ("user_id", "created_by"):
        if v.get(key) and state.get("user", v[key]) is None:
            raise field_error(key, f"User {v[key]} does not exist.")
    if v.get("organization_id") and v["organization_id"] != carrier.organization()["id"]:
        raise field_error("organization_id", "Not your organization.")


def _check_phones(carrier: Carrier, v: dict[str, Any]) -> None:
    if v.get("remote_phone"):
        try:
            v["remote_phone"] = parse_phone(v["remote_phone"]).e164
        except PhoneError as exc:
            raise field_error("remote_phone", str(exc)) from None
    if v.get("local_phone"):
        try:
            local = parse_phone(v["local_phone"]).e164
        except PhoneError as exc:
            raise field_error("local_phone", str(exc)) from None
        if carrier.our_number(local) is None:
            # Close checks who may use an org number when it sends (an async `error`, see simulation)
            raise field_error("local_phone", "This is not one of your organization's phone numbers.")
        v["local_phone"] = local


def _apply_template(carrier: Carrier, v: dict[str, Any], lead_id: str | None, contact_id: str | None) -> None:
    tid = v.get("template_id")
    if not tid:
        return
    tmpl = carrier.state.get("sms_template", tid)
    if tmpl is None:
        raise field_error("template_id", f"SMS template {tid} does not exist.")
    lead = carrier.state.get("lead", lead_id) if lead_id else None
    contact = carrier.state.get("contact", contact_id) if contact_id else None
    if "text" not in v or not v["text"]:
        v["text"] = render_for(carrier, tmpl["text"], lead, contact)


def _fill_phones(carrier: Carrier, sms: Record) -> None:
    """Fill what Close would: the contact's number (mobile first) and a same-country sending number."""
    if not sms.get("remote_phone") and sms.get("contact_id"):
        contact = carrier.state.get("contact", sms["contact_id"]) or {"phones": []}
        phones = sorted(contact["phones"], key=lambda p: p["type"] != "mobile")
        if phones:
            set_phones(sms, sms.get("local_phone"), phones[0]["phone"])
    if not sms.get("local_phone") and sms.get("remote_phone"):
        _, country = phone_parts(sms["remote_phone"])
        number = carrier.default_number(country, sms.get("user_id") or sms.get("created_by"))
        set_phones(sms, number["number"], sms["remote_phone"])


def _ready_to_send(carrier: Carrier, sms: Record, status: str) -> None:
    """What an outbox or scheduled SMS needs: text, a recipient, a date when scheduled."""
    _fill_phones(carrier, sms)
    errs: dict[str, str] = {}
    if not (sms.get("text") or "").strip() and not sms.get("attachments"):
        errs["text"] = "This field is required to send an SMS."
    if not sms.get("remote_phone"):
        errs["remote_phone"] = "This field is required to send an SMS."
    if status == "scheduled" and not sms.get("date_scheduled"):
        errs["date_scheduled"] = "This field is required when status is scheduled."
    if errs:
        raise ValidationFailed([], errs)


def _send_in(v: dict[str, Any], status: str) -> float:
    send_in = v.get("send_in")
    if send_in is None:
        return 0.0
    if status != "outbox":
        raise field_error("send_in", "send_in is only allowed when status is outbox.")
    if not 0 <= send_in < MAX_SEND_IN:
        raise field_error("send_in", "Must be at least 0 and less than 60 seconds.")
    return float(send_in)


def _text_ok(v: dict[str, Any]) -> None:
    if v.get("text") is not None and len(v["text"]) > MAX_TEXT:
        raise field_error("text", f"SMS text is limited to {MAX_TEXT} characters.")


def create(carrier: Carrier, v: dict[str, Any]) -> Record:
    now = carrier.now()
    if "status" not in v:
        raise field_error("status", "This field is required.")
    status: str = v["status"]
    send_in = _send_in(v, status)
    _check_refs(carrier, v)
    _check_phones(carrier, v)
    _apply_template(carrier, v, v.get("lead_id"), v.get("contact_id"))
    _text_ok(v)
    direction = v.get("direction") or ("inbound" if status == "inbox" else "outbound")
    logged = status in ("inbox", "sent", "error")
    source = v.get("source") or ("External" if logged else "Close.io")
    created: datetime = v.get("date_created") or now
    fields: dict[str, Any] = {
        k: v[k]
        for k in ("text", "template_id", "lead_id", "contact_id", "local_phone", "remote_phone")
        if k in v
    }
    if v.get("user_id"):
        fields["user_id"] = v["user_id"]
    sms = new_sms(carrier, at=created, status=status, direction=direction, source=source, **fields)
    if v.get("created_by"):
        sms["created_by"] = v["created_by"]
    if v.get("activity_at"):
        sms["activity_at"] = iso(v["activity_at"])
    if v.get("date_scheduled"):
        sms["date_scheduled"] = iso(v["date_scheduled"])
    if v.get("attachments"):
        sms["attachments"] = mms.check_attachments(carrier, v["attachments"])
    if status == "sent":
        sms["date_sent"] = sms["activity_at"]
    if status in ("outbox", "scheduled"):
        _ready_to_send(carrier, sms, status)
    elif direction == "outbound":
        _fill_phones(carrier, sms)
    carrier.state.put("sms", sms)
    carrier.emit("created", sms, at=now)
    _launch(carrier, sms, status, now, send_in)
    return sms


def _launch(carrier: Carrier, sms: Record, status: str, now: datetime, send_in: float) -> None:
    if status == "outbox":
        start_sending(carrier, sms, now, send_in)
    elif status == "scheduled":
        carrier.schedule("release", datetime.fromisoformat(sms["date_scheduled"]), sms)


def update(carrier: Carrier, sms: Record, v: dict[str, Any]) -> Record:
    now = carrier.now()
    current = sms["status"]
    if not v:
        return sms
    target = v.get("status", current)
    if current in ("scheduled", "outbox"):
        if set(v) != {"status"} or target != "draft":
            raise ValidationFailed(
                ["Only drafts can be modified."],
                {"status": f"A {current} SMS can only be moved back to draft (cancelled)."},
            )
        return _apply(carrier, sms, {"status": "draft", "date_scheduled": None}, now)
    if current != "draft":
        raise ValidationFailed(
            ["Only drafts can be modified."], {"status": f"An SMS with status {current} cannot be changed."}
        )
    if target not in ("draft", "scheduled", "outbox"):
        raise ValidationFailed(
            ["A draft can only become scheduled or outbox."],
            {"status": f"Cannot change a draft to {target}."},
        )
    send_in = _send_in(v, target)
    merged = {k: sms.get(k) for k in ("lead_id", "contact_id")} | v
    _check_refs(carrier, merged)
    _check_phones(carrier, v)
    _apply_template(carrier, v, merged.get("lead_id"), merged.get("contact_id"))
    _text_ok(v)
    changes: dict[str, Any] = {}
    for key in ("text", "template_id", "lead_id", "contact_id", "user_id"):
        if key in v or (key == "lead_id" and merged.get("lead_id") != sms.get("lead_id")):
            changes[key] = merged[key] if key == "lead_id" else v[key]
    for key in ("activity_at", "date_scheduled"):
        if key in v:
            changes[key] = iso(v[key]) if v[key] else None
    if "attachments" in v:
        changes["attachments"] = mms.check_attachments(carrier, v["attachments"] or [])
    if "user_id" in v:
        user = carrier.state.get("user", v["user_id"]) if v["user_id"] else None
        changes["users"] = [user["id"]] if user else []
        changes["user_name"] = f"{user['first_name']} {user['last_name']}" if user else None
    trial = dict(sms) | changes
    if "local_phone" in v or "remote_phone" in v:
        set_phones(
            trial, v.get("local_phone", sms["local_phone"]), v.get("remote_phone", sms["remote_phone"])
        )
    if target in ("outbox", "scheduled"):
        _ready_to_send(carrier, trial, target)
    for key in ("local_phone", "local_phone_formatted", "local_country_iso", "remote_phone",
                "remote_phone_formatted", "remote_country_iso"):  # fmt: skip
        if trial.get(key) != sms.get(key):
            changes[key] = trial[key]
    changes["status"] = target
    _apply(carrier, sms, changes, now)
    if target != "draft":
        _launch(carrier, sms, target, now, send_in)
    return sms


def _apply(carrier: Carrier, sms: Record, changes: dict[str, Any], now: datetime) -> Record:
    previous = {k: sms.get(k) for k, val in changes.items() if sms.get(k) != val}
    if not previous:
        return sms
    sms.update(changes)
    sms["date_updated"] = iso(now)
    sms["_x_gen"] = sms.get("_x_gen", 0) + 1  # any pending job for the old state is void
    me = carrier.me()
    sms["updated_by"], sms["updated_by_name"] = me["id"], f"{me['first_name']} {me['last_name']}"
    carrier.state.touch("sms", sms["id"])
    carrier.emit("updated", sms, at=now, previous=previous, changed=previous.keys())
    return sms


def delete(carrier: Carrier, sms: Record) -> None:
    now = carrier.now()
    carrier.state.delete("sms", sms["id"])
    carrier.emit("deleted", sms, at=now, previous=public(sms), changed=())
