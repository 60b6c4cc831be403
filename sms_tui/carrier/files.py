"""Close's Files API and MMS media on the fake carrier (docs/carrier.md, "MMS and files").

Close (developer.close.com, Files): `POST /api/v1/files/upload/` with `{"filename", "content_type"}`
answers a signed S3 POST form (`upload.url` + `upload.fields`) and a `download.url`. The client POSTs
the file as `multipart/form-data` with every field of the form within 60 seconds (S3 answers 201);
the file can then be referenced by its `download.url` for 24 hours. Reading a Close file url needs
the API key and leads to a short-lived signed storage URL.

The fake plays both parts: `/go/file/...` (here; needs the key, like Close's app host) answers a
302 to a signed `/_storage/<key>?...` URL of the bucket (bucket.py: the storage service, its
signatures and S3's answers). An SMS's attachments are stored files with Close's attachment
object around them (`make_media`).
"""

from __future__ import annotations

import io
import posixpath
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sms_tui.carrier import bucket
from sms_tui.carrier.bucket import (
    StoredFile,
    get_file,
    put_file,
    root_url,
    signed_link,
    signed_post_form,
)
from sms_tui.carrier.errors import ValidationFailed, field_error
from sms_tui.carrier.jsonsafe import CloseJSONResponse
from sms_tui.carrier.storage import Record
from sms_tui.carrier.validation import Field, check_fields, read_json

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

#: seconds the signed upload form is good for, and how long an uploaded file can be referenced
UPLOAD_WINDOW = 60
FILE_LIFETIME = timedelta(hours=24)
THUMBNAIL_BOX = (320, 320)

SAMPLES_DIR = Path(__file__).parent / "samples"
#: bundled media a simulated lead sends (drawn by tools/make_mms_samples.py)
SAMPLES: dict[str, str] = {
    "roof.jpg": "image/jpeg",
    "part.png": "image/png",
    "smile.gif": "image/gif",
    "signed-form.pdf": "application/pdf",
}
#: bundled media the demo's templates carry (not sent by simulated leads)
TEMPLATE_SAMPLES: dict[str, str] = {"flyer.png": "image/png"}

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    """The file's base name as storage keeps it (no path, no control or odd characters)."""
    base = posixpath.basename(name.replace("\\", "/")).strip()
    cleaned = _SAFE_NAME.sub("_", base).strip(". ") or "file"
    return cleaned[:120]


# -- urls ---------------------------------------------------------------------------------------------


def file_url(carrier: Carrier, key: str) -> str:
    """The Close-style url of a stored file (reading it needs the API key)."""
    return f"{root_url(carrier)}/go/file/{quote(key)}/"


def media_key(media_id: str, filename: str) -> str:
    return f"media/{media_id}/{filename}"


def thumbnail_key(media_id: str) -> str:
    return f"media/{media_id}/thumbnail.jpg"


def key_of_url(url: str) -> str | None:
    """The storage key a Close file url names (`…/go/file/<key>/`), whatever its host; None if it
    is not one."""
    path = unquote(urlsplit(url).path)
    if not path.startswith("/go/file/"):
        return None
    key = path[len("/go/file/") :].rstrip("/")
    return key if key and ".." not in key.split("/") else None


def upload_form(carrier: Carrier, user_id: str, filename: str, content_type: str) -> dict[str, Any]:
    """Close's answer to `POST files/upload/`: the signed form and the file's download url."""
    name = safe_filename(filename)
    token = carrier.state.new_id("upl")[4:26]
    key = f"temporary/user/{user_id}/{token}/{name}"
    expires = carrier.now() + timedelta(seconds=UPLOAD_WINDOW)
    fields = signed_post_form(carrier, key, content_type, f'inline; filename="{name}"', expires)
    return {
        "download": {"url": file_url(carrier, key)},
        "upload": {"url": f"{root_url(carrier)}/_storage/", "fields": fields},
    }


# -- media on SMS ------------------------------------------------------------------------------------


