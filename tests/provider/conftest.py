"""Helpers for client tests: an httpx.MockTransport driven by a list of canned answers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sms_tui.provider import CloseClient

API_KEY = "sk_test_SECRET_KEY_123"
BASE = "https://close.test/api/v1/"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Answers requests in order from `script`; each entry is a Response, an exception or a callable."""

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.script:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            return item(request)  # type: ignore[no-any-return]
        return item  # type: ignore[no-any-return]

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, **kwargs: Any) -> CloseClient:
        return CloseClient(
            BASE,
            API_KEY,
            transport=httpx.MockTransport(self.handler),
            sleep=self.sleep,
            rng=random.Random(1),
            **kwargs,
        )


def sms_json(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "_type": "SMS",
        "id": "acti_1",
        "organization_id": "orga_1",
        "lead_id": "lead_1",
        "contact_id": "cont_1",
        "user_id": "user_1",
        "created_by": "user_1",
        "updated_by": None,
        "date_created": "2026-11-23T10:00:00.000000+00:00",
        "date_updated": "2026-11-23T10:00:00.000000+00:00",
        "activity_at": None,
        "date_scheduled": None,
        "date_sent": None,
        "direction": "outbound",
        "status": "outbox",
        "source": "Close.io",
        "text": "hello",
        "template_id": None,
        "error_message": None,
        "cost": None,
        "local_phone": "+16503334444",
        "remote_phone": "+18183004000",
        "users": [],
    }
    base.update(over)
    return base


@pytest.fixture
def recorder_factory() -> Callable[[list[Any]], Recorder]:
    return Recorder
