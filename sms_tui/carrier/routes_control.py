"""Control endpoints under `/_carrier/`: things Close has no API for (a lead texting us, time,
faults, reset, a full dump). They need the same API key as `/api/v1`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sms_tui.carrier import mms, simulation, team
from sms_tui.carrier.errors import ValidationFailed, field_error
from sms_tui.carrier.jsonsafe import CloseJSONResponse
from sms_tui.carrier.records import iso
from sms_tui.carrier.routes_api import carrier_of
from sms_tui.carrier.storage import COLLECTIONS, public
from sms_tui.carrier.team import role_of
from sms_tui.carrier.validation import Field, check_fields, read_json
from sms_tui.core.phones import PhoneError, parse_phone

INBOUND_SCHEMA = {
    "from": Field("str", False),
    "to": Field("str", False),
    "text": Field("str", False),
    "media": Field("list", False),
}


async def inbound(request: Request) -> CloseJSONResponse:
    """A lead texts one of our numbers: `{"from": lead's number, "to": our number, "text": ...}`,
    an MMS with `"media": ["roof.jpg", {"filename", "content_type", "data": base64}, ...]` (then
    `text` may be left out)."""
    body = check_fields(await read_json(request), INBOUND_SCHEMA)
    if body.get("media"):
        body.setdefault("text", "")
    missing = {k: "This field is required." for k in ("from", "to", "text") if k not in body}
    if missing:
        raise ValidationFailed([], missing)
    carrier = carrier_of(request)
    try:
        sender = parse_phone(body["from"])
    except PhoneError as exc:
        raise field_error("from", str(exc)) from None
    if sender.is_short_code:
        raise field_error("from", "Close numbers cannot receive texts from short codes.")
    try:
        to = parse_phone(body["to"]).e164
    except PhoneError as exc:
        raise field_error("to", str(exc)) from None
    remote = sender.e164
    with carrier.lock:
        number = carrier.our_number(to)
        if number is None:
            raise field_error("to", "Not one of the organization's numbers.")
        media = mms.inbound_media(carrier, body.get("media") or [])
        sms = simulation.receive(
            carrier,
            remote=remote,
            local=number["number"],
            text=body["text"],
            at=carrier.now(),
            attachments=media,
        )
        return CloseJSONResponse(public(sms))


async def clock(request: Request) -> CloseJSONResponse:
    """GET: the carrier's time. POST `{"advance": seconds}`: move a fake clock (then run what is due)."""
    carrier = carrier_of(request)
    if request.method == "POST":
        body = check_fields(await read_json(request), {"advance": Field("number", False)})
        seconds = body.get("advance", 0)
        if seconds < 0:
            raise field_error("advance", "A clock cannot go backwards.")
        if seconds and not carrier.is_fake_clock:
            raise field_error("advance", "This carrier runs on the real clock; it cannot be advanced.")
        if seconds:
            carrier.clock.advance(seconds)  # type: ignore[attr-defined]
    ran = carrier.tick()
    return CloseJSONResponse({"now": iso(carrier.now()), "fake": carrier.is_fake_clock, "ran": ran})


async def faults(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    if request.method == "POST":
        carrier.plan.faults.update(await read_json(request))
    return CloseJSONResponse(carrier.plan.faults.as_dict())


async def reset(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    carrier.reset()
    return CloseJSONResponse({"ok": True, "now": iso(carrier.now())})


async def state(request: Request) -> CloseJSONResponse:
    """Every SMS as the carrier holds it (`?lead_id=` for one lead's, `?sms=false` for none), opt-outs,
    pending jobs and faults."""
    carrier = carrier_of(request)
    lead_id = request.query_params.get("lead_id")
    with_sms = request.query_params.get("sms", "true").lower() not in ("0", "false", "no")
    with carrier.lock:
        if not with_sms:
            sms = []
        elif lead_id is None:
            sms = [public(s) for s in carrier.state.all("sms")]
        else:
            sms = [public(s) for s in carrier.state.query("sms", "lead_id = ?", [lead_id], "ORDER BY rid")]
        body = {
            "now": iso(carrier.now()),
            "seed": carrier.seed,
            "counts": {c: carrier.state.count(c) for c in COLLECTIONS},
            "sms": sms,
            "opt_outs": [
                {"local_phone": p.split("|")[0], "remote_phone": p.split("|")[1]}
                for p in carrier.state.meta.get("opt_outs", [])
            ],
            "landlines": list(carrier.state.meta.get("landlines", [])),
            "jobs": [{k: v for k, v in j.items() if not k.startswith("_x_")} for j in carrier.pending_jobs()],
            "faults": carrier.plan.faults.as_dict(),
            "api_keys": [
                {
                    "key": key,
                    "user_id": user["id"],
                    "role": role_of(user),
                    "event_log": user.get("_x_event_log", True),
                }
                for key, user in team.keys_for(list(carrier.state.all("user")), request.app.api_key).items()
            ],
        }
    return CloseJSONResponse(body)


ROUTES = [
    Route("/inbound", inbound, methods=["POST"]),
    Route("/clock", clock, methods=["GET", "POST"]),
    Route("/faults", faults, methods=["GET", "POST"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/state", state, methods=["GET"]),
]
