"""CloseClient against canned answers (httpx.MockTransport): auth, retries, errors, parsing."""

from __future__ import annotations

import base64
import json
import logging

import httpx
import pytest

from sms_tui.provider import (
    AmbiguousSendError,
    AuthError,
    CloseClient,
    NotFound,
    Offline,
    ProviderDataError,
    ProviderUnavailable,
    RateLimited,
    ValidationError,
)
from tests.provider.conftest import API_KEY, BASE, Recorder, sms_json


def ok(body: object, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


async def test_basic_auth_with_key_as_username_and_trailing_slash() -> None:
    rec = Recorder(
        [ok({"id": "user_1", "first_name": "Ann", "organizations": [{"id": "orga_1", "name": "Acme"}]})]
    )
    async with rec.client() as client:
        me = await client.me()
    assert me.id == "user_1" and me.organization_id == "orga_1"
    request = rec.requests[0]
    assert request.url.path == "/api/v1/me/"
    expected = base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"


async def test_429_waits_as_retry_after_says_then_succeeds_and_exposes_rate_limit() -> None:
    rec = Recorder(
        [
            httpx.Response(
                429, headers={"retry-after": "3", "ratelimit": "limit=10, remaining=0, reset=2.5"}
            ),
            ok({"id": "user_1"}, ratelimit="limit=10, remaining=9, reset=1.5"),
        ]
    )
    async with rec.client() as client:
        await client.me()
        assert client.rate_limit is not None
        assert (client.rate_limit.limit, client.rate_limit.remaining, client.rate_limit.reset) == (10, 9, 1.5)
    assert len(rec.requests) == 2
    assert 3.0 <= rec.sleeps[0] < 3.5  # Retry-After first, a little jitter on top


async def test_429_without_retry_after_uses_ratelimit_reset_and_no_body_is_needed() -> None:
    rec = Recorder(
        [httpx.Response(429, headers={"ratelimit": "limit=10, remaining=0, reset=4"}), ok({"id": "u"})]
    )
    async with rec.client() as client:
        await client.me()
    assert 4.0 <= rec.sleeps[0] < 4.5


async def test_429_asking_too_long_a_wait_raises_rate_limited_with_the_wait() -> None:
    rec = Recorder([httpx.Response(429, headers={"retry-after": "600"})])
    async with rec.client() as client:
        with pytest.raises(RateLimited) as info:
            await client.me()
    assert info.value.retry_after == 600
    assert "rate-limiting" in str(info.value)
    assert rec.sleeps == []


async def test_429_on_post_is_retried_because_nothing_was_done() -> None:
    rec = Recorder([httpx.Response(429, headers={"retry-after": "1"}), ok(sms_json())])
    async with rec.client() as client:
        sms = await client.create_sms(status="outbox", text="hello", remote_phone="+18183004000")
    assert sms.id == "acti_1" and len(rec.requests) == 2


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_on_get_are_retried_with_growing_jittered_backoff(status: int) -> None:
    rec = Recorder([httpx.Response(status), httpx.Response(status), ok({"id": "u"})])
    async with rec.client() as client:
        await client.me()
    assert len(rec.requests) == 3
    assert len(rec.sleeps) == 2 and 0 < rec.sleeps[0] < rec.sleeps[1] * 2


async def test_gateway_errors_exhaust_retries_into_provider_unavailable() -> None:
    rec = Recorder([httpx.Response(503)] * 5)
    async with rec.client() as client:
        with pytest.raises(ProviderUnavailable, match="HTTP 503"):
            await client.me()
    assert len(rec.requests) == 5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_on_post_is_not_retried_but_ambiguous(status: int) -> None:
    rec = Recorder([httpx.Response(status)])
    async with rec.client() as client:
        with pytest.raises(AmbiguousSendError) as info:
            await client.create_sms(status="outbox", text="hi", remote_phone="+18183004000")
    assert len(rec.requests) == 1
    assert info.value.method == "POST"


async def test_read_timeout_on_post_is_ambiguous_and_not_repeated() -> None:
    rec = Recorder([httpx.ReadTimeout("timed out")])
    async with rec.client() as client:
        with pytest.raises(AmbiguousSendError, match="may or may not"):
            await client.create_sms(status="outbox", text="hi", remote_phone="+18183004000")
    assert len(rec.requests) == 1


async def test_dropped_connection_on_post_is_ambiguous() -> None:
    rec = Recorder([httpx.RemoteProtocolError("Server disconnected without sending a response.")])
    async with rec.client() as client:
        with pytest.raises(AmbiguousSendError):
            await client.create_sms(status="outbox", text="hi", remote_phone="+18183004000")
    assert len(rec.requests) == 1


async def test_connect_error_on_post_is_retried_because_nothing_left() -> None:
    rec = Recorder([httpx.ConnectError("refused"), ok(sms_json())])
    async with rec.client() as client:
        sms = await client.create_sms(status="outbox", text="hello", remote_phone="+18183004000")
    assert sms.status == "outbox" and len(rec.requests) == 2


async def test_read_timeout_on_get_is_retried() -> None:
    rec = Recorder([httpx.ReadTimeout("slow"), ok({"id": "u"})])
    async with rec.client() as client:
        await client.me()
    assert len(rec.requests) == 2


async def test_unreachable_provider_raises_offline() -> None:
    rec = Recorder([httpx.ConnectError("Name or service not known")] * 5)
    async with rec.client() as client:
        with pytest.raises(Offline, match="Cannot reach the provider"):
            await client.me()


async def test_401_says_the_key_was_refused() -> None:
    rec = Recorder([httpx.Response(401, json={"error": "Unauthorized"})])
    async with rec.client() as client:
        with pytest.raises(AuthError, match="The API key was refused"):
            await client.me()


async def test_400_carries_field_errors() -> None:
    body = {"errors": [], "field-errors": {"status": "Only drafts can be modified."}}
    rec = Recorder([httpx.Response(400, json=body)])
    async with rec.client() as client:
        with pytest.raises(ValidationError) as info:
            await client.update_sms("acti_1", text="new")
    assert info.value.field_errors == {"status": "Only drafts can be modified."}
    assert "status: Only drafts can be modified." in str(info.value)


async def test_404_is_not_found_and_delete_of_missing_counts_as_done() -> None:
    rec = Recorder([httpx.Response(404, json={"error": "Not found"}), httpx.Response(404)])
    async with rec.client() as client:
        with pytest.raises(NotFound):
            await client.get_sms("acti_nope")
        await client.delete_sms("acti_gone")


def _secret_free(text: str) -> None:
    token = base64.b64encode(f"{API_KEY}:".encode()).decode()
    assert API_KEY not in text and token not in text


async def test_api_key_never_in_repr_logs_or_exception_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # An httpx exception whose own text carries the key (as a proxy URL or a header dump could).
    leaky = httpx.ConnectError(f"cannot connect to https://{API_KEY}@close.test/")
    rec = Recorder([leaky] * 5 + [httpx.ReadTimeout(f"timeout {API_KEY}")])
    client = rec.client()
    _secret_free(repr(client))
    with pytest.raises(Offline) as offline:
        await client.me()
    with pytest.raises(AmbiguousSendError) as ambiguous:
        await client.create_sms(status="outbox", text="x", remote_phone="+18183004000")
    await client.aclose()
    for exc in (offline.value, ambiguous.value):
        _secret_free(str(exc))
        _secret_free(repr(exc))
        assert exc.__cause__ is None and exc.__suppress_context__
    _secret_free(caplog.text)
    assert "cannot connect" in caplog.text  # the log did record the failure, scrubbed


async def test_error_bodies_echoing_the_key_are_scrubbed() -> None:
    rec = Recorder([httpx.Response(400, json={"errors": [f"bad key {API_KEY}"], "field-errors": {}})])
    async with rec.client() as client:
        with pytest.raises(ValidationError) as info:
            await client.me()
    _secret_free(str(info.value))
    assert "bad key ***" in str(info.value)


async def test_settings_repr_hides_key() -> None:
    from sms_tui.config import Settings

    _secret_free(repr(Settings(base_url="http://x", api_key=API_KEY)))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>oops</html>", "not valid JSON"),
        (json.dumps({"data": [sms_json(status=7)], "has_more": False}).encode(), "'status' = a number"),
        (json.dumps({"data": [sms_json()]}).encode(), "lacks the field 'has_more'"),
        (json.dumps({"data": [sms_json(id=None)], "has_more": False}).encode(), "'id'"),
        (
            json.dumps(
                {"data": [{k: v for k, v in sms_json().items() if k != "date_created"}], "has_more": False}
            ).encode(),
            "lacks the field 'date_created'",
        ),
        (json.dumps({"data": [sms_json(text=12)], "has_more": False}).encode(), "'text' = a number"),
        (
            json.dumps({"data": [sms_json(date_updated="yesterday")], "has_more": False}).encode(),
            "not a date",
        ),
        (json.dumps({"data": "nope", "has_more": False}).encode(), "'data'"),
        (json.dumps([1, 2]).encode(), "a list where list of SMS"),
    ],
)
async def test_malformed_answers_raise_provider_data_error_with_a_clear_message(
    body: bytes, message: str
) -> None:
    rec = Recorder([httpx.Response(200, content=body)])
    async with rec.client() as client:
        with pytest.raises(ProviderDataError) as info:
            await client.list_sms(lead_id="lead_1")
    assert message in str(info.value)


