"""Close's Files API and the storage service behind it (docs/carrier.md, "MMS and files").

Close (developer.close.com, Files): `POST /api/v1/files/upload/` with `{"filename", "content_type"}`
answers a signed S3 POST form (`upload.url` + `upload.fields`) and a `download.url`. The client POSTs
the file as `multipart/form-data` with every field of the form within 60 seconds (S3 answers 201);
the file can then be referenced by its `download.url` for 24 hours. Reading a Close file url needs
the API key and leads to a short-lived signed storage URL.

The fake plays both parts: `/go/file/...` (needs the key, like Close's app host) answers a 302 to a
signed `/_storage/<key>?...` URL, and `/_storage/` is the bucket: the upload form's POST target
(checked like S3 checks a POST policy: signature, expiry, every signed field, the size range) and
the signed GET of a stored object (no key; the signature and `Expires` are the credentials). Its
errors are S3's XML bodies. Files live in the carrier's SQLite database (`file_blob`).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import io
import json
import posixpath
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message as MimeMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from sms_tui.carrier.errors import ValidationFailed, field_error
from sms_tui.carrier.jsonsafe import CloseJSONResponse
from sms_tui.carrier.storage import Record
from sms_tui.carrier.validation import Field, check_fields, read_json

if TYPE_CHECKING:
    from starlette.types import Scope

    from sms_tui.carrier.engine import Carrier

#: seconds the signed upload form is good for, and how long an uploaded file can be referenced
UPLOAD_WINDOW = 60
FILE_LIFETIME = timedelta(hours=24)
#: seconds a signed storage link (after the key-checked redirect) stays valid
LINK_LIFETIME = 300
#: the bucket refuses larger uploads (the policy's content-length-range)
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
BUCKET = "close-fake-files"
ACCESS_KEY_ID = "AKIAFAKECARRIER0001"
DEFAULT_ROOT = "http://127.0.0.1:8765"
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

_TABLE = (
    "CREATE TABLE IF NOT EXISTS file_blob (key TEXT PRIMARY KEY, filename TEXT NOT NULL, "
    "content_type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL)"
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class StoredFile:
    key: str
    filename: str
    content_type: str
    size: int
    data: bytes
    created_at: datetime


# -- storage ------------------------------------------------------------------------------------------


def _conn(carrier: Carrier) -> sqlite3.Connection:
    conn = carrier.state.conn
    conn.execute(_TABLE)  # cheap; a restored snapshot or a reset may have replaced the database
    return conn


def put_file(carrier: Carrier, key: str, filename: str, content_type: str, data: bytes) -> StoredFile:
    created = carrier.now()
    with carrier.lock:
        _conn(carrier).execute(
            "INSERT INTO file_blob (key, filename, content_type, size, data, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET filename = excluded.filename, "
            "content_type = excluded.content_type, size = excluded.size, data = excluded.data, "
            "created_at = excluded.created_at",
            (key, filename, content_type, len(data), data, created.isoformat()),
        )
        carrier.state.flush()  # commits: the file is there once the upload was answered
    return StoredFile(key, filename, content_type, len(data), data, created)


def get_file(carrier: Carrier, key: str) -> StoredFile | None:
    with carrier.lock:
        row = (
            _conn(carrier)
            .execute(
                "SELECT key, filename, content_type, size, data, created_at FROM file_blob WHERE key = ?",
                (key,),
            )
            .fetchone()
        )
    if row is None:
        return None
    return StoredFile(row[0], row[1], row[2], row[3], bytes(row[4]), datetime.fromisoformat(row[5]))


def safe_filename(name: str) -> str:
    """The file's base name as storage keeps it (no path, no control or odd characters)."""
    base = posixpath.basename(name.replace("\\", "/")).strip()
    cleaned = _SAFE_NAME.sub("_", base).strip(". ") or "file"
    return cleaned[:120]


# -- urls ---------------------------------------------------------------------------------------------


def root_url(carrier: Carrier) -> str:
    """scheme://host[:port] clients reach the carrier at (remembered from the latest request)."""
    root = carrier.state.meta.get("public_root")
    return root if isinstance(root, str) and root else DEFAULT_ROOT


