"""Close's Files API from the client's side: upload a file (two steps) and download an attachment.

Upload (developer.close.com, Files): `POST files/upload/` with `{"filename", "content_type"}` gives
a signed form (`upload.url`, `upload.fields`) and `download.url`; the file then goes as
`multipart/form-data` (every field of the form, the file last) to `upload.url` — the storage
service, which must never see the API key — and is answered 201 (S3: 200/204 also mean stored).
The SMS then references `download.url`.

Download: an attachment's `url` (or `thumbnail_url`) needs the API key and redirects to a
short-lived signed link; the key goes only to the provider's own hosts (`HttpCore.trusted`), the
signed link is fetched without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from sms_tui.provider.errors import (
    AuthError,
    NotFound,
    Offline,
    ProviderDataError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from sms_tui.provider.http import _NOT_SENT, HttpCore, TooLarge
from sms_tui.provider.ratelimit import retry_after_seconds

#: Close's Files API: a file is usable for 24 hours after upload; we refuse to upload more than this
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_S3_MESSAGE = re.compile(rb"<Message>(.*?)</Message>", re.S)


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file stored through the Files API: reference `url` in an SMS's `attachments`."""

    url: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Downloaded:
    data: bytes
    content_type: str


def _text(obj: Any, *path: str) -> str:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(obj, str) or not obj:
        raise ProviderDataError(f"The provider's upload form has no {'.'.join(path)}.")
    return obj


async def upload(core: HttpCore, filename: str, content_type: str, data: bytes) -> UploadedFile:
    """Both steps of an upload. Raises Offline / ProviderUnavailable / RateLimited when it may be
    tried again, ProviderError (with the storage's reason) when the storage refused the file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProviderError(
            f"{filename} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; it cannot be uploaded."
        )
    form = await core.request(
        "POST", "files/upload/", body={"filename": filename, "content_type": content_type}
    )
    target = _text(form, "upload", "url")
    download_url = _text(form, "download", "url")
    raw_fields = form["upload"].get("fields")
    if not isinstance(raw_fields, dict) or not all(isinstance(v, str) for v in raw_fields.values()):
        raise ProviderDataError("The provider's upload form has no fields.")
    fields: dict[str, str] = {str(k): v for k, v in raw_fields.items()}
    where = f"the upload of {filename}"
    try:
        answer = await core.raw(
            "POST", target, with_key=False, data=fields, files={"file": (filename, data, content_type)}
        )
    except TooLarge:
        raise ProviderDataError(f"The file storage's answer to {where} was too large.") from None
    except _NOT_SENT as exc:
        raise Offline(f"Cannot reach the file storage for {where} ({type(exc).__name__}).") from None
    except httpx.TransportError as exc:
        # Unlike an SMS, an upload repeated does no harm (an unused copy expires): try again later.
        raise ProviderUnavailable(
            f"The file storage did not answer {where} ({type(exc).__name__})."
        ) from None
    if answer.status_code in (200, 201, 204):
        return UploadedFile(download_url, filename, content_type, len(data))
    reason = _storage_reason(answer)
    if answer.status_code >= 500 or answer.status_code == 429:
        raise ProviderUnavailable(
            f"The file storage failed on {where}: {reason}", status_code=answer.status_code
        )
    raise ProviderError(f"The file storage refused {where}: {reason}", status_code=answer.status_code)


def _storage_reason(answer: httpx.Response) -> str:
    match = _S3_MESSAGE.search(answer.content[:4096])
    if match:
        return match.group(1).decode("utf-8", "replace").strip()
    return f"HTTP {answer.status_code}"


async def download(core: HttpCore, url: str, *, max_bytes: int) -> Downloaded:
    """An attachment's bytes: the url with the key, then its signed link without. NotFound when
    the file is gone; ProviderDataError when larger than `max_bytes`; Offline/ProviderUnavailable/
    RateLimited when it may work later."""
    try:
        answer = await core.raw("GET", url, with_key=True, max_bytes=max_bytes)
        hops = 0
        while answer.status_code in _REDIRECTS and hops < 3:
            location = answer.headers.get("location", "")
            if not location:
                break
            hops += 1
            link = str(answer.request.url.join(location))
            # The signed link carries its own credential: the key does not follow a redirect.
            answer = await core.raw("GET", link, with_key=False, max_bytes=max_bytes)
    except TooLarge:
        raise ProviderDataError(f"The attachment is larger than {max_bytes // (1024 * 1024)} MB.") from None
    except _NOT_SENT as exc:
        raise Offline(f"Cannot reach the provider to fetch the attachment ({type(exc).__name__}).") from None
    except httpx.TransportError as exc:
        raise ProviderUnavailable(f"The attachment did not arrive ({type(exc).__name__}).") from None
    status = answer.status_code
    if status == 200:
        ctype = answer.headers.get("content-type", "application/octet-stream").split(";", 1)[0].strip()
        return Downloaded(answer.content, ctype)
    if status == 401:
        raise AuthError("The API key was refused when fetching the attachment (HTTP 401).", status_code=401)
    if status == 404:
        raise NotFound("The attachment is no longer on the provider.", status_code=404)
    if status == 429:
        wait = retry_after_seconds(answer.headers)
        raise RateLimited("The provider is rate-limiting attachment downloads.", retry_after=wait or 1.0)
    if status >= 500:
        raise ProviderUnavailable(
            f"The provider failed to send the attachment (HTTP {status}).", status_code=status
        )
    raise ProviderError(f"The attachment could not be fetched: {_storage_reason(answer)}", status_code=status)