async def test_one_bad_item_rejects_the_whole_page() -> None:
    page = {"data": [sms_json(id="acti_1"), sms_json(id="acti_2", date_created=None)], "has_more": False}
    rec = Recorder([ok(page)])
    async with rec.client() as client:
        with pytest.raises(ProviderDataError, match="SMS acti_2"):
            await client.list_sms()


async def test_unknown_status_and_direction_values_are_kept_as_they_came() -> None:
    page = {
        "data": [sms_json(id="acti_1", status="delivered"), sms_json(id="acti_2", direction="sideways")],
        "has_more": False,
    }
    rec = Recorder([ok(page)])
    async with rec.client() as client:
        got = await client.list_sms()
    assert [(s.status, s.direction) for s in got.items] == [("delivered", "outbound"), ("outbox", "sideways")]


async def test_an_answer_over_the_size_limit_is_refused() -> None:
    page = {"data": [sms_json(text="x" * 5000)], "has_more": False}
    rec = Recorder([ok(page)])
    async with rec.client() as client:
        client._core.max_bytes = 4000
        with pytest.raises(ProviderDataError, match="larger than"):
            await client.list_sms()


async def test_an_answer_that_never_ends_hits_the_request_deadline() -> None:
    import asyncio

    class Trickle(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield b'{"data": ['
            await asyncio.sleep(3600)

    def slow(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle())

    client = CloseClient("http://x/api/v1/", API_KEY, transport=httpx.MockTransport(slow), max_retries=0)
    client._core.deadline = 0.05
    with pytest.raises(Offline, match="stopped answering"):
        await client.list_sms()
    await client.aclose()


async def test_sms_parsing_normalises_datetimes_to_utc() -> None:
    rec = Recorder([ok(sms_json(date_sent="2026-11-23T05:00:00-05:00", cost="2"))])
    async with rec.client() as client:
        sms = await client.get_sms("acti_1")
    assert sms.date_sent is not None and sms.date_sent.utcoffset() is not None
    assert sms.date_sent.hour == 10 and sms.cost == "2"


async def test_offset_paging_advances_skip_and_deduplicates_shifted_rows() -> None:
    p1 = {"data": [sms_json(id="acti_1"), sms_json(id="acti_2")], "has_more": True}
    p2 = {"data": [sms_json(id="acti_2"), sms_json(id="acti_3")], "has_more": False}  # acti_2 shifted
    rec = Recorder([ok(p1), ok(p2)])
    async with rec.client() as client:
        ids = [
            s.id async for page in client.iter_sms_pages(page_size=2, lead_id="lead_1") for s in page.items
        ]
    assert ids == ["acti_1", "acti_2", "acti_3"]
    assert [(r.url.params["_skip"], r.url.params["_limit"]) for r in rec.requests] == [("0", "2"), ("2", "2")]
    assert rec.requests[0].url.params["lead_id"] == "lead_1"


async def test_events_follow_the_cursor_with_the_same_filters() -> None:
    event = {
        "id": "ev_1",
        "object_type": "activity.sms",
        "object_id": "acti_1",
        "action": "created",
        "lead_id": "lead_1",
        "date_created": "2026-11-23T10:00:00.000000",
        "date_updated": "2026-11-23T10:00:00.000000",
        "changed_fields": [],
        "data": sms_json(),
    }
    rec = Recorder(
        [
            ok({"data": [event], "cursor_next": "c2"}),
            ok({"data": [{**event, "id": "ev_2"}], "cursor_next": None}),
        ]
    )
    async with rec.client() as client:
        ids = [e.id async for e in client.iter_events(object_type="activity.sms", action="created")]
    assert ids == ["ev_1", "ev_2"]
    assert rec.requests[1].url.params["_cursor"] == "c2"
    assert rec.requests[1].url.params["action"] == "created"


async def test_create_sms_sends_only_given_fields_and_checks_send_in() -> None:
    rec = Recorder([ok(sms_json())])
    async with rec.client() as client:
        await client.create_sms(status="outbox", text="hello", remote_phone="+18183004000", send_in=5)
        with pytest.raises(ValueError):
            await client.create_sms(status="outbox", text="x", send_in=60)
    body = json.loads(rec.requests[0].content)
    assert body == {"status": "outbox", "text": "hello", "remote_phone": "+18183004000", "send_in": 5}


async def test_cancel_is_a_put_to_draft_and_is_retried_on_503() -> None:
    rec = Recorder([httpx.Response(503), ok(sms_json(status="draft"))])
    async with rec.client() as client:
        sms = await client.cancel_sms("acti_1")
    assert sms.status == "draft"
    assert [r.method for r in rec.requests] == ["PUT", "PUT"]
    assert json.loads(rec.requests[1].content) == {"status": "draft"}


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"status": "inbox", "direction": "inbound", "cost": "2"},
        {"date_sent": "2026-11-23T10:00:05.000000+00:00"},
    ],
)
def test_the_quick_sms_parser_agrees_with_the_careful_one(over: dict[str, object]) -> None:
    from sms_tui.provider.models import _parse_sms_carefully, parse_sms

    body = sms_json(**over)
    assert parse_sms(body) == _parse_sms_carefully(body)


