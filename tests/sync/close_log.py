"""Test-only hooks that make the fake carrier's event log behave as Close's does at its least
convenient, for the behaviours the carrier does not switch on by itself (yet): consolidation of a
recent event, a late (out-of-order) event, `data` hidden from a non-admin key, a refused event log.
They edit the carrier's state or its answers from the outside; no carrier code changes.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import httpx

from sms_tui.carrier.records import iso, naive_iso
from sms_tui.carrier.storage import public
from tests.sync.harness import World


def events_of(world: World, sms_id: str) -> list[dict[str, Any]]:
    return [e for e in world.app.carrier.state.data["event"].values() if e["object_id"] == sms_id]


def consolidate(world: World, event_id: str, at: datetime, **changes: Any) -> None:
    """Close merges recent events: the same event id comes back with a later `date_updated`, newer
    `data` (and, as the newest event, first in the log). The SMS itself changes the same way."""
    carrier = world.app.carrier
    with carrier.lock:
        event = carrier.state.delete("event", event_id)
        assert event is not None
        sms = carrier.state.get("sms", event["object_id"])
        assert sms is not None
        sms.update(changes, date_updated=iso(at))
        carrier.state.touch("sms", sms["id"])
        event.update(date_updated=naive_iso(at), data=copy.deepcopy(public(sms)))
        event["_x_seq"] = carrier.state.next_seq()
        carrier.state.put("event", event)


def late_event(world: World, sms_id: str, action: str, at: datetime, **changes: Any) -> dict[str, Any]:
    """An event that shows up in the log only now although it is dated `at` (out of order)."""
    carrier = world.app.carrier
    with carrier.lock:
        sms = carrier.state.get("sms", sms_id)
        assert sms is not None
        sms.update(changes, date_updated=iso(at))
        carrier.state.touch("sms", sms_id)
        event: dict[str, Any] = carrier.emit(action, sms, at=at, changed=changes.keys())
        return event


class CloseLogTransport(httpx.AsyncBaseTransport):
    """Wraps the carrier's transport: `hide_data` blanks every event's `data` (a non-admin key an
    hour later); `refuse` answers `/event/` with Close's 400 for a key without access."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.hide_data = False
        self.refuse = False
        self.requests: list[tuple[str, str, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.method, request.url.path, str(request.url.query, "ascii")))
        is_log = request.url.path.endswith("/event/")
        if is_log and self.refuse:
            body = {"error": "This API key does not have access to the event log."}
            return httpx.Response(400, json=body)
        response = await self.inner.handle_async_request(request)
        if is_log and self.hide_data and response.status_code == 200:
            page = json.loads(await response.aread())
            for event in page["data"]:
                event["data"] = None
            return httpx.Response(200, json=page)
        return response

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]