def make_media(carrier: Carrier, filename: str, content_type: str, data: bytes) -> dict[str, Any]:
    """Store a file as an SMS attachment: Close's attachment object (url, filename, size,
    content_type, media_id, and thumbnail_url for an image it could shrink)."""
    media_id = carrier.state.new_id("media")
    name = safe_filename(filename)
    stored = put_file(carrier, media_key(media_id, name), name, content_type, data)
    attachment: dict[str, Any] = {
        "url": file_url(carrier, stored.key),
        "filename": name,
        "size": stored.size,
        "content_type": content_type,
        "media_id": media_id,
    }
    thumb = _thumbnail(data) if content_type.startswith("image/") else None
    if thumb is not None:
        key = thumbnail_key(media_id)
        put_file(carrier, key, "thumbnail.jpg", "image/jpeg", thumb)
        attachment["thumbnail_url"] = file_url(carrier, key)
    return attachment


def _thumbnail(data: bytes) -> bytes | None:
    """A JPEG no larger than THUMBNAIL_BOX, or None when the bytes are not an image Pillow reads."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # pragma: no cover - Pillow is a dependency; without it, no thumbnails
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail(THUMBNAIL_BOX)
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=75)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def sample_media(carrier: Carrier, name: str) -> dict[str, Any]:
    """One of the bundled samples, stored as a new attachment."""
    ctype = SAMPLES.get(name) or TEMPLATE_SAMPLES[name]
    return make_media(carrier, name, ctype, (SAMPLES_DIR / name).read_bytes())


def referenced_file(carrier: Carrier, url: str) -> StoredFile | None:
    """The file an SMS attachment `url` references: an upload made within the last 24 hours, or an
    existing attachment's media. None when there is no such file (yet, or any more)."""
    key = key_of_url(url)
    if key is None:
        return None
    stored = get_file(carrier, key)
    if stored is None:
        return None
    if key.startswith("temporary/") and carrier.now() - stored.created_at > FILE_LIFETIME:
        return None
    return stored


def relocated(carrier: Carrier, attachment: Record) -> Record:
    """The attachment with its urls on the host clients reach us at now (a file made before any
    request, such as a demo template's, was given the default host)."""
    out = dict(attachment)
    for field_name in ("url", "thumbnail_url"):
        key = key_of_url(out.get(field_name) or "")
        if key is not None:
            out[field_name] = file_url(carrier, key)
    return out


def template_view(carrier: Carrier, template: Record, *, include_attachments: bool) -> Record:
    """A template as `GET sms_template/` shows it: its `attachments` only with
    `include_attachments=true` (Close's parameter, default false), their urls on this host."""
    if include_attachments:
        return template | {"attachments": [relocated(carrier, a) for a in template.get("attachments") or []]}
    return {k: v for k, v in template.items() if k != "attachments"}


# -- routes ------------------------------------------------------------------------------------------

UPLOAD_SCHEMA = {"filename": Field("str", False), "content_type": Field("str", False)}


def _carrier(request: Request) -> Carrier:
    carrier: Carrier = request.app.state.carrier
    return carrier


async def upload(request: Request) -> CloseJSONResponse:
    """`POST /api/v1/files/upload/`: Close's signed S3 POST."""
    body = check_fields(await read_json(request), UPLOAD_SCHEMA)
    missing = {k: "This field is required." for k in UPLOAD_SCHEMA if not body.get(k)}
    if missing:
        raise ValidationFailed([], missing)
    if "/" not in body["content_type"]:
        raise field_error("content_type", "Not a valid content type.")
    carrier = _carrier(request)
    with carrier.lock:
        return CloseJSONResponse(
            upload_form(carrier, carrier.me()["id"], body["filename"], body["content_type"])
        )


async def download(request: Request) -> Response:
    """`GET /go/file/<key>/` (needs the API key, checked by the app layer): a 302 to a signed link."""
    carrier = _carrier(request)
    key = request.path_params["key"].rstrip("/")
    if ".." in key.split("/") or get_file(carrier, key) is None:
        return CloseJSONResponse({"error": "Not found."}, status_code=404)
    return RedirectResponse(signed_link(carrier, key), status_code=302)


ROUTES = [Route("/go/file/{key:path}", download, methods=["GET"]), *bucket.ROUTES]
API_ROUTES = [Route("/files/upload/", upload, methods=["POST"])]

#: paths the storage service answers without the API key (its signatures are the credentials)
KEYLESS_PREFIX = bucket.KEYLESS_PREFIX
