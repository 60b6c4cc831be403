"""`GET /api/v1/event/`: Close's event log, newest first, cursor-paged (§a.10).

Only Close's documented filter combinations are accepted (any of them may add date_updated
bounds); anything else is a 400, as a poller against real Close would get.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sms_tui.carrier.engine import Carrier
from sms_tui.carrier.errors import ApiError, NotFound, ValidationFailed
from sms_tui.carrier.jsonsafe import CloseJSONResponse
from sms_tui.carrier.records import naive_iso
from sms_tui.carrier.routes_api import carrier_of
from sms_tui.carrier.storage import Record, public
from sms_tui.carrier.team import role_of
from sms_tui.carrier.validation import query_dt, query_int, select_fields

MAX_EVENT_LIMIT = 50
_SQL_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
FILTERS = ("object_type", "object_id", "action", "lead_id", "user_id", "request_id")
ALLOWED_COMBINATIONS: frozenset[frozenset[str]] = frozenset(
    frozenset(c)
    for c in (
        (),
        ("object_type", "object_id"),
        ("object_type", "action"),
        ("object_id", "action"),
        ("lead_id", "object_type"),
        ("lead_id", "object_type", "action"),
        ("lead_id", "user_id", "object_type"),
        ("lead_id", "user_id", "object_type", "action"),
        ("lead_id", "user_id"),
        ("user_id", "object_id"),
        ("user_id", "object_id", "action"),
        ("user_id", "object_type"),
        ("user_id", "object_type", "action"),
        ("lead_id",),
        ("user_id",),
        ("request_id",),
    )
)


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": seq}).encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        return int(data["before"])
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed([], {"_cursor": "Not a valid cursor."}) from None


def _reader(request: Request) -> tuple[Carrier, bool]:
    """The carrier and whether the caller is an admin; 400 for keys without event-log access."""
    carrier = carrier_of(request)
    user = carrier.me()
    if not user.get("_x_event_log", True):
        raise ApiError(
            "This API key does not have access to the event log; ask an admin of the organization."
        )
    return carrier, role_of(user) == "admin"


def _shown(carrier: Carrier, ev: Record, admin: bool, now: datetime) -> bool:
    """Whether the event exists for the API now: not past retention, and already visible."""
    visible_at = ev.get("_x_visible_at")
    if visible_at is not None and visible_at > naive_iso(now):
        return False
    days = carrier.plan.faults.event_retention_days
    return not days or ev["date_updated"] >= naive_iso(now - timedelta(days=days))


def _view(carrier: Carrier, ev: Record, admin: bool, now: datetime) -> Record:
    """The event as the caller may see it: non-admins lose `data`/`previous_data` after an hour."""
    out = public(ev)
    hide = carrier.plan.faults.event_hide_after_seconds
    if not admin and hide and ev["date_updated"] < naive_iso(now - timedelta(seconds=hide)):
        out["data"] = out["previous_data"] = None
    return out


async def event_list(request: Request) -> CloseJSONResponse:
    q = request.query_params
    used = frozenset(k for k in FILTERS if k in q)
    if used not in ALLOWED_COMBINATIONS:
        raise ValidationFailed(
            [f"This combination of filters is not supported: {', '.join(sorted(used))}."],
            {},
        )
    limit = query_int(request, "_limit", MAX_EVENT_LIMIT, maximum=MAX_EVENT_LIMIT)
    if "_skip" in q:
        raise ValidationFailed([], {"_skip": "The event log is paged with _cursor, not _skip."})
    before = _decode_cursor(q["_cursor"]) if q.get("_cursor") else None
    # event datetimes are stored as naive UTC ISO strings, so bounds compare as strings of that form
    clauses = [f"{k} = ?" for k in sorted(used)]
    params: list[Any] = [q[k] for k in sorted(used)]
    for op, sql_op in _SQL_OPS.items():
        dt = query_dt(request, f"date_updated__{op}")
        if dt is not None:
            clauses.append(f"date_updated {sql_op} ?")
            params.append(naive_iso(dt))
    if before is not None:
        clauses.append("seq < ?")
        params.append(before)
    carrier, admin = _reader(request)
    now = carrier.now()
    # what exists for the API now: visible already (some events show up late) and not past retention
    clauses.append("(visible_at IS NULL OR visible_at <= ?)")
    params.append(naive_iso(now))
    days = carrier.plan.faults.event_retention_days
    if days:
        clauses.append("date_updated >= ?")
        params.append(naive_iso(now - timedelta(days=days)))
    with carrier.lock:
        # seq grows with date_updated (a consolidated event gets a new one), so newest first is seq DESC
        rows = carrier.state.query(
            "event", " AND ".join(clauses), params, "ORDER BY seq DESC LIMIT ?", [limit + 1]
        )
        picked = rows[:limit]
        more = len(rows) > limit
        return CloseJSONResponse(
            {
                "data": [_view(carrier, e, admin, now) for e in picked],
                "cursor_next": _encode_cursor(picked[-1]["_x_seq"]) if more and picked else None,
                "cursor_previous": None,
            }
        )


async def event_get(request: Request) -> CloseJSONResponse:
    carrier, admin = _reader(request)
    now = carrier.now()
    with carrier.lock:
        ev = carrier.state.get("event", request.path_params["id"])
        if ev is None or not _shown(carrier, ev, admin, now):
            raise NotFound(f"Event {request.path_params['id']} was not found.")
        return CloseJSONResponse(select_fields(_view(carrier, ev, admin, now), request))


ROUTES = [Route("/event/", event_list), Route("/event/{id}/", event_get)]
