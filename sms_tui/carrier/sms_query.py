"""`GET activity/sms/` filtering and ordering, fast enough for a first sync of 100k SMS.

The sorted order is cached per (collection version, order) so paging with `_skip` does not sort
the whole table on every page; filters compare the stored ISO strings (all written by
`records.iso`, so string order is time order) instead of parsing datetimes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import Request

from sms_tui.carrier.errors import ValidationFailed
from sms_tui.carrier.records import iso
from sms_tui.carrier.state import Record
from sms_tui.carrier.validation import query_dt, query_list

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

ORDER_FIELDS = ("date_created", "activity_at", "date_updated")
_OPS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
Predicate = Callable[[Record], bool]


def _sorted(carrier: Carrier, field: str, newest_first: bool) -> list[Record]:
    """All SMS ordered by `field`; ties keep creation order (reversed with the rest when newest first)."""
    key = (carrier.state.versions["sms"], field, newest_first)
    cached = carrier.cache.get("sms_sorted")
    if cached is not None and cached[0] == key:
        result: list[Record] = cached[1]
        return result
    pairs = list(enumerate(carrier.state.data["sms"].values()))
    pairs.sort(key=lambda p: (p[1][field] or p[1]["date_created"], p[0]), reverse=newest_first)
    ordered = [s for _, s in pairs]
    carrier.cache["sms_sorted"] = (key, ordered)
    return ordered


def _member(field: str, values: set[str]) -> Predicate:
    return lambda s: s.get(field) in values


def _bound(field: str, op: str, bound: str) -> Predicate:
    compare = _OPS[op]
    return lambda s: s.get(field) is not None and bool(compare(s[field], bound))


def predicates(request: Request) -> list[Predicate]:
    """One predicate per filter present in the query (400 for malformed values)."""
    preds: list[Predicate] = []
    for field in ("lead_id", "contact_id", "user_id", "organization_id"):
        values = query_list(request, field)
        if values is not None:
            preds.append(_member(field, set(values)))
    ids = query_list(request, "id__in")
    if ids is not None:
        preds.append(_member("id", set(ids)))
    for field in ("date_created", "activity_at"):
        for op in _OPS:
            bound = query_dt(request, f"{field}__{op}")
            if bound is not None:
                preds.append(_bound(field, op, iso(bound)))
    return preds


def list_sms(carrier: Carrier, request: Request) -> list[Record]:
    """The SMS matching the request's filters, in the requested order (default newest first)."""
    order = request.query_params.get("_order_by", "-date_created")
    field = order.lstrip("-")
    if field not in ORDER_FIELDS:
        raise ValidationFailed(
            [], {"_order_by": "Must be date_created, activity_at or date_updated (optionally with -)."}
        )
    preds = predicates(request)
    ordered = _sorted(carrier, field, order.startswith("-"))
    if not preds:
        return ordered
    return [s for s in ordered if all(p(s) for p in preds)]
