"""The `/api/v1` resources other than events: me, leads, contacts, phone numbers, templates, SMS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sms_tui.carrier import files, sms_ops, sms_query
from sms_tui.carrier.engine import Carrier
from sms_tui.carrier.errors import ApiError, NotFound, ValidationFailed
from sms_tui.carrier.jsonsafe import CloseJSONResponse
from sms_tui.carrier.storage import Record, public
from sms_tui.carrier.team import role_of
from sms_tui.carrier.validation import check_fields, query_int, read_json, select_fields

#: a WHERE clause (without the word) and its parameters
SqlWhere = tuple[str, list[Any]]
#: which knobs (faults.py `max_limit_*` / `max_skip_*`) cap each list
RESOURCE_LIMITS = {"activity/sms": "activity", "lead": "lead", "contact": "contact"}


def carrier_of(request: Request) -> Carrier:
    carrier: Carrier = request.app.state.carrier
    return carrier


def paging(request: Request, resource: str) -> tuple[int, int]:
    """(`_skip`, `_limit`) within the resource's caps, answered as Close answers them: a `_limit`
    above the maximum or a `_skip` past the cap is a 400 `{"error": "... max_skip = N ..."}`."""
    faults = carrier_of(request).plan.faults
    group = RESOURCE_LIMITS.get(resource, "other")
    max_limit: int = getattr(faults, f"max_limit_{group}")
    max_skip: int = getattr(faults, f"max_skip_{group}")
    limit = query_int(request, "_limit", min(100, max_limit))
    skip = query_int(request, "_skip", 0)
    if limit > max_limit:
        raise ApiError(f"The maximum _limit for this resource is {max_limit} (max_limit = {max_limit}).")
    if skip > max_skip:
        raise ApiError(
            f"Paginating this deep is not supported: _skip = {skip} is past max_skip = {max_skip}. "
            "Narrow the query instead, e.g. with a date_created range."
        )
    return skip, limit


def page(
    request: Request,
    items: list[Record],
    *,
    resource: str,
    view: Callable[[list[Record]], list[Record]] | None = None,
) -> CloseJSONResponse:
    """Close's offset paging over a list in memory (the small collections)."""
    skip, limit = paging(request, resource)
    body = _answer(request, items[skip : skip + limit + 1], limit, view)
    return CloseJSONResponse(body)


def page_sql(
    request: Request,
    carrier: Carrier,
    coll: str,
    where: SqlWhere,
    order: str,
    *,
    resource: str,
    total: bool = False,
    view: Callable[[list[Record]], list[Record]] | None = None,
) -> CloseJSONResponse:
    """Close's offset paging over a large collection: one indexed query for the page (+1 row to
    know `has_more`), a count only when `total_results` is asked for."""
    skip, limit = paging(request, resource)
    clause, params = where
    rows = carrier.state.query(coll, clause, params, f"ORDER BY {order} LIMIT ? OFFSET ?", [limit + 1, skip])
    body = _answer(request, rows, limit, view)
    if total:
        sql = f"SELECT COUNT(*) FROM {coll}" + (f" WHERE {clause}" if clause else "")
        body["total_results"] = carrier.state.scalar(sql, params)
    return CloseJSONResponse(body)


def _answer(
    request: Request,
    rows: list[Record],
    limit: int,
    view: Callable[[list[Record]], list[Record]] | None,
) -> dict[str, Any]:
    """`{"data": [...], "has_more": bool}` from up to `limit + 1` rows."""
    chunk = rows[:limit]
    shown = view(chunk) if view else [public(item) for item in chunk]
    body: dict[str, Any] = {
        "data": [select_fields(item, request) for item in shown],
        "has_more": len(rows) > limit,
    }
    return body


def one(request: Request, item: Record) -> CloseJSONResponse:
    return CloseJSONResponse(select_fields(public(item), request))


