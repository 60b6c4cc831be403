"""Every answer the app relies on conforms to Close's published schema (issue 8, item 1).

The schemas come from `tests/fixtures/close-openapi-sms.yml` (a copy of Close's published OpenAPI
document, SMS subset; its header says where from), resolved and checked by `jsonschema` (Draft 2020-12,
the dialect of OpenAPI 3.1) with format checking (`date-time` per RFC 3339). Where Close's document
leaves a response as "Empty response body" (`/me/`, `/event/`, `/sms_template/`) the test adds the
fields Close's documentation lists for it (`SUPPLEMENT` below) so those answers are checked too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.carrier.conftest import Carrier

SPEC_PATH = Path(__file__).parent.parent / "fixtures" / "close-openapi-sms.yml"
BASE = "urn:close-openapi"
NAIVE_DT = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$"}
_NULLABLE_STR = {"type": ["string", "null"]}

#: Close's docs for the responses the OpenAPI document leaves empty (developer.close.com: Event Log
#: "Event format"; SMS Templates; Me). Event and template datetimes are naive UTC, as Close sends them.
EVENT = {
    "type": "object",
    "required": [
        "id", "date_created", "date_updated", "organization_id", "user_id", "request_id", "api_key_id",
        "object_type", "object_id", "lead_id", "action", "changed_fields", "data", "previous_data", "meta",
    ],
    "properties": {
        "id": {"type": "string", "pattern": "^ev_"},
        "date_created": NAIVE_DT,
        "date_updated": NAIVE_DT,
        "organization_id": {"type": "string"},
        "user_id": _NULLABLE_STR,
        "request_id": _NULLABLE_STR,
        "api_key_id": _NULLABLE_STR,
        "object_type": {"enum": ["activity.sms", "lead", "contact"]},
        "object_id": {"type": "string"},
        "lead_id": _NULLABLE_STR,
        "action": {"type": "string"},
        "changed_fields": {"type": "array", "items": {"type": "string"}},
        "data": {"type": ["object", "null"]},
        "previous_data": {"type": ["object", "null"]},
        "meta": {"type": "object"},
    },
    "additionalProperties": False,
}  # fmt: skip
SMS_TEMPLATE = {
    "type": "object",
    "required": [
        "id", "name", "text", "is_shared", "status", "owned_by", "created_by", "updated_by",
        "organization_id", "date_created", "date_updated",
    ],
    "properties": {
        "id": {"type": "string", "pattern": "^smstmpl_"},
        "name": {"type": "string"},
        "text": {"type": "string"},
        "is_shared": {"type": "boolean"},
        "status": {"$ref": f"{BASE}#/components/schemas/SMSTemplateStatus"},
        "date_created": NAIVE_DT,
        "date_updated": NAIVE_DT,
        "attachments": {"type": "array"},
    },
}  # fmt: skip
ME = {
    "type": "object",
    "required": ["id", "first_name", "last_name", "email", "organizations", "memberships", "phone_numbers"],
    "properties": {
        "id": {"type": "string", "pattern": "^user_"},
        "organizations": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "object", "required": ["id", "name", "lead_statuses"]},
        },
        "memberships": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "organization_id", "user_id", "role_id"]},
        },
        "phone_numbers": {"type": "array", "items": {"$ref": f"{BASE}#/components/schemas/PhoneNumber"}},
    },
}
SUPPLEMENT: dict[str, dict[str, Any]] = {
    "users_getMe_Response_200": ME,
    "events_get_Response_200": EVENT,
    "events_list_Response_200": {
        "type": "object",
        "required": ["data", "cursor_next", "cursor_previous"],
        "properties": {"data": {"type": "array", "items": EVENT}},
    },
    "sms_templates_get_Response_200": SMS_TEMPLATE,
    "sms_templates_list_Response_200": {
        "type": "object",
        "required": ["data", "has_more"],
        "properties": {"data": {"type": "array", "items": SMS_TEMPLATE}, "has_more": {"type": "boolean"}},
    },
}


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


@cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(_spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(BASE, resource)
    return registry


def _response_schema(path: str, method: str) -> dict[str, Any]:
    ref: str = _spec()["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ]
    name = ref.rsplit("/", 1)[1]
    schema = _spec()["components"]["schemas"][name]
    if schema.get("description") == "Empty response body":
        return SUPPLEMENT[name]
    return {"$ref": f"{BASE}{ref}"}


def assert_conforms(body: Any, path: str, method: str = "get") -> None:
    validator = Draft202012Validator(
        _response_schema(path, method), registry=_registry(), format_checker=FormatChecker()
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    shown = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]]
    assert not errors, f"{method.upper()} {path}: {len(errors)} violations\n" + "\n".join(shown)


async def _all(c: Carrier, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a list, each page checked against its schema."""
    items: list[dict[str, Any]] = []
    skip = 0
    while True:
        body = await c.get(path, _skip=skip, **params)
        assert_conforms(body, "/" + path)
        items += body["data"]
        if not body["has_more"]:
            return items
        skip += len(body["data"])


