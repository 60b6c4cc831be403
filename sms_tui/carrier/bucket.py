"""The storage service behind Close's Files API: an S3-style bucket (docs/carrier.md, "MMS and files").

Files live in the carrier's SQLite database (`file_blob`). `/_storage/` is the bucket: the upload
form's POST target (checked like S3 checks a POST policy: signature, expiry, every signed field,
the size range) and the signed GET of a stored object (no key; the signature and `Expires` are the
credentials). Its errors are S3's XML bodies. Signatures are AWS signature version 2 style, with a
secret derived from the carrier's seed. Close's side (the upload endpoint, file urls, MMS media) is
files.py.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from email.message import Message as MimeMessage
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

if TYPE_CHECKING:
    from starlette.types import Scope

    from sms_tui.carrier.engine import Carrier

#: seconds a signed storage link (after the key-checked redirect) stays valid
LINK_LIFETIME = 300
#: the bucket refuses larger uploads (the policy's content-length-range)
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
BUCKET = "close-fake-files"
ACCESS_KEY_ID = "AKIAFAKECARRIER0001"
DEFAULT_ROOT = "http://127.0.0.1:8765"
#: paths the storage service answers without the API key (its signatures are the credentials)
KEYLESS_PREFIX = "/_storage/"

_TABLE = (
    "CREATE TABLE IF NOT EXISTS file_blob (key TEXT PRIMARY KEY, filename TEXT NOT NULL, "
    "content_type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL, created_at TEXT NOT NULL)"
)


@dataclass(frozen=True)
class StoredFile:
    key: str
    filename: str
    content_type: str
    size: int
    data: bytes
    created_at: datetime


# -- the table ----------------------------------------------------------------------------------------


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


# -- where clients reach us ---------------------------------------------------------------------------


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


# -- signing ------------------------------------------------------------------------------------------


def _secret(carrier: Carrier) -> bytes:
    return hashlib.sha256(f"{carrier.seed}:fake-storage-secret".encode()).digest()


def _sign(carrier: Carrier, text: str) -> str:
    return base64.b64encode(hmac.new(_secret(carrier), text.encode(), hashlib.sha1).digest()).decode()


def signed_post_form(
    carrier: Carrier, key: str, content_type: str, disposition: str, expires: datetime
) -> dict[str, str]:
    """The fields of a browser-style POST the bucket accepts for `key` until `expires`."""
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
    return {
        "AWSAccessKeyId": ACCESS_KEY_ID,
        "Content-Disposition": disposition,
        "Content-Type": content_type,
        "key": key,
        "policy": encoded,
        "signature": _sign(carrier, encoded),
        "success_action_status": "201",
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


# -- routes ------------------------------------------------------------------------------------------


def _carrier(request: Request) -> Carrier:
    carrier: Carrier = request.app.state.carrier
    return carrier


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


ROUTES = [
    Route("/_storage/", storage_post, methods=["POST"]),
    Route("/_storage/{key:path}", storage_get, methods=["GET"]),
]
