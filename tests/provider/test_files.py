"""The client's side of Close's Files API, against the fake carrier in-process: the two-step upload,
an MMS that references it, downloads with the key (and never the key to the storage service)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from sms_tui.carrier import FakeClock, create_app
from sms_tui.carrier.files import SAMPLES_DIR
from sms_tui.provider import CloseClient, NotFound, ProviderDataError, ProviderError
from tests.provider.conftest import API_KEY, BASE, Recorder

KEY = "files-test-key"
ROOF = (SAMPLES_DIR / "roof.jpg").read_bytes()


class Spy(httpx.AsyncBaseTransport):
    """The ASGI transport to the carrier, noting which requests carried an Authorization header."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str, bool]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, "authorization" in request.headers))
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def setup() -> AsyncIterator[tuple[CloseClient, Spy, FakeClock]]:
    clock = FakeClock()
    app = create_app(api_key=KEY, seed=3, clock=clock)
    spy = Spy(httpx.ASGITransport(app=app))
    async with CloseClient("http://carrier.test/api/v1/", KEY, transport=spy) as client:
        yield client, spy, clock


async def test_upload_send_and_download_an_mms(setup: tuple[CloseClient, Spy, FakeClock]) -> None:
    client, spy, clock = setup
    uploaded = await client.upload_file("roof.jpg", "image/jpeg", ROOF)
    assert uploaded.size == len(ROOF) and "/go/file/temporary/" in uploaded.url
    storage = [s for s in spy.seen if s[1] == "/_storage/"]
    assert storage == [("POST", "/_storage/", False)]  # the storage service never sees the key
    sms = await client.create_sms(
        status="outbox", text="the roof", remote_phone="+14155550123",
        attachments=[{"url": uploaded.url, "filename": "roof.jpg", "content_type": "image/jpeg"}],
    )  # fmt: skip
    [att] = sms.raw["attachments"]
    got = await client.download_file(att["url"])
    assert got.data == ROOF and got.content_type == "image/jpeg"
    signed = [s for s in spy.seen if s[1].startswith("/_storage/media/")]
    assert signed and not any(with_key for _, _, with_key in signed)
    thumb = await client.download_file(att["thumbnail_url"])
    assert thumb.content_type == "image/jpeg" and 0 < len(thumb.data) < len(ROOF) * 4


async def test_a_download_over_the_size_bound_is_refused(setup: tuple[CloseClient, Spy, FakeClock]) -> None:
    client, _, _ = setup
    uploaded = await client.upload_file("roof.jpg", "image/jpeg", ROOF)
    with pytest.raises(ProviderDataError, match="larger than"):
        await client.download_file(uploaded.url, max_bytes=1024)


async def test_an_expired_form_is_a_refusal_with_the_storage_reason(
    setup: tuple[CloseClient, Spy, FakeClock],
) -> None:
    client, _, clock = setup
    real = client._core.raw

    async def late(*args: object, **kwargs: object) -> httpx.Response:
        clock.advance(61)  # the signed form lapses while the file travels
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    client._core.raw = late  # type: ignore[method-assign]
    with pytest.raises(ProviderError, match="Policy expired"):
        await client.upload_file("roof.jpg", "image/jpeg", ROOF)


async def test_a_missing_file_is_not_found(setup: tuple[CloseClient, Spy, FakeClock]) -> None:
    client, _, _ = setup
    with pytest.raises(NotFound):
        await client.download_file("http://carrier.test/go/file/media/media_nope/x.jpg/")


async def test_the_key_goes_only_to_the_providers_hosts() -> None:
    rec = Recorder([httpx.Response(302, headers={"location": "https://s3.example/x?Signature=s"}),
                    httpx.Response(200, content=b"img", headers={"content-type": "image/png"})])  # fmt: skip
    client = rec.client()
    with pytest.raises(ProviderDataError, match="Refusing to send the API key"):
        await client.download_file("https://evil.example/go/file/x/")
    got = await client.download_file("https://app.close.com/go/file/x/")
    assert got.data == b"img"
    first, second = rec.requests
    assert "authorization" in first.headers and "authorization" not in second.headers
    assert API_KEY not in str(second.url) and BASE.startswith("https://close.test")
    await client.aclose()


async def test_templates_left_without_their_files_by_the_list_are_completed_one_by_one() -> None:
    def template(tid: str, **extra: object) -> dict[str, object]:
        return {"id": tid, "name": tid, "text": "Hi", "status": "active", "is_shared": True, **extra}

    flyer = {
        "url": "https://app.close.com/go/file/f/",
        "filename": "flyer.png",
        "size": 9,
        "content_type": "image/png",
    }
    listing = {"data": [template("smstmpl_a"), template("smstmpl_b", attachments=[])], "has_more": False}
    rec = Recorder(
        [
            httpx.Response(200, json=listing),
            httpx.Response(200, json=template("smstmpl_a", attachments=[flyer])),
        ]
    )
    client = rec.client()
    a, b = await client.list_templates()
    assert a.attachments == (flyer,) and b.attachments == ()
    assert rec.requests[0].url.params["include_attachments"] == "true"
    assert rec.requests[1].url.path.endswith(
        "/sms_template/smstmpl_a/"
    )  # only the one whose files were left out
    assert rec.requests[1].url.params["include_attachments"] == "true" and len(rec.requests) == 2
    await client.aclose()
