"""MMS in the fake carrier: attachments on SMS in Close's shape, the carrier's refusals with
Twilio's error codes, MMS pricing, and the media a simulated lead sends (docs/carrier.md, "MMS").

- On create/update (400, like Close's validation): at most 10 attachments; each `content_type`
  one of `CreateSmsActivityAttachmentsItemsContentType`; each `url` a file uploaded through the
  Files API within 24 h (or an existing attachment's url). The stored attachment gets Close's
  fields: url, filename, size (of the stored file), content_type, media_id, thumbnail_url (images).
- When it goes out (status `error`, no cost, like Twilio's failed status): MMS to or from a country
  without MMS (21612), too heavy for the sending number (30019), a referenced file gone (21620).
- Pricing: an MMS costs MMS_CENTS (US/CA) whatever the text's length (Twilio bills one MMS for up
  to 1600 characters; US MMS is about 2.5x an SMS segment).
"""

from __future__ import annotations

import base64
import binascii
import random
from typing import TYPE_CHECKING, Any

from sms_tui.carrier import bucket, files
from sms_tui.carrier.errors import field_error
from sms_tui.carrier.storage import Record
from sms_tui.core import mms as rules

if TYPE_CHECKING:
    from sms_tui.carrier.engine import Carrier

#: reason -> (Twilio code, Twilio title, default sentence); merged into outcomes.REASONS
REASONS: dict[str, tuple[str, str, str]] = {
    "mms_too_large": (
        "30019",
        "Content size exceeds carrier limit",
        "the attachments are larger than the carrier accepts from this number; send a smaller file.",
    ),
    "mms_country": (
        "21612",
        "Message cannot be sent with the current combination of 'To' and/or 'From' parameters",
        "MMS is not supported to this destination; send the text alone.",
    ),
    "mms_type": (
        "12300",
        "Invalid Content-Type",
        "the carrier cannot deliver this type of file by MMS.",
    ),
    "mms_media_gone": (
        "21620",
        "Invalid media URL(s)",
        "an attachment's file is no longer available (uploads can be used for 24 hours); attach it again.",
    ),
    "mms_too_many": (
        "21623",
        "Number of media files exceeds allowed limit",
        f"an MMS carries at most {rules.MAX_ATTACHMENTS} attachments.",
    ),
}
_CODE_TO_REASON = {
    "too_large": "mms_too_large",
    "country_unsupported": "mms_country",
    "type_unsupported": "mms_type",
    "too_many": "mms_too_many",
}
#: US cents per MMS to US/CA (one message, whatever the text's length)
MMS_CENTS = 3


def check_attachments(carrier: Carrier, items: list[Any]) -> list[Record]:
    """Validate the `attachments` of a create/update and store each as an SMS attachment (a new
    media_id, the file copied from the upload). 400 (field `attachments`) for anything wrong."""
    if len(items) > rules.MAX_ATTACHMENTS:
        raise field_error("attachments", f"At most {rules.MAX_ATTACHMENTS} attachments are allowed.")
    checked: list[tuple[str, str, bucket.StoredFile]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("url", "filename", "content_type")
        ):
            raise field_error("attachments", f"Attachment {i} needs url, filename and content_type.")
        size = item.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise field_error("attachments", f"Attachment {i}: size must be a whole number of bytes.")
        ctype = rules.canonical_type(item["content_type"])
        if ctype is None:
            raise field_error(
                "attachments",
                f"Attachment {i}: content_type {item['content_type']!r} is not one of the allowed types.",
            )
        stored = files.referenced_file(carrier, item["url"])
        if stored is None:
            raise field_error(
                "attachments",
                f"Attachment {i}: no uploaded file at this url (upload it through files/upload/ first; "
                "an upload can be used for 24 hours).",
            )
        checked.append((item["filename"] or stored.filename, ctype, stored))
    return [files.make_media(carrier, name, ctype, stored.data) for name, ctype, stored in checked]


def failure_at_send(carrier: Carrier, sms: Record) -> tuple[str, str | None] | None:
    """(reason, detail) that stops an MMS when it goes out, or None (an SMS without attachments
    always passes)."""
    attachments: list[Record] = sms.get("attachments") or []
    if not attachments:
        return None
    for a in attachments:
        if bucket.get_file(carrier, files.key_of_url(a["url"]) or "") is None:
            return "mms_media_gone", None
    faults = carrier.plan.faults
    limits: dict[rules.NumberKind, int] = {
        "long_code": int(faults.mms_limit_long_code_kb * 1024),
        "toll_free": int(faults.mms_limit_toll_free_kb * 1024),
        "short_code": int(faults.mms_limit_toll_free_kb * 1024),
    }
    verdict = rules.check_mms(
        sms.get("local_phone") or "",
        sms.get("remote_phone") or "",
        [(a["content_type"], a.get("size") or 0) for a in attachments],
        limits=limits,
    )
    if verdict.ok or verdict.code is None:
        return None
    detail = None
    if verdict.code == "too_large":
        total = sum(a.get("size") or 0 for a in attachments)
        kind = rules.number_kind(sms.get("local_phone") or "")
        detail = (
            f"the attachments weigh {rules.size_text(total)} and carriers accept at most "
            f"{rules.size_text(limits[kind])} from a {kind.replace('_', ' ')} number; send a smaller file."
        )
    return _CODE_TO_REASON[verdict.code], detail


def cost(sms: Record) -> str | None:
    """The cost of an MMS (None for a plain SMS: outcomes.cost prices it by segments)."""
    if not sms.get("attachments"):
        return None
    return str(MMS_CENTS)


def pick_media(carrier: Carrier, sms_id: str) -> list[str]:
    """The sample a simulated lead sends with a reply (`mms_reply_rate` of replies), or none. Its
    own RNG stream, so turning MMS on or off leaves every other decision of a seed unchanged."""
    rng = random.Random(f"{carrier.seed}:mms:{sms_id}")
    if rng.random() >= carrier.plan.faults.mms_reply_rate:
        return []
    return [rng.choice(sorted(files.SAMPLES))]


def inbound_media(carrier: Carrier, items: list[Any]) -> list[Record]:
    """`media` of `POST /_carrier/inbound`: sample names ("roof.jpg") or
    `{"filename", "content_type", "data": base64}` objects. 400 (field `media`) when wrong."""
    if len(items) > rules.MAX_ATTACHMENTS:
        raise field_error("media", f"At most {rules.MAX_ATTACHMENTS} attachments are allowed.")
    out: list[Record] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            if item not in files.SAMPLES:
                raise field_error(
                    "media", f"Item {i}: no sample {item!r}; samples: {', '.join(files.SAMPLES)}."
                )
            out.append(files.sample_media(carrier, item))
            continue
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("filename", "content_type", "data")
        ):
            raise field_error("media", f"Item {i} needs filename, content_type and data (base64).")
        try:
            data = base64.b64decode(item["data"], validate=True)
        except (binascii.Error, ValueError):
            raise field_error("media", f"Item {i}: data is not valid base64.") from None
        if len(data) > bucket.MAX_UPLOAD_BYTES:
            raise field_error(
                "media", f"Item {i} is larger than {bucket.MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
            )
        out.append(files.make_media(carrier, item["filename"], item["content_type"], data))
    return out
