"""`create_app`: the fake carrier as a Starlette ASGI app.

Routes live in routes_*.py. Around them sits one plain ASGI layer (`_CarrierLayer`, outermost,
outside Starlette's own error middleware) that does what every request needs, in order:
log one line, check the API key, run due simulation jobs (`tick`), inject faults (429, 5xx,
slow; /api/v1 only), add the `RateLimit` header, persist changes, and drop the connection after
a change was stored when asked to.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sms_tui.carrier import demo_data, routes_api, routes_control, routes_events, simulation
from sms_tui.carrier.clock import Clock, SystemClock
from sms_tui.carrier.engine import CURRENT_REQUEST, Carrier
from sms_tui.carrier.errors import ApiError, Unauthorized, ValidationFailed
from sms_tui.carrier.jsonsafe import CloseJSONResponse, find_unstorable
from sms_tui.carrier.validation import MAX_BODY_BYTES

log = logging.getLogger("sms_tui.carrier")
Sleeper = Callable[[float], Awaitable[None]]
#: Called with the ASGI scope to abort the client's connection; returns False when it cannot.
Dropper = Callable[[Scope], bool]
RATE_LIMIT = 100
RATE_WINDOW = 1.0
TICK_EVERY = 1.0


class ConnectionDropped(httpx.RemoteProtocolError):
    """What an in-process (ASGITransport) client gets when the carrier drops the connection after
    storing a change: the same httpx error class as "Server disconnected without sending a response"
    over a socket, so one `except httpx.TransportError` covers both."""


class _RateWindows:
    """Per endpoint-group request counts in fixed windows (for the informational RateLimit header)."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, group: str) -> tuple[int, int]:
        now = time.monotonic()
        start, count = self._windows.get(group, (now, 0))
        if now - start >= RATE_WINDOW:
            start, count = now, 0
        count += 1
        self._windows[group] = (start, count)
        reset = max(1, math.ceil(RATE_WINDOW - (now - start)))
        return max(0, RATE_LIMIT - count), reset


def _authorized(scope: Scope, api_key: str) -> bool:
    for name, value in scope.get("headers", []):
        if name != b"authorization":
            continue
        scheme, _, cred = value.decode("latin-1").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(cred, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return bool(sep) and password == "" and hmac.compare_digest(user.encode(), api_key.encode())
        if scheme.lower() == "bearer":
            return hmac.compare_digest(cred.strip().encode(), api_key.encode())
    return False


def _group(method: str, path: str) -> str:
    parts = [p for p in path.split("/")[3:] if p]  # after /api/v1/
    keep = parts[:2] if parts[:1] == ["activity"] else parts[:1]
    return f"{method} {'/'.join(keep)}"


class _CarrierLayer:
    def __init__(
        self, app: ASGIApp, carrier: Carrier, api_key: str, sleep: Sleeper, dropper: list[Dropper | None]
    ) -> None:
        self.app, self.carrier, self.api_key, self.sleep = app, carrier, api_key, sleep
        self.dropper = dropper
        self.windows = _RateWindows()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method, path = scope["method"], scope["path"]
        status: list[int] = []
        dropped = await self._handle(scope, receive, send, status)
        ms = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s %s %.1fms", method, path, "dropped" if dropped else (status[0] if status else "-"), ms
        )
        if dropped:
            dropper = self.dropper[0]
            if dropper is None or not dropper(scope):
                raise ConnectionDropped("the fake carrier dropped the connection after storing the change")
            await asyncio.sleep(0)  # let the transport notice it is closed

    async def _handle(self, scope: Scope, receive: Receive, send: Send, status: list[int]) -> bool:
        api = scope["path"].startswith("/api/v1/")

        async def reply(response: Response) -> None:
            status.append(response.status_code)
            await response(scope, receive, send)

        if not _authorized(scope, self.api_key):
            await reply(Unauthorized().response())
            return False
        overridden = await _method_override(scope, receive)
        if isinstance(overridden, ValidationFailed):
            await reply(overridden.response())
            return False
        scope, receive = overridden
        self.carrier.tick()
        plan = self.carrier.plan
        remaining, reset = self.windows.hit(_group(scope["method"], scope["path"])) if api else (0, 0)
        if api:
            fault = plan.before()
            if fault == "429":
                retry = plan.faults.retry_after
                body = {
                    "error": {"message": "API rate limit exceeded.", "rate_reset": retry},
                    "rate_reset": retry,
                }
                headers = {
                    "RateLimit": f"limit={RATE_LIMIT}, remaining=0, reset={retry}",
                    "Retry-After": str(retry),
                }
                await reply(CloseJSONResponse(body, status_code=429, headers=headers))
                return False
            if fault == "5xx":
                await reply(
                    CloseJSONResponse(
                        {"error": "Server error (injected fault)."}, status_code=plan.faults.status_5xx
                    )
                )
                return False
            if fault == "slow":
                await self.sleep(plan.faults.slow_seconds)
        mutating = api and scope["method"] in ("POST", "PUT", "DELETE")
        drop = False

        async def wrapped_send(message: Message) -> None:
            nonlocal drop
            if message["type"] == "http.response.start":
                code = int(message["status"])
                with self.carrier.lock:
                    self.carrier.state.flush()
                if mutating and code < 400 and plan.drop_after_store():
                    drop = True
                    return
                if mutating and code < 400 and plan.slow_after_store():
                    await self.sleep(plan.faults.slow_seconds)
                status.append(code)
                if api:
                    header = f"limit={RATE_LIMIT}, remaining={remaining}, reset={reset}".encode()
                    message = {**message, "headers": [*message.get("headers", []), (b"ratelimit", header)]}
            if drop:
                return
            await send(message)

        request_id = self.carrier.state.new_id("req")
        token = CURRENT_REQUEST.set((scope["method"], scope["path"], request_id))
        try:
            await self.app(scope, receive, wrapped_send)
        finally:
            CURRENT_REQUEST.reset(token)
        return drop


