"""`CloseClient`: the async client of the Close API subset sms-tui uses (provider-api.md §a).

One method per endpoint, typed results, async iterators for paged lists. Requests, retries and
error mapping live in `http.HttpCore`; this module only knows paths, parameters and shapes.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from sms_tui.provider import files
from sms_tui.provider.errors import NotFound, ValidationError
from sms_tui.provider.http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, HttpCore, Sleep
from sms_tui.provider.models import (
    Event,
    EventPage,
    Lead,
    Me,
    Page,
    PhoneNumber,
    Sms,
    SmsTemplate,
    parse_event_page,
    parse_lead,
    parse_me,
    parse_phone_number,
    parse_sms,
    parse_template,
)
from sms_tui.provider.parse import page_items
from sms_tui.provider.ratelimit import RateLimitInfo

T = TypeVar("T")
Params = dict[str, Any]


#: Close reads at most this many ids from one `id__in`.
MAX_IDS = 100


def is_skip_cap(exc: ValidationError) -> bool:
    """Close refuses a `_skip` past its cap with `400 {"error": "... max_skip = N ..."}`; older
    fakes (and perhaps some endpoints) name `_skip` in `field-errors` instead."""
    return "_skip" in exc.field_errors or "max_skip" in exc.message


def _when(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


def _clean(params: Params) -> Params:
    """Drop unset filters; dates to ISO text; lists to Close's comma lists."""
    out: Params = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, list | tuple | set | frozenset):
            value = ",".join(sorted(str(v) for v in value))
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = value
    return out