def test_the_fixture_is_closes_document() -> None:
    spec = _spec()
    assert spec["openapi"].startswith("3.1")
    for path in ("/lead/", "/contact/", "/phone_number/", "/activity/sms/", "/event/", "/sms_template/"):
        assert path in spec["paths"]
    Draft202012Validator.check_schema(spec["components"]["schemas"]["Lead"])


def test_the_checker_catches_a_violation() -> None:
    """The validator is not vacuous: a lead with `primary_phone` as a bare string fails."""
    lead: dict[str, Any] = {
        "id": "lead_x", "contact_ids": [], "created_by": None, "updated_by": None, "date_created":
        "2026-01-01T00:00:00+00:00", "date_updated": "2026-01-01T00:00:00+00:00", "description": "",
        "html_url": "h", "name": "n", "organization_id": "o", "status_id": "s", "url": None,
    }  # fmt: skip
    assert_conforms(lead, "/lead/{id}/")
    with pytest.raises(AssertionError, match="primary_phone"):
        assert_conforms(lead | {"primary_phone": "+14155550100"}, "/lead/{id}/")
    with pytest.raises(AssertionError, match="date_created"):
        assert_conforms(lead | {"date_created": "yesterday"}, "/lead/{id}/")


async def test_reads_conform(carrier: Carrier) -> None:
    me = await carrier.get("me/")
    assert_conforms(me, "/me/")
    leads = await _all(carrier, "lead/", _limit=100)
    assert leads and any(lead["primary_phone"] for lead in leads)
    assert_conforms(await carrier.get(f"lead/{leads[0]['id']}/"), "/lead/{id}/")
    contacts = await _all(carrier, "contact/", _limit=100)
    assert any(len(c["phones"]) > 1 for c in contacts) or contacts
    assert_conforms(await carrier.get(f"contact/{contacts[0]['id']}/"), "/contact/{id}/")
    assert_conforms(await carrier.get("contact/", lead_id=leads[0]["id"]), "/contact/")
    numbers = await _all(carrier, "phone_number/")
    assert_conforms(await carrier.get(f"phone_number/{numbers[0]['id']}/"), "/phone_number/{id}/")
    templates = await _all(carrier, "sms_template/")
    assert_conforms(await carrier.get(f"sms_template/{templates[0]['id']}/"), "/sms_template/{id}/")
    sms = await _all(carrier, "activity/sms/", _limit=100)
    assert {s["status"] for s in sms} >= {"inbox", "sent", "error", "draft", "scheduled"}
    assert_conforms(await carrier.get(f"activity/sms/{sms[0]['id']}/"), "/activity/sms/{id}/")
    assert_conforms(await carrier.get("activity/sms/", lead_id=leads[0]["id"]), "/activity/sms/")


async def test_writes_and_events_conform(carrier: Carrier) -> None:
    await carrier.faults(reply_rate=1)
    lead, contact = await carrier.lead()
    us = await carrier.us_number()
    r = await carrier.post_sms(status="outbox", text="Hi", contact_id=contact["id"])
    assert r.status_code == 200
    assert_conforms(r.json(), "/activity/sms/", "post")
    draft = await carrier.send(status="draft", text="later", lead_id=lead["id"])
    r = await carrier.put(draft["id"], text="later, edited")
    assert_conforms(r.json(), "/activity/sms/{id}/", "put")
    await carrier.http.delete(f"activity/sms/{draft['id']}/")
    await carrier.inbound("+12125550123", us, "who is this?")  # an unknown number: a new lead + contact
    await carrier.advance(120)
    events = await carrier.get("event/")
    assert_conforms(events, "/event/")
    seen = {(e["object_type"], e["action"]) for e in events["data"]}
    assert {("activity.sms", "created"), ("activity.sms", "sent"), ("activity.sms", "deleted")} <= seen
    assert {("lead", "created"), ("contact", "created")} <= seen
    assert_conforms(await carrier.get(f"event/{events['data'][0]['id']}/"), "/event/{id}/")


async def test_override_and_filtered_lists_conform(carrier: Carrier) -> None:
    lead, _ = await carrier.lead()
    r = await carrier.http.post(
        "activity/sms/",
        json={"_params": {"lead_id": lead["id"], "_limit": 10}},
        headers={"x-http-method-override": "GET"},
    )
    assert_conforms(r.json(), "/activity/sms/")
    body = await carrier.get("lead/", query="sort:-updated", _limit=3)
    assert_conforms(body, "/lead/")