def note_root(carrier: Carrier, scope: Scope) -> None:
    """Remember where clients reach us, so urls made outside a request (a simulated lead's MMS)
    point at the right host and port. Called by the app layer for every request."""
    headers = dict(scope.get("headers", []))
    host = headers.get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else ""
    if host and not re.search(r"[^A-Za-z0-9.:\[\]-]", host):
        root = f"{scope.get('scheme', 'http')}://{host}"
        if carrier.state.meta.get("public_root") != root:
            carrier.state.meta["public_root"] = root


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


# -- signing (AWS signature version 2 style, with a secret derived from the seed) ----------------------


def _secret(carrier: Carrier) -> bytes:
    return hashlib.sha256(f"{carrier.seed}:fake-storage-secret".encode()).digest()


def _sign(carrier: Carrier, text: str) -> str:
    return base64.b64encode(hmac.new(_secret(carrier), text.encode(), hashlib.sha1).digest()).decode()


def upload_form(carrier: Carrier, user_id: str, filename: str, content_type: str) -> dict[str, Any]:
    """Close's answer to `POST files/upload/`: the signed form and the file's download url."""
    name = safe_filename(filename)
    token = carrier.state.new_id("upl")[4:26]
    key = f"temporary/user/{user_id}/{token}/{name}"
    expires = carrier.now() + timedelta(seconds=UPLOAD_WINDOW)
    disposition = f'inline; filename="{name}"'
    policy = {
        "expiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conditions": [
            {"bucket": BUCKET},
            {"key": key},
            {"Content-Type": content_type},
            {"Content-Disposition": disposition},
            {"success_action_status": "201"},
            ["content-length-range", 0, MAX_UPLOAD_BYTES],
        ],
    }
    encoded = base64.b64encode(json.dumps(policy, separators=(",", ":")).encode()).decode()
    fields = {
        "AWSAccessKeyId": ACCESS_KEY_ID,
        "Content-Disposition": disposition,
        "Content-Type": content_type,
        "key": key,
        "policy": encoded,
        "signature": _sign(carrier, encoded),
        "success_action_status": "201",
    }
    return {
        "download": {"url": file_url(carrier, key)},
        "upload": {"url": f"{root_url(carrier)}/_storage/", "fields": fields},
    }


def signed_link(carrier: Carrier, key: str) -> str:
    expires = int(carrier.now().timestamp()) + LINK_LIFETIME
    signature = _sign(carrier, f"GET\n\n\n{expires}\n/{BUCKET}/{key}")
    return (
        f"{root_url(carrier)}/_storage/{quote(key)}?AWSAccessKeyId={ACCESS_KEY_ID}"
        f"&Expires={expires}&Signature={quote(signature, safe='')}"
    )


# -- S3's answers ------------------------------------------------------------------------------------


class StorageError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> Response:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{_xml(self.message)}</Message></Error>"
        )
        return Response(body, status_code=self.status, media_type="application/xml")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _denied(why: str) -> StorageError:
    return StorageError(403, "AccessDenied", f"Invalid according to Policy: {why}")