class CloseClient:
    """Async client; use as `async with CloseClient(url, key) as client:` or call `aclose()`."""

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
        max_skip: int = 100_000,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        #: deepest `_skip` the paged scans use before starting a new date window
        self.max_skip = max_skip
        self._core = HttpCore(
            base_url,
            api_key,
            transport=transport,
            timeout=timeout,
            sleep=sleep,
            rng=rng,
            max_retries=max_retries,
            max_rate_wait=max_rate_wait,
            tz_offset=tz_offset,
            deadline=deadline,
            max_bytes=max_bytes,
        )

    def __repr__(self) -> str:
        return f"CloseClient(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def requests_sent(self) -> int:
        """Requests sent so far (each attempt counts)."""
        return self._core.sent

    @property
    def rate_limit(self) -> RateLimitInfo | None:
        """The last `RateLimit` header seen, for pacing the poll loop."""
        return self._core.rate_limit

    async def __aenter__(self) -> CloseClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._core.aclose()

    # -- generic helpers -------------------------------------------------------------------------

    async def _page(self, path: str, params: Params, parse: Callable[[object], T], what: str) -> Page[T]:
        body = await self._core.request("GET", path, params=_clean(params))
        # Parsed here, not in a thread: a page of 100 SMS is a few ms, and a thread hop per page made
        # a first sync ~8 % slower (`sync --once`, 1,233 pages) with no measurable gain for the keys
        # typed meanwhile (bench_sync_keys, paired, idle).
        return _parse_page(body, parse, what)

    async def _iter_pages(
        self,
        path: str,
        params: Params,
        parse: Callable[[object], T],
        what: str,
        page_size: int,
        key: Callable[[T], str],
    ) -> AsyncIterator[Page[T]]:
        """Offset paging (`_skip += len(data)` until `has_more` is false), de-duplicated by id:
        rows that shift between pages (closeio-api #96) are yielded once."""
        seen: set[str] = set()
        skip = 0
        while True:
            page = await self._page(path, {**params, "_skip": skip, "_limit": page_size}, parse, what)
            fresh = tuple(item for item in page.items if key(item) not in seen)
            seen.update(key(item) for item in fresh)
            if fresh:
                yield Page(items=fresh, has_more=page.has_more)
            if not page.has_more or not page.items:
                return
            skip += len(page.items)

    # -- endpoints -------------------------------------------------------------------------------

    async def me(self) -> Me:
        return parse_me(await self._core.request("GET", "me/"))

    async def list_phone_numbers(self, *, page_size: int = 100) -> list[PhoneNumber]:
        numbers: list[PhoneNumber] = []
        async for page in self._iter_pages(
            "phone_number/", {}, parse_phone_number, "phone numbers", page_size, lambda p: p.id
        ):
            numbers.extend(page.items)
        return numbers

    async def list_templates(self, *, page_size: int = 100) -> list[SmsTemplate]:
        templates: list[SmsTemplate] = []
        async for page in self._iter_pages(
            "sms_template/",
            {"include_attachments": "true"},  # Close leaves a template's files out unless asked
            parse_template,
            "SMS templates",
            page_size,
            lambda t: t.id,
        ):
            templates.extend(page.items)
        # Close documents include_attachments on GET sms_template/{id}/ only: a list that left the
        # files out is completed one template at a time (an org has a few dozen templates).
        for i, t in enumerate(templates):
            if not t.attachments_included:
                templates[i] = await self.get_template(t.id)
        return templates

    async def get_template(self, template_id: str) -> SmsTemplate:
        """One SMS template with its files (`include_attachments=true`)."""
        answer = await self._core.request(
            "GET", f"sms_template/{template_id}/", params={"include_attachments": "true"}
        )
        return parse_template(answer)

    async def get_lead(self, lead_id: str) -> Lead:
        return parse_lead(await self._core.request("GET", f"lead/{lead_id}/"))

    async def list_sms(self, *, skip: int = 0, limit: int = 100, **filters: Any) -> Page[Sms]:
        """One page of `GET /activity/sms/`; filters as in §a.5 (`lead_id`, `date_created__gte`, …)."""
        return await self._page(
            "activity/sms/", {**filters, "_skip": skip, "_limit": limit}, parse_sms, "SMS"
        )

    def iter_sms_pages(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Page[Sms]]:
        return self._iter_pages("activity/sms/", filters, parse_sms, "SMS", page_size, lambda s: s.id)

    async def iter_sms_history(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Page[Sms]]:
        """Every SMS matching `filters`, newest first, however many: offset pages inside windows of
        at most `max_skip` rows, each window starting at the oldest `date_created` seen so far
        (Close caps `_skip`; provider-api.md §a.7 says slice deep scans by date). Rows that share the
        boundary's timestamp are skipped by count and de-duplicated by id. If the provider refuses a
        `_skip` (400 naming it), the cap is lowered to what worked and a new window starts."""
        boundary: datetime | None = None
        at_boundary: set[str] = set()  # ids seen whose date_created == boundary
        skip = 0
        window_start = 0
        oldest: datetime | None = None
        ties: set[str] = set()

        def new_window() -> None:
            nonlocal boundary, at_boundary, skip, window_start
            assert oldest is not None
            at_boundary = (at_boundary | ties) if oldest == boundary else set(ties)
            boundary = oldest
            skip = window_start = len(at_boundary)

        while True:
            params = {**filters, "_order_by": "-date_created", "_skip": skip, "_limit": page_size}
            if boundary is not None:
                params["date_created__lte"] = boundary
            try:
                page = await self._page("activity/sms/", params, parse_sms, "SMS")
            except ValidationError as exc:
                if not is_skip_cap(exc) or skip <= window_start or oldest is None:
                    raise
                self.max_skip = skip - page_size  # the deepest _skip that worked
                new_window()
                continue
            fresh = tuple(s for s in page.items if s.id not in at_boundary)
            if fresh:
                yield Page(items=fresh, has_more=page.has_more)
            if not page.has_more or not page.items:
                return
            oldest = page.items[-1].date_created
            ties = {s.id for s in page.items if s.date_created == oldest}
            skip += len(page.items)
            if skip + page_size > self.max_skip:
                new_window()

    async def sms_by_ids(self, ids: list[str]) -> list[Sms]:
        """Re-read known SMS: one `id__in` request per 100 ids (an id that is gone is simply absent)."""
        found: list[Sms] = []
        for i in range(0, len(ids), MAX_IDS):
            chunk = ids[i : i + MAX_IDS]
            page = await self.list_sms(limit=len(chunk), id__in=chunk)
            found.extend(page.items)
        return found

    async def get_sms(self, sms_id: str) -> Sms:
        return parse_sms(await self._core.request("GET", f"activity/sms/{sms_id}/"))

    async def create_sms(
        self,
        *,
        status: str,
        text: str,
        lead_id: str | None = None,
        contact_id: str | None = None,
        local_phone: str | None = None,
        remote_phone: str | None = None,
        template_id: str | None = None,
        send_in: int | None = None,
        date_scheduled: datetime | None = None,
        retry: bool = True,
        attachments: Sequence[Mapping[str, str]] = (),
    ) -> Sms:
        """POST an SMS: `outbox` sends (optionally after `send_in` < 60 s), `scheduled` needs
        `date_scheduled`, `draft` only stores. Never retried after it may have left: see
        `AmbiguousRequestError`. With `retry=False` not even the safe retries (connect error,
        429) are made, so the call takes at most one time-out: the sync engine bounds how long a
        claimed message can be in flight."""
        if send_in is not None and not 0 <= send_in < 60:
            raise ValueError("send_in must be between 0 and 59 seconds")
        if status == "scheduled" and date_scheduled is None:
            raise ValueError("a scheduled SMS needs date_scheduled")
        body: Params = {
            "status": status,
            "text": text,
            "lead_id": lead_id,
            "contact_id": contact_id,
            "local_phone": local_phone,
            "remote_phone": remote_phone,
            "template_id": template_id,
            "send_in": send_in,
            "date_scheduled": _when(date_scheduled) if date_scheduled else None,
            # an MMS: `{url: download.url of an upload, filename, content_type}` each
            "attachments": [dict(a) for a in attachments] or None,
        }
        payload = {k: v for k, v in body.items() if v is not None}
        answer = await self._core.request("POST", "activity/sms/", body=payload, retries=None if retry else 0)
        return parse_sms(answer)

    async def upload_file(self, filename: str, content_type: str, data: bytes) -> files.UploadedFile:
        """Upload through Close's Files API (signed form, then the storage service, which never sees
        the key). Reference the result's `url` in `create_sms(attachments=...)` within 24 hours."""
        return await files.upload(self._core, filename, content_type, data)

    async def download_file(self, url: str, *, max_bytes: int = files.MAX_UPLOAD_BYTES) -> files.Downloaded:
        """An attachment's (or thumbnail's) bytes: the url with the key, its signed link without."""
        return await files.download(self._core, url, max_bytes=max_bytes)

    async def update_sms(self, sms_id: str, **fields: Any) -> Sms:
        """PUT (a patch: only the given fields change). Only drafts, or cancelling to draft."""
        payload = {k: (_when(v) if isinstance(v, datetime) else v) for k, v in fields.items()}
        return parse_sms(await self._core.request("PUT", f"activity/sms/{sms_id}/", body=payload))

    async def cancel_sms(self, sms_id: str) -> Sms:
        """Turn a scheduled (or not yet sent outbox) SMS back into a draft."""
        return await self.update_sms(sms_id, status="draft")

    async def delete_sms(self, sms_id: str) -> None:
        """Delete; a repeat after an unclear first attempt that finds nothing counts as done."""
        try:
            await self._core.request("DELETE", f"activity/sms/{sms_id}/")
        except NotFound:
            return

    async def list_events(
        self,
        *,
        object_type: str | None = None,
        action: str | None = None,
        lead_id: str | None = None,
        object_id: str | None = None,
        date_updated__gt: datetime | None = None,
        date_updated__gte: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> EventPage:
        params = {
            "object_type": object_type,
            "action": action,
            "lead_id": lead_id,
            "object_id": object_id,
            "date_updated__gt": date_updated__gt,
            "date_updated__gte": date_updated__gte,
            "_cursor": cursor,
            "_limit": min(limit, 50),
        }
        return parse_event_page(await self._core.request("GET", "event/", params=_clean(params)))

    async def iter_events(self, **filters: Any) -> AsyncIterator[Event]:
        """All events matching `filters`, following `cursor_next` (newest first)."""
        cursor: str | None = None
        while True:
            page = await self.list_events(**filters, cursor=cursor)
            for event in page.events:
                yield event
            if not page.cursor_next or not page.events:
                return
            cursor = page.cursor_next


def _parse_page(body: object, parse: Callable[[object], T], what: str) -> Page[T]:
    """The whole page parsed before it is returned: a bad item rejects the page, nothing half-applied."""
    items, has_more = page_items(body, what)
    return Page(items=tuple(parse(item) for item in items), has_more=has_more)
