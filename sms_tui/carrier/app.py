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
import functools
import hmac
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sms_tui.carrier import files, routes_api, routes_control, routes_events, simulation, team
from sms_tui.carrier.bucket import note_root
from sms_tui.carrier.clock import Clock, SystemClock
from sms_tui.carrier.engine import CURRENT_REQUEST, CURRENT_USER, Carrier
from sms_tui.carrier.errors import ApiError, Unauthorized, ValidationFailed
from sms_tui.carrier.jsonsafe import CloseJSONResponse, find_unstorable
from sms_tui.carrier.storage import Record

if TYPE_CHECKING:
    from sms_tui.carrier.scale import OrgSpec
from sms_tui.carrier.validation import MAX_BODY_BYTES

log = logging.getLogger("sms_tui.carrier")
Sleeper = Callable[[float], Awaitable[None]]
#: Called with the ASGI scope to abort the client's connection; returns False when it cannot.
Dropper = Callable[[Scope], bool]
RATE_LIMIT = 100
TICK_EVERY = 1.0


class ConnectionDropped(httpx.RemoteProtocolError):
    """What an in-process (ASGITransport) client gets when the carrier drops the connection after
    storing a change: the same httpx error class as "Server disconnected without sending a response"
    over a socket, so one `except httpx.TransportError` covers both."""