def _contact_view(carrier: Carrier, contact: Record, blocked: set[str] | None = None) -> Record:
    blocked = carrier.state.opted_out_remotes() if blocked is None else blocked
    view = public(contact)
    view["phones"] = [dict(p, outbound_sms_blocked=p["phone"] in blocked) for p in contact["phones"]]
    return view


def _contact_views(carrier: Carrier, contacts: list[Record]) -> list[Record]:
    blocked = carrier.state.opted_out_remotes()
    return [_contact_view(carrier, c, blocked) for c in contacts]


def _lead_views(carrier: Carrier, leads: list[Record]) -> list[Record]:
    """Leads with their contacts embedded, as Close returns them."""
    by_lead: dict[str, list[Record]] = {lead["id"]: [] for lead in leads}
    for contact in carrier.state.contacts_of_leads(list(by_lead)):
        by_lead[contact["lead_id"]].append(contact)
    views = []
    for lead in leads:
        contacts = _contact_views(carrier, by_lead[lead["id"]])
        phones = [p for c in contacts for p in c["phones"]]
        emails = [e for c in contacts for e in c["emails"]]
        views.append(
            public(lead)
            | {
                "contacts": contacts,
                "contact_ids": [c["id"] for c in contacts],
                # Close gives the first contact's first phone / email as the object, not the bare value
                "primary_phone": phones[0] if phones else None,
                "primary_email": emails[0] if emails else None,
            }
        )
    return views


