"""The one request loop: auth, time-outs, retries that are safe, error mapping, key scrubbing.

Which failures are repeated automatically, and why:
- connect errors and pool time-outs: nothing left this machine, so any method may be repeated;
- 429: the provider refused the request without doing it, so any method may be repeated after the
  wait it asked for (headers first; the body is never needed);
- 502/503/504 and read/write errors or time-outs: repeated only for GET/PUT/DELETE (idempotent).
  For a POST the provider may already have created the SMS, so the client raises
  `AmbiguousRequestError` and the sync engine looks for the SMS before sending again.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from sms_tui.provider.errors import (
    AmbiguousRequestError,
    AuthError,
    Forbidden,
    NotFound,
    Offline,
    ProviderDataError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ValidationError,
)
from sms_tui.provider.ratelimit import RateLimitInfo, backoff_delay, parse_rate_limit, retry_after_seconds

log = logging.getLogger("sms_tui.provider")

Sleep = Callable[[float], Awaitable[None]]
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})
RETRY_STATUSES = frozenset({502, 503, 504})
#: Exceptions raised before the request could reach the server.
_NOT_SENT: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
#: A whole request (connect, send, every byte of the answer) ends within this, however slowly the
#: provider trickles its answer (httpx's read time-out is per chunk: a slow loris never trips it).
DEFAULT_DEADLINE = 60.0
#: Larger answers are refused (a page of 200 leads is well under 5 MB; a 200 MB field is an attack).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024


#: headers that described the bytes on the wire, not the decoded answer kept in memory
_REFRAMED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class TooLarge(Exception):
    """The answer grew past `max_bytes` (raised while reading; mapped to ProviderDataError)."""


class HttpCore:
    """Owns the httpx.AsyncClient. Holds the key only inside httpx's BasicAuth and a scrubber."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        max_retries: int = 4,
        max_rate_wait: float = 30.0,
        tz_offset: float | None = None,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if not api_key:
            raise AuthError("No API key is configured for the provider.")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._secret = api_key
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.max_retries = max_retries
        self.max_rate_wait = max_rate_wait
        self.rate_limit: RateLimitInfo | None = None
        self.deadline = deadline
        self.max_bytes = max_bytes
        #: requests sent (attempts included), for the poll's cost accounting and the benchmark
        self.sent = 0
        headers = {"Accept": "application/json", "User-Agent": "sms-tui/0.1 (httpx)"}
        if tz_offset is not None:
            headers["X-TZ-Offset"] = str(tz_offset)  # a string: closeio-api #89
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=httpx.BasicAuth(api_key, ""),
            transport=transport,
            timeout=timeout,
            headers=headers,
        )
        #: for the file storage (signed upload forms and links): it must never see the API key
        self._bare = httpx.AsyncClient(
            transport=transport, timeout=timeout, headers={"User-Agent": headers["User-Agent"]}
        )

    def __repr__(self) -> str:
        return f"HttpCore(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._bare.aclose()

    def trusted(self, url: str) -> bool:
        """May the API key go to this url? Only to the provider's own origin, or to Close's hosts
        over https (Close's file urls live on app.close.com, its API on api.close.com)."""
        target, base = httpx.URL(url), httpx.URL(self.base_url)
        if (target.scheme, target.host, target.port) == (base.scheme, base.host, base.port):
            return True
        return target.scheme == "https" and (target.host == "close.com" or target.host.endswith(".close.com"))

    async def raw(
        self,
        method: str,
        url: str,
        *,
        with_key: bool,
        max_bytes: int | None = None,
        data: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        """One attempt at an absolute url, read in full within `deadline` and `max_bytes`; no
        retries, no error mapping (the caller knows what the answer means). `with_key` False uses a
        client that has no credentials (storage links); True is refused for an untrusted host."""
        if with_key and not self.trusted(url):
            raise ProviderDataError(f"Refusing to send the API key to {httpx.URL(url).host}.")
        client = self._http if with_key else self._bare
        self.sent += 1
        request = client.build_request(method, url, data=data, files=files)
        return await self._read(client, request, self.max_bytes if max_bytes is None else max_bytes)

    def scrub(self, text: str) -> str:
        """Remove the key (and its Basic-auth form) from any text we did not write ourselves."""
        out = text.replace(self._secret, "***")
        token = base64.b64encode(f"{self._secret}:".encode()).decode()
        return out.replace(token, "***")

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        retries: int | None = None,
    ) -> Any:
        """Send, retry where safe, map errors; return the decoded JSON (None for an empty body).

        `retries` overrides `max_retries` for this call (0: one attempt, the caller retries).
        """
        idempotent = method in IDEMPOTENT
        max_retries = self.max_retries if retries is None else retries
        where = f"{method} /{path}"
        attempt = 0
        while True:
            try:
                response = await self._send(method, path, params, body)
            except TooLarge:
                raise ProviderDataError(
                    f"The provider's answer to {where} is larger than {self.max_bytes // 1_048_576} MB; "
                    "it was refused."
                ) from None
            except _NOT_SENT as exc:
                if attempt < max_retries:
                    await self._backoff(attempt, where, f"cannot connect ({type(exc).__name__})")
                    attempt += 1
                    continue
                raise Offline(
                    f"Cannot reach the provider at {self.base_url} ({self._describe(exc)}). "
                    "Messages wait in the outbox until it is back."
                ) from None
            except httpx.TransportError as exc:
                # The request left (or may have): time-out while reading, connection dropped.
                if idempotent and attempt < max_retries:
                    await self._backoff(attempt, where, type(exc).__name__)
                    attempt += 1
                    continue
                if not idempotent:
                    raise AmbiguousRequestError(
                        f"The provider did not answer {where} ({self._describe(exc)}); "
                        "it may or may not have acted on it.",
                        method=method,
                        path=path,
                    ) from None
                raise Offline(
                    f"The provider stopped answering ({self._describe(exc)}). Will retry later."
                ) from None

            self._note_rate_limit(response)
            status = response.status_code
            if status == 429:
                wait = retry_after_seconds(response.headers)
                wait = 1.0 if wait is None else wait
                if attempt < max_retries and wait <= self.max_rate_wait:
                    log.info("%s rate-limited; waiting %.1f s as the provider asked", where, wait)
                    await self._sleep(wait + self._rng.random() * 0.25)
                    attempt += 1
                    continue
                raise RateLimited(
                    f"The provider is rate-limiting us; it asks to wait {wait:.0f} s.", retry_after=wait
                )
            if status >= 500:
                if idempotent and status in RETRY_STATUSES and attempt < max_retries:
                    await self._backoff(attempt, where, f"HTTP {status}")
                    attempt += 1
                    continue
                if not idempotent:
                    raise AmbiguousRequestError(
                        f"The provider failed on {where} (HTTP {status}); "
                        "it may or may not have acted on it.",
                        method=method,
                        path=path,
                        status_code=status,
                    )
                raise ProviderUnavailable(
                    f"The provider is having trouble (HTTP {status} on {where}). Will retry later.",
                    status_code=status,
                )
            if status >= 400:
                raise self._client_error(response, where)
            return self._decode(response, where)

    async def _send(
        self, method: str, path: str, params: dict[str, Any] | None, body: dict[str, Any] | None
    ) -> httpx.Response:
        """One attempt, bounded by `deadline` overall and by `max_bytes` in size; the answer is
        read in full before it is returned."""
        self.sent += 1
        request = self._http.build_request(method, path, params=params, json=body)
        return await self._read(self._http, request, self.max_bytes)

    async def _read(
        self, client: httpx.AsyncClient, request: httpx.Request, max_bytes: int
    ) -> httpx.Response:
        try:
            async with asyncio.timeout(self.deadline):
                response = await client.send(request, stream=True)
                try:
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise TooLarge
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise TooLarge
                        chunks.append(chunk)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise httpx.ReadTimeout(
                f"no complete answer within {self.deadline:.0f} s", request=request
            ) from None
        return httpx.Response(
            response.status_code,
            headers=[(k, v) for k, v in response.headers.items() if k.lower() not in _REFRAMED],
            content=b"".join(chunks),
            request=request,
        )

    async def _backoff(self, attempt: int, where: str, why: str) -> None:
        delay = backoff_delay(attempt, self._rng)
        log.info("%s failed (%s); retrying in %.2f s", where, why, delay)
        await self._sleep(delay)

    def _describe(self, exc: Exception) -> str:
        detail = self.scrub(str(exc))
        name = type(exc).__name__
        return f"{name}: {detail}" if detail else name

    def _note_rate_limit(self, response: httpx.Response) -> None:
        info = parse_rate_limit(response.headers)
        if info is not None:
            self.rate_limit = info

    def _decode(self, response: httpx.Response, where: str) -> Any:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            snippet = self.scrub(response.content[:60].decode("utf-8", "replace"))
            raise ProviderDataError(
                f"The provider's answer to {where} is not valid JSON (starts with {snippet!r})."
            ) from None

    def _client_error(self, response: httpx.Response, where: str) -> ProviderError:
        status = response.status_code
        try:
            payload = json.loads(response.content) if response.content else None
        except (ValueError, UnicodeDecodeError):
            payload = None
        detail = ""
        errors: tuple[str, ...] = ()
        field_errors: dict[str, str] = {}
        if isinstance(payload, dict):
            raw_errors = payload.get("errors")
            if isinstance(raw_errors, list):
                errors = tuple(self.scrub(str(e)) for e in raw_errors)
            raw_fields = payload.get("field-errors")
            if isinstance(raw_fields, dict):
                field_errors = {str(k): self.scrub(str(v)) for k, v in raw_fields.items()}
            err = payload.get("error")
            if isinstance(err, str):
                detail = self.scrub(err)
            elif isinstance(err, dict) and isinstance(err.get("message"), str):
                detail = self.scrub(err["message"])
        if status == 401:
            return AuthError(
                "The API key was refused by the provider (HTTP 401). Check SMS_TUI_API_KEY, "
                "--api-key or api_key in the config file.",
                status_code=status,
            )
        if status in (402, 403):
            return Forbidden(
                f"The provider does not allow {where} for this account (HTTP {status})"
                + (f": {detail}" if detail else "."),
                status_code=status,
            )
        if status == 404:
            return NotFound(f"Not found on the provider: {where}.", status_code=status)
        if status == 400:
            parts = list(errors) + [f"{k}: {v}" for k, v in field_errors.items()]
            if detail:
                parts.insert(0, detail)
            reason = "; ".join(parts) or "no reason given"
            return ValidationError(
                f"The provider refused {where}: {reason}",
                errors=errors,
                field_errors=field_errors,
                status_code=status,
            )
        return ProviderError(
            f"The provider answered HTTP {status} to {where}" + (f": {detail}" if detail else "."),
            status_code=status,
        )
