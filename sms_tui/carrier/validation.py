"""Reading request bodies and query parameters the way Close answers bad ones: a 400 with
`errors` / `field-errors`, never a 500.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from sms_tui.carrier.errors import ValidationFailed
from sms_tui.carrier.jsonsafe import find_unstorable
from sms_tui.carrier.records import parse_dt

#: Bodies above this size are refused (Close's SMS text limit is 1000 characters).
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Field:
    kind: str  # str, enum, datetime, number, list, bool, object
    nullable: bool = True
    choices: tuple[str, ...] = ()


async def read_json(request: Request) -> dict[str, Any]:
    """The JSON object in the body ({} when empty); 400 when too big, malformed or not an object."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ValidationFailed(
                [f"Request body is too large (the limit is {MAX_BODY_BYTES // 1024} KiB)."]
            )
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed([f"Request body is not valid JSON: {exc}"]) from None
    if not isinstance(body, dict):
        raise ValidationFailed(["Request body must be a JSON object."])
    refuse_unstorable(body)
    return body


def refuse_unstorable(body: Any) -> None:
    """400 when any string in `body` holds a lone surrogate: it cannot be stored or sent as UTF-8."""
    where = find_unstorable(body)
    if where is not None:
        field = where.split(".")[0]
        raise ValidationFailed(
            [],
            {field: f"{where} contains a lone surrogate (e.g. \\ud800): not valid Unicode text."},
        )


def _check(value: Any, spec: Field) -> tuple[Any, str | None]:
    if value is None:
        return (None, None) if spec.nullable else (None, "This field may not be null.")
    if spec.kind in ("str", "enum", "datetime") and not isinstance(value, str):
        return None, "Not a valid string."
    if spec.kind == "enum" and value not in spec.choices:
        return None, f"Must be one of: {', '.join(spec.choices)}."
    if spec.kind == "datetime":
        try:
            return parse_dt(value), None
        except ValueError:
            return None, "Not a valid datetime."
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None, "Not a valid number."
    if spec.kind == "list" and not isinstance(value, list):
        return None, "Not a valid list."
    if spec.kind == "bool" and not isinstance(value, bool):
        return None, "Not a valid boolean."
    if spec.kind == "object" and not isinstance(value, dict):
        return None, "Not a valid object."
    return value, None


def check_fields(body: Mapping[str, Any], schema: Mapping[str, Field]) -> dict[str, Any]:
    """Type-check every field; unknown fields are an error. Datetimes come back parsed."""
    out: dict[str, Any] = {}
    errs: dict[str, str] = {}
    for key, value in body.items():
        spec = schema.get(key)
        if spec is None:
            errs[key] = "Unknown field."
            continue
        clean, err = _check(value, spec)
        if err:
            errs[key] = err
        else:
            out[key] = clean
    if errs:
        raise ValidationFailed([], errs)
    return out


def query_int(request: Request, name: str, default: int, *, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed([], {name: "Not a valid integer."}) from None
    if value < 0:
        raise ValidationFailed([], {name: "Must be 0 or more."})
    if maximum is not None and value > maximum:
        raise ValidationFailed([f"{name} must be at most {maximum}."], {name: f"Must be at most {maximum}."})
    return value


def query_list(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


def query_dt(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return parse_dt(raw)
    except ValueError:
        raise ValidationFailed([], {name: "Not a valid datetime."}) from None


def select_fields(obj: dict[str, Any], request: Request) -> dict[str, Any]:
    """Apply `_fields=a,b,c` (unknown names are ignored, as Close does)."""
    wanted = query_list(request, "_fields")
    if not wanted:
        return obj
    return {k: obj[k] for k in wanted if k in obj}
