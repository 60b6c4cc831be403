"""Strict readers for JSON objects from the provider.

Why strict: the sync engine writes what the provider says into the cache; a missing field or a
wrong type must stop the whole answer (`ProviderDataError`, with a message naming the object and
the field) before anything is written, rather than store a half-understood message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sms_tui.provider.errors import ProviderDataError


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


class Fields:
    """Typed access to one JSON object; every failure names `what` (e.g. "SMS acti_1") and the key."""

    __slots__ = ("data", "what")

    def __init__(self, data: object, what: str) -> None:
        if not isinstance(data, dict):
            raise ProviderDataError(f"The provider sent {_type_name(data)} where {what} was expected.")
        self.data: Mapping[str, Any] = data
        obj_id = data.get("id")
        self.what = f"{what} {obj_id}" if isinstance(obj_id, str) else what

    def _fail(self, key: str, expected: str, value: object) -> ProviderDataError:
        if key not in self.data:
            return ProviderDataError(f"The provider's {self.what} lacks the field '{key}'.")
        return ProviderDataError(
            f"The provider's {self.what} has '{key}' = {_type_name(value)}, expected {expected}."
        )

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self._fail(key, "text", value)
        return value

    def opt_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "text or null", value)
        return value

    def text_or(self, key: str, default: str = "") -> str:
        value = self.opt_text(key)
        return default if value is None else value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value = self.data.get(key, default)
        if value is None and default is not None:
            return default
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def choice(self, key: str, allowed: frozenset[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise ProviderDataError(
                f"The provider's {self.what} has '{key}' = {value!r}, expected one of "
                f"{', '.join(sorted(allowed))}."
            )
        return value

    def dt(self, key: str) -> datetime:
        value = self.opt_dt(key)
        if value is None:
            raise self._fail(key, "a date and time", None)
        return value

    def opt_dt(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a date and time", value)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ProviderDataError(
                f"The provider's {self.what} has '{key}' = {value!r}, which is not a date and time."
            ) from None
        # Events and templates carry naive datetimes; Close means UTC.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

    def items(self, key: str, *, required: bool = False) -> list[Any]:
        value = self.data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a list", value)
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        items = self.items(key)
        for item in items:
            if not isinstance(item, str):
                raise self._fail(key, "a list of text", items)
        return tuple(items)

    def opt_obj(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._fail(key, "an object or null", value)
        return value

    def opt_money(self, key: str) -> str | None:
        """Close's `cost` is a string of US cents; tolerate a bare number."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self._fail(key, "text (US cents)", value)
        return str(value)


def page_items(body: object, what: str) -> tuple[list[Any], bool]:
    """`{"data": [...], "has_more": bool}` → (items, has_more). Both are required: a list without
    `has_more` cannot say whether it is complete, and reading it as "no more" truncates silently."""
    page = Fields(body, f"list of {what}")
    items = page.items("data", required=True)
    has_more = page.flag("has_more")
    return items, has_more