class _RateLimiter:
    """Close's limits: per endpoint group, per API key, and per organization at 3x the key's limit,
    in fixed windows on the carrier's clock (so a FakeClock makes them exact and nothing sleeps).

    With `key_limit` 0 nothing is refused and the header reports an informational limit of 100."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def _peek(self, bucket: tuple[str, str], now: float, window: float) -> tuple[float, int]:
        start, count = self._windows.get(bucket, (now, 0))
        return (now, 0) if now - start >= window else (start, count)

    def hit(self, key: str, group: str, now: float, limit: int, window: float) -> tuple[bool, str, int]:
        """(allowed, RateLimit header value, seconds until the window resets)."""
        window = max(window, 0.001)
        shown = limit or RATE_LIMIT
        buckets = [((f"key:{key}", group), shown), (("org", group), 3 * shown)]
        states = [(b, lim, *self._peek(b, now, window)) for b, lim in buckets]
        full = [(b, lim, start, count) for b, lim, start, count in states if count >= lim]
        if limit and full:
            start = max(st for _, _, st, _ in full)
            reset = max(1, math.ceil(window - (now - start)))
            return False, f"limit={shown}, remaining=0, reset={reset}", reset
        for bucket, _, start, count in states:
            self._windows[bucket] = (start, count + 1)
        remaining = min(lim - count - 1 for _, lim, _, count in states)
        start = states[0][2]
        reset = max(1, math.ceil(window - (now - start)))
        return True, f"limit={shown}, remaining={max(0, remaining)}, reset={reset}", reset


def _presented_key(scope: Scope) -> str | None:
    """The API key in the Authorization header (Basic with an empty password, or Bearer), else None."""
    for name, value in scope.get("headers", []):
        if name != b"authorization":
            continue
        scheme, _, cred = value.decode("latin-1").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(cred, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return user if sep and password == "" and user else None
        if scheme.lower() == "bearer":
            return cred.strip() or None
    return None


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
        self.limiter = _RateLimiter()
        self._keys: tuple[int, dict[str, Record]] = (-1, {})

    def _user_for(self, key: str | None) -> Record | None:
        """The user whose API key this is (the carrier's own key is the first user's)."""
        if key is None:
            return None
        version = self.carrier.state.versions["user"]
        if self._keys[0] != version:
            with self.carrier.lock:
                self._keys = (version, team.keys_for(list(self.carrier.state.all("user")), self.api_key))
        for known, user in self._keys[1].items():
            if hmac.compare_digest(known.encode(), key.encode()):
                return user
        return None

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

        note_root(self.carrier, scope)
        if scope["path"].startswith(files.KEYLESS_PREFIX):  # the storage service: signed, no key
            self.carrier.tick()
            await self.app(scope, receive, lambda m: _record_status(m, status, send))
            return False
        user = self._user_for(_presented_key(scope))
        if user is None:
            await reply(Unauthorized().response())
            return False
        overridden = await _method_override(scope, receive)
        if isinstance(overridden, ValidationFailed):
            await reply(overridden.response())
            return False
        scope, receive = overridden
        self.carrier.tick()
        plan = self.carrier.plan
        rate_header = ""
        if api:
            faults = plan.faults
            allowed, rate_header, reset = self.limiter.hit(
                user["id"],
                _group(scope["method"], scope["path"]),
                self.carrier.now().timestamp(),
                faults.key_limit,
                faults.limit_window,
            )
            if not allowed:
                await reply(_too_many(reset, rate_header))
                return False
            fault = plan.before()
            if fault == "429":
                retry = plan.faults.retry_after
                limit = plan.faults.key_limit or RATE_LIMIT
                await reply(_too_many(retry, f"limit={limit}, remaining=0, reset={retry}"))
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
                    header = rate_header.encode()
                    message = {**message, "headers": [*message.get("headers", []), (b"ratelimit", header)]}
            if drop:
                return
            await send(message)

        request_id = self.carrier.state.new_id("req")
        token = CURRENT_REQUEST.set((scope["method"], scope["path"], request_id))
        user_token = CURRENT_USER.set(user)
        try:
            await self.app(scope, receive, wrapped_send)
        finally:
            CURRENT_USER.reset(user_token)
            CURRENT_REQUEST.reset(token)
        return drop


async def _record_status(message: Message, status: list[int], send: Send) -> None:
    if message["type"] == "http.response.start":
        status.append(int(message["status"]))
    await send(message)


#: `_params` keys that take a number in Close's long-filter form; every other value must be a string
_INT_PARAMS = frozenset({"_limit", "_skip"})


def _too_many(retry: int, rate_header: str) -> Response:
    """Close's 429: `RateLimit` and `Retry-After` headers; the legacy body carries `rate_reset` too."""
    body = {"error": {"message": "API rate limit exceeded.", "rate_reset": retry}, "rate_reset": retry}
    headers = {"RateLimit": rate_header, "Retry-After": str(retry)}
    return CloseJSONResponse(body, status_code=429, headers=headers)


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
    #: the key the carrier was started with (the first user's); the others are listed by /_carrier/state
    api_key: str
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
    org: OrgSpec | None = None,
) -> CarrierApp:
    """The fake carrier for one organization, generated from `seed` (or loaded from `db_path`):
    the small demo organization, or with `org` a generated one of that many leads, SMS and users."""
    if not api_key:
        raise ValueError("the fake carrier needs an API key")
    carrier = Carrier(
        seed=seed,
        clock=clock or SystemClock(),
        db_path=db_path,
        run_job=simulation.run_job,
        populate=functools.partial(_populate, spec=org),
        populate_key="" if org is None else org.key,
    )
    if carrier.state.meta.get("building"):
        carrier.close()
        raise ValueError(
            "the database was left half-built (the build was stopped); delete it and build again"
        )
    built = carrier.state.meta.get("org")
    if org is not None and built != org.key:
        carrier.close()
        raise ValueError(
            f"the database holds {'the demo organization' if built is None else built}, not {org.key}"
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
            Mount("/api/v1", routes=routes_api.ROUTES + routes_events.ROUTES + files.API_ROUTES),
            Mount("/_carrier", routes=routes_control.ROUTES),
            *files.ROUTES,
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.carrier = carrier
    app.state.carrier = carrier
    app.api_key = api_key
    app._layer_args = (api_key, sleep or asyncio.sleep)
    app.dropper = [None]
    return app


def _populate(carrier: Carrier, spec: OrgSpec | None) -> None:
    """Fill an empty carrier: the demo org, or a generated one. Imported here, when a database is
    empty, so a carrier on a built database starts without loading the generators."""
    if spec is None:
        from sms_tui.carrier.demo_data import build_demo

        build_demo(carrier)
    else:
        from sms_tui.carrier.scale import build_org

        build_org(carrier, spec)


async def _ticker(carrier: Carrier) -> None:
    while True:
        await asyncio.sleep(TICK_EVERY)
        try:
            carrier.tick()
        except Exception:  # pragma: no cover - keep ticking; the next request will show the error
            log.exception("carrier tick failed")