def _history_server(items: list[dict[str, object]], max_skip: int, *, close_shape: bool = True):
    """A fake `GET /activity/sms/`: newest first (ties by id desc), `date_created__lte`, and a 400
    beyond `max_skip` in Close's shape (`{"error": "... max_skip = N ..."}`) or the field-errors one."""
    from datetime import datetime

    ordered = sorted(items, key=lambda s: (s["date_created"], s["id"]), reverse=True)

    def handler(request: httpx.Request) -> httpx.Response:
        q = request.url.params
        skip, limit = int(q["_skip"]), int(q["_limit"])
        if skip > max_skip:
            if close_shape:
                msg = f"Invalid _skip: {skip}. Use the max_skip = {max_skip} or page with date filters."
                return httpx.Response(400, json={"error": msg})
            return httpx.Response(400, json={"errors": [], "field-errors": {"_skip": "too deep"}})
        rows = ordered
        if "date_created__lte" in q:
            bound = datetime.fromisoformat(q["date_created__lte"])
            rows = [s for s in rows if datetime.fromisoformat(str(s["date_created"])) <= bound]
        chunk = rows[skip : skip + limit]
        return httpx.Response(200, json={"data": chunk, "has_more": skip + len(chunk) < len(rows)})

    return handler


async def test_history_scan_goes_deeper_than_the_skip_cap_with_date_windows_and_ties() -> None:
    items = []
    for i in range(47):
        minute = i // 3  # three SMS share each timestamp
        items.append(sms_json(id=f"acti_{i:03}", date_created=f"2026-11-23T10:{minute:02}:00.000000+00:00"))
    handler = _history_server(items, max_skip=7)
    client = CloseClient(BASE, API_KEY, transport=httpx.MockTransport(handler), max_skip=7)
    ids = [s.id async for page in client.iter_sms_history(page_size=4) for s in page.items]
    await client.aclose()
    assert sorted(ids) == sorted(str(s["id"]) for s in items)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("close_shape", [True, False])