async def me(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    with carrier.lock:
        user, org = carrier.me(), carrier.organization()
        numbers = [
            public(n)
            for n in carrier.state.all("phone_number")
            if n["user_id"] == user["id"] or user["id"] in n["participants"]
        ]
        body = public(user) | {
            "display_name": f"{user['first_name']} {user['last_name']}",
            "organizations": [
                {
                    "id": org["id"],
                    "name": org["name"],
                    "lead_statuses": [{"id": org["_x_status_id"], "label": "Potential"}],
                    "pipelines": [],
                }
            ],
            "memberships": [
                {
                    "id": "memb_" + user["id"][5:],
                    "organization_id": org["id"],
                    "user_id": user["id"],
                    "role_id": role_of(user),
                }
            ],  # fmt: skip
            "phone_numbers": numbers,
        }
    return CloseJSONResponse(select_fields(body, request))


_SORTS = {"created": "date_created", "updated": "date_updated", "name": "display_name"}


def _lead_query(query: str | None) -> tuple[SqlWhere, str]:
    """The legacy `query` parameter: plain words (the name contains each) and `sort:created`,
    `sort:-created`, `sort:updated`, `sort:name` (the last sort wins); newest first without one."""
    clauses: list[str] = []
    params: list[Any] = []
    order = "date_created DESC, id DESC"
    for token in (query or "").split():
        if token.startswith("sort:"):
            key = token[5:]
            field = _SORTS.get(key.lstrip("-"))
            if field is None:
                raise ValidationFailed([f"Cannot sort by {key!r}."])
            way = "DESC" if key.startswith("-") else "ASC"
            order = f"{field} {way}, id {way}"
        else:
            word = token.strip('"').replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("display_name LIKE ? ESCAPE '\\'")
            params.append(f"%{word}%")
    return (" AND ".join(clauses), params), order


async def lead_list(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    query = request.query_params.get("query")
    where, order = _lead_query(query)
    with carrier.lock:
        return page_sql(
            request,
            carrier,
            "lead",
            where,
            order,
            resource="lead",
            total=query is not None,
            view=lambda chunk: _lead_views(carrier, chunk),
        )


async def lead_get(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    with carrier.lock:
        lead = carrier.state.get("lead", request.path_params["id"])
        if lead is None:
            raise NotFound(f"Lead {request.path_params['id']} was not found.")
        return one(request, _lead_views(carrier, [lead])[0])


async def contact_list(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    lead_id = request.query_params.get("lead_id")
    where: SqlWhere = ("lead_id = ?", [lead_id]) if lead_id is not None else ("", [])
    with carrier.lock:
        return page_sql(
            request, carrier, "contact", where, "rid", resource="contact",
            view=lambda chunk: _contact_views(carrier, chunk),
        )  # fmt: skip


def _getter(coll: str, label: str, view: Callable[[Carrier, Record], Record] | None = None) -> Any:
    async def get(request: Request) -> CloseJSONResponse:
        carrier = carrier_of(request)
        with carrier.lock:
            item = carrier.state.get(coll, request.path_params["id"])
            if item is None:
                raise NotFound(f"{label} {request.path_params['id']} was not found.")
            return one(request, view(carrier, item) if view else item)

    return get


async def phone_number_list(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    q = request.query_params
    with carrier.lock:
        items = list(carrier.state.all("phone_number"))
    if "number" in q:
        items = [n for n in items if n["number"] == q["number"]]
    for key in ("participant_user_id", "user_id"):
        if key in q:
            items = [n for n in items if q[key] in n["participants"]]
    if "is_group_number" in q:
        wanted = {"true": True, "1": True, "false": False, "0": False}.get(q["is_group_number"].lower())
        if wanted is None:
            raise ValidationFailed([], {"is_group_number": "Must be true or false."})
        items = [n for n in items if n["is_group_number"] is wanted]
    return page(request, items, resource="phone_number")


def _include_attachments(request: Request) -> bool:
    return request.query_params.get("include_attachments", "").lower() in ("true", "1", "yes")


async def template_list(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    with carrier.lock:
        include = _include_attachments(request)
        items = [
            files.template_view(carrier, t, include_attachments=include)
            for t in list(carrier.state.all("sms_template"))
        ]
        return page(request, items, resource="sms_template")


async def template_get(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    with carrier.lock:
        item = carrier.state.get("sms_template", request.path_params["id"])
        if item is None:
            raise NotFound(f"SMS template {request.path_params['id']} was not found.")
        return one(
            request, files.template_view(carrier, item, include_attachments=_include_attachments(request))
        )


async def sms_list(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    with carrier.lock:
        where, order = sms_query.sms_filter(carrier, request)
        return page_sql(request, carrier, "sms", where, order, resource="activity/sms")


async def sms_create(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    body = check_fields(await read_json(request), sms_ops.CREATE_SCHEMA)
    with carrier.lock:
        sms = sms_ops.create(carrier, body)
        return one(request, sms)


async def sms_update(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    body = check_fields(await read_json(request), sms_ops.UPDATE_SCHEMA)
    with carrier.lock:
        sms = sms_ops.get_sms(carrier, request.path_params["id"])
        return one(request, sms_ops.update(carrier, sms, body))


async def sms_delete(request: Request) -> CloseJSONResponse:
    carrier = carrier_of(request)
    with carrier.lock:
        sms_ops.delete(carrier, sms_ops.get_sms(carrier, request.path_params["id"]))
    return CloseJSONResponse({})


ROUTES = [
    Route("/me/", me),
    Route("/lead/", lead_list),
    Route("/lead/{id}/", lead_get),
    Route("/contact/", contact_list),
    Route("/contact/{id}/", _getter("contact", "Contact", _contact_view)),
    Route("/phone_number/", phone_number_list),
    Route("/phone_number/{id}/", _getter("phone_number", "Phone number")),
    Route("/sms_template/", template_list),
    Route("/sms_template/{id}/", template_get),
    Route("/activity/sms/", sms_list, methods=["GET"]),
    Route("/activity/sms/", sms_create, methods=["POST"]),
    Route("/activity/sms/{id}/", _getter("sms", "SMS activity"), methods=["GET"]),
    Route("/activity/sms/{id}/", sms_update, methods=["PUT"]),
    Route("/activity/sms/{id}/", sms_delete, methods=["DELETE"]),
]