#: `_params` keys that take a number in Close's long-filter form; every other value must be a string
_INT_PARAMS = frozenset({"_limit", "_skip"})


async def _method_override(scope: Scope, receive: Receive) -> tuple[Scope, Receive] | ValidationFailed:
    """Close's long-filter form: `POST` + `x-http-method-override: GET` + `{"_params": {...}}`.

    The parameters are checked as a query string would be: an object of strings (numbers for
    `_limit`/`_skip`); anything else is a 400, never a silently ignored filter.
    """
    headers = dict(scope.get("headers", []))
    if scope["method"] != "POST" or headers.get(b"x-http-method-override", b"").upper() != b"GET":
        return scope, receive
    chunks = []
    size = 0
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_BODY_BYTES:
            return ValidationFailed([f"Request body is too large (limit {MAX_BODY_BYTES // 1024} KiB)."])
        if not message.get("more_body"):
            break
    try:
        body = json.loads(b"".join(chunks) or b"{}")
    except (ValueError, RecursionError):
        return ValidationFailed(["Request body is not valid JSON."])
    if not isinstance(body, dict):
        return ValidationFailed(["Request body must be a JSON object."])
    params = body.get("_params", {})
    if not isinstance(params, dict):
        return ValidationFailed([], {"_params": "Must be an object of query parameters."})
    errors: dict[str, str] = {}
    query: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, int) and not isinstance(value, bool) and key in _INT_PARAMS:
            query[key] = str(value)
        elif isinstance(value, str) and find_unstorable(value) is None:
            query[key] = value
        else:
            errors[key] = "Not a valid integer." if key in _INT_PARAMS else "Not a valid string."
    if errors:
        return ValidationFailed([], errors)

    async def empty() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    return {**scope, "method": "GET", "query_string": urlencode(query).encode()}, empty


class CarrierApp(Starlette):
    """A Starlette app with the carrier layer outside everything else."""

    carrier: Carrier
    _layer_args: tuple[str, Sleeper]
    #: set by server.py so a dropped connection really closes the socket under uvicorn
    dropper: list[Dropper | None]

    def build_middleware_stack(self) -> ASGIApp:
        inner = super().build_middleware_stack()
        api_key, sleep = self._layer_args
        return _CarrierLayer(inner, self.carrier, api_key, sleep, self.dropper)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "Not found.", 405: "Method not allowed."}.get(exc.status_code, str(exc.detail))
    return CloseJSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)


def create_app(
    *,
    api_key: str,
    seed: int,
    db_path: str | Path | None = None,
    clock: Clock | None = None,
    sleep: Sleeper | None = None,
) -> CarrierApp:
    """The fake carrier for one organization, generated from `seed` (or loaded from `db_path`)."""
    if not api_key:
        raise ValueError("the fake carrier needs an API key")
    carrier = Carrier(
        seed=seed,
        clock=clock or SystemClock(),
        db_path=db_path,
        run_job=simulation.run_job,
        populate=demo_data.build_demo,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # With the real clock, replies and status changes also appear while nobody asks.
        task = None if carrier.is_fake_clock else asyncio.create_task(_ticker(carrier))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()

    app = CarrierApp(
        routes=[
            Mount("/api/v1", routes=routes_api.ROUTES + routes_events.ROUTES),
            Mount("/_carrier", routes=routes_control.ROUTES),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.carrier = carrier
    app.state.carrier = carrier
    app._layer_args = (api_key, sleep or asyncio.sleep)
    app.dropper = [None]
    return app


async def _ticker(carrier: Carrier) -> None:
    while True:
        await asyncio.sleep(TICK_EVERY)
        try:
            carrier.tick()
        except Exception:  # pragma: no cover - keep ticking; the next request will show the error
            log.exception("carrier tick failed")