async def test_history_scan_lowers_its_skip_cap_when_the_provider_refuses_a_skip(close_shape: bool) -> None:
    items = [
        sms_json(id=f"acti_{i:03}", date_created=f"2026-11-23T10:{i:02}:00.000000+00:00") for i in range(40)
    ]
    handler = _history_server(items, max_skip=9, close_shape=close_shape)
    client = CloseClient(BASE, API_KEY, transport=httpx.MockTransport(handler))  # default cap: far deeper
    ids = [s.id async for page in client.iter_sms_history(page_size=4) for s in page.items]
    await client.aclose()
    assert sorted(ids) == sorted(str(s["id"]) for s in items) and len(ids) == len(set(ids))
    assert client.max_skip <= 9


async def test_a_send_without_retries_makes_exactly_one_attempt() -> None:
    rec = Recorder([httpx.Response(429, headers={"retry-after": "1"}), httpx.ConnectError("refused")])
    async with rec.client() as client:
        with pytest.raises(RateLimited):
            await client.create_sms(status="outbox", text="x", remote_phone="+18183004000", retry=False)
        with pytest.raises(Offline):
            await client.create_sms(status="outbox", text="x", remote_phone="+18183004000", retry=False)
    assert len(rec.requests) == 2 and rec.sleeps == []