async def _read_form(request: Request) -> dict[str, str | tuple[str, bytes]]:
    """A multipart/form-data body: text fields, and the `file` part as (filename, bytes)."""
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        raise StorageError(
            412, "PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data."
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES + 64 * 1024:
            raise StorageError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        chunks.append(chunk)
    raw = b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + b"".join(chunks)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    if not message.is_multipart():
        raise StorageError(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed.")
    form: dict[str, str | tuple[str, bytes]] = {}
    parts: list[MimeMessage] = list(message.iter_parts())
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if name == "file":
            form["file"] = (filename or "", data)
        else:
            form[name] = data.decode("utf-8", "replace")
    return form


def _check_policy(carrier: Carrier, form: dict[str, str | tuple[str, bytes]]) -> tuple[str, str, bytes]:
    """S3's checks of a POST: signed policy, not expired, every field as signed. Returns
    (key, content type, data)."""
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    if not isinstance(upload, tuple):
        raise StorageError(400, "InvalidArgument", "POST requires exactly one file upload per request.")
    for name in ("key", "policy", "signature", "AWSAccessKeyId"):
        if name not in fields:
            raise StorageError(400, "InvalidArgument", f"Bucket POST must contain a field named '{name}'.")
    if fields["AWSAccessKeyId"] != ACCESS_KEY_ID:
        raise StorageError(
            403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        )
    if not hmac.compare_digest(_sign(carrier, fields["policy"]), fields["signature"]):
        raise StorageError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    policy = json.loads(base64.b64decode(fields["policy"]))
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    if carrier.now() > expires:
        raise _denied("Policy expired.")
    signed: set[str] = set()
    low, high = 0, MAX_UPLOAD_BYTES
    for cond in policy["conditions"]:
        if isinstance(cond, dict):
            [(name, want)] = cond.items()
            if name == "bucket":
                continue
            signed.add(name)
            if fields.get(name) != want:
                raise _denied(f'Policy Condition failed: ["eq", "${name}", "{want}"]')
        elif cond[0] == "content-length-range":
            low, high = int(cond[1]), int(cond[2])
    extra = sorted(set(fields) - signed - {"policy", "signature", "AWSAccessKeyId"})
    if extra:
        raise _denied(f"Extra input fields: {', '.join(extra)}")
    data = upload[1]
    if len(data) > high:
        raise StorageError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
    if len(data) < low:
        raise StorageError(
            400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
        )
    return fields["key"], fields.get("Content-Type", "binary/octet-stream"), data


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


async def storage_post(request: Request) -> Response:
    """The bucket: a browser-style POST of the signed form and the file."""
    carrier = _carrier(request)
    try:
        key, content_type, data = _check_policy(carrier, await _read_form(request))
    except StorageError as exc:
        return exc.response()
    put_file(carrier, key, key.rsplit("/", 1)[-1], content_type, data)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
        f"<Location>{_xml(root_url(carrier))}/_storage/{_xml(quote(key))}</Location>"
        f"<Bucket>{BUCKET}</Bucket><Key>{_xml(key)}</Key>"
        f'<ETag>"{hashlib.md5(data).hexdigest()}"</ETag></PostResponse>'
    )
    return Response(body, status_code=201, media_type="application/xml")


async def storage_get(request: Request) -> Response:
    """A signed link to a stored object (no API key: the signature is the credential)."""
    carrier = _carrier(request)
    key = request.path_params["key"]
    q = request.query_params
    try:
        expires = int(q.get("Expires", ""))
    except ValueError:
        return StorageError(403, "AccessDenied", "Query-string authentication requires the Signature, "
                            "Expires and AWSAccessKeyId parameters").response()  # fmt: skip
    want = _sign(carrier, f"GET\n\n\n{expires}\n/{BUCKET}/{key}")
    if not hmac.compare_digest(want, q.get("Signature", "")):
        return StorageError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ).response()
    if carrier.now().timestamp() > expires:
        return StorageError(403, "AccessDenied", "Request has expired").response()
    stored = get_file(carrier, key)
    if stored is None:
        return StorageError(404, "NoSuchKey", "The specified key does not exist.").response()
    headers = {"Content-Disposition": f'inline; filename="{stored.filename}"', "Cache-Control": "private"}
    return Response(stored.data, media_type=stored.content_type, headers=headers)


async def download(request: Request) -> Response:
    """`GET /go/file/<key>/` (needs the API key, checked by the app layer): a 302 to a signed link."""
    carrier = _carrier(request)
    key = request.path_params["key"].rstrip("/")
    if ".." in key.split("/") or get_file(carrier, key) is None:
        return CloseJSONResponse({"error": "Not found."}, status_code=404)
    return RedirectResponse(signed_link(carrier, key), status_code=302)


ROUTES = [
    Route("/go/file/{key:path}", download, methods=["GET"]),
    Route("/_storage/", storage_post, methods=["POST"]),
    Route("/_storage/{key:path}", storage_get, methods=["GET"]),
]
API_ROUTES = [Route("/files/upload/", upload, methods=["POST"])]

#: paths the storage service answers without the API key (its signatures are the credentials)
KEYLESS_PREFIX = "/_storage/"
