"""`GET activity/sms/` filtering and ordering as one indexed SQL query (see state.py's `sms` table).

Datetime filters compare the stored ISO strings (all written by `records.iso`, so string order is
time order). Ties keep creation order (reversed with the rest when newest first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from sms_tui.carrier.errors import ValidationFailed
from sms_tui.carrier.records import iso
from sms_tui.carrier.validation import query_dt, query_list

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

ORDER_FIELDS = ("date_created", "activity_at", "date_updated")
_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
#: most ids one `id__in`/`lead_id`/… list may hold (SQLite's parameter limit is far above)
MAX_IN = 500


def sms_filter(carrier: Carrier, request: Request) -> tuple[tuple[str, list[Any]], str]:
    """(WHERE clause and parameters, ORDER BY) for the request's filters (400 for malformed values)."""
    order = request.query_params.get("_order_by", "-date_created")
    field = order.lstrip("-")
    if field not in ORDER_FIELDS:
        raise ValidationFailed(
            [], {"_order_by": "Must be date_created, activity_at or date_updated (optionally with -)."}
        )
    way = "DESC" if order.startswith("-") else "ASC"
    clauses: list[str] = []
    params: list[Any] = []
    for name, column in (
        ("lead_id", "lead_id"),
        ("contact_id", "contact_id"),
        ("user_id", "user_id"),
        ("id__in", "id"),
    ):
        values = query_list(request, name)
        if values is None:
            continue
        if len(values) > MAX_IN:
            raise ValidationFailed([], {name: f"At most {MAX_IN} values."})
        clauses.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "0")
        params += values
    orgs = query_list(request, "organization_id")
    if orgs is not None and carrier.organization()["id"] not in orgs:
        clauses.append("0")
    for name in ("date_created", "activity_at"):
        for op, sql_op in _OPS.items():
            bound = query_dt(request, f"{name}__{op}")
            if bound is not None:
                clauses.append(f"{name} {sql_op} ?")
                params.append(iso(bound))
    return (" AND ".join(clauses), params), f"{field} {way}, rid {way}"
