"""Compile the search language's AST (core.query) into a SQL WHERE clause over `lead_state ls`."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sms_tui.store.convert import ts


def compile_lead_filter(
    query: str | None, *, now: datetime, tz: tzinfo | None = None
) -> tuple[str, list[Any]]:
    """WHERE clause (over alias `ls`) and parameters for the lead list. Being built."""
    if query and query.strip():
        raise NotImplementedError("search is being built")
    return "ls.done = 0 AND (ls.snoozed_until IS NULL OR ls.snoozed_until <= ?)", [ts(now)]
