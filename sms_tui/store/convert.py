"""Conversions between Python values and what the cache stores.

Datetimes are stored as fixed-width ISO-8601 UTC text (`2026-11-23T09:40:00.000000+00:00`) so that
string order is time order: indexes and keyset cursors compare them directly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from sms_tui.core.models import (
    Attachment,
    CloseStatus,
    ContactEmail,
    Direction,
    LeadProfile,
    LeadRow,
    LocalState,
    Message,
)

#: Close status -> the local state a message takes when the provider reports it.
#: `outbox` on the provider means "accepted, on its way": for us it has left, so it is `sent`.
REMOTE_STATE: dict[str, LocalState] = {
    "inbox": "inbox",
    "draft": "draft",
    "scheduled": "scheduled",
    "outbox": "sent",
    "sent": "sent",
    "error": "error",
}


def local_state_for(status: str, direction: str) -> LocalState:
    """The local state of a provider SMS. A status Close may add later is kept as it came in the
    `status` column; the message counts as received (inbound) or gone out (outbound) meanwhile."""
    known = REMOTE_STATE.get(status)
    if known is not None:
        return known
    return "inbox" if direction == "inbound" else "sent"


#: Local state -> the Close status the rep sees (and that `status:` / `latest_sms_status:` search).
STATUS_OF_STATE: dict[str, CloseStatus] = {
    "draft": "draft",
    "outbox": "outbox",
    "sending": "outbox",
    "scheduled": "scheduled",
    "sent": "sent",
    "error": "error",
    "blocked": "error",
    "inbox": "inbox",
}

#: The same mapping as a SQL expression over a column holding a local state (used by triggers).
STATUS_SQL = "CASE {col} WHEN 'sending' THEN 'outbox' WHEN 'blocked' THEN 'error' ELSE {col} END"


def ts(value: datetime | None) -> str | None:
    """Aware datetime -> stored text (naive datetimes are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_ts(value: object) -> str | None:
    """A provider datetime (string, possibly naive or with `Z`) or datetime -> stored text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return ts(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date-time string, got {type(value).__name__}")
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    return ts(datetime.fromisoformat(text))


def dt(value: str | None) -> datetime | None:
    """Stored text -> aware UTC datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value)


def json_text(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


MESSAGE_COLUMNS = (
    "local_id, lead_id, direction, local_state, text, remote_id, contact_id, status, local_phone, "
    "remote_phone, date_created, date_sent, date_scheduled, send_at, error_message, block_reason, "
    "attempts, cost, is_read, template_id, last_error, sort_at, attachments"
)


def message_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Message:
    """A row selected with MESSAGE_COLUMNS (in that order) -> Message."""
    (
        local_id,
        lead_id,
        direction,
        local_state,
        text,
        remote_id,
        contact_id,
        status,
        local_phone,
        remote_phone,
        date_created,
        date_sent,
        date_scheduled,
        send_at,
        error_message,
        block_reason,
        attempts,
        cost,
        is_read,
        template_id,
        last_error,
        sort_at,
        attachments,
    ) = tuple(row)
    return Message(
        local_id=local_id,
        lead_id=lead_id or "",
        direction=cast(Direction, direction),
        local_state=cast(LocalState, local_state),
        text=text or "",
        remote_id=remote_id,
        contact_id=contact_id,
        status=cast(CloseStatus | None, status),
        local_phone=local_phone,
        remote_phone=remote_phone,
        date_created=dt(date_created) or dt(sort_at),
        date_sent=dt(date_sent),
        date_scheduled=dt(date_scheduled),
        send_at=dt(send_at),
        error_message=error_message or last_error,
        block_reason=block_reason,
        attempts=attempts,
        cost=cost,
        is_read=bool(is_read),
        template_id=template_id,
        attachments=attachments_from_json(attachments),
    )


# -- attachments (Close's `attachments` list, as JSON in messages.attachments) ---------------------

#: An attachment in Close's shape: url, filename, size, content_type, media_id, thumbnail_url; and
#: `local_path` for one the rep attached that is not uploaded yet (never sent to Close).
AttachmentJson = dict[str, str | int]


def attachment_from_close(item: object) -> Attachment | None:
    """One item of Close's `attachments` (or of the cache's copy) -> Attachment; None if it is not
    an object. Missing or null fields read as empty (Close allows null filename/size/type)."""
    if not isinstance(item, Mapping):
        return None

    def text(key: str) -> str:
        value = item.get(key)
        return value if isinstance(value, str) else ""

    size = item.get("size")
    return Attachment(
        filename=text("filename"),
        content_type=text("content_type").lower(),
        size=size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else 0,
        url=text("url"),
        media_id=text("media_id"),
        thumbnail_url=text("thumbnail_url"),
        local_path=text("local_path"),
    )


def attachments_from_close(items: object) -> tuple[Attachment, ...]:
    if not isinstance(items, list):
        return ()
    return tuple(a for a in map(attachment_from_close, items) if a is not None)


def attachments_from_json(text: str | None) -> tuple[Attachment, ...]:
    """The stored JSON -> attachments; empty, null or corrupt reads as none."""
    if not text or text == "[]":
        return ()
    try:
        return attachments_from_close(json.loads(text))
    except ValueError:
        return ()


def attachment_to_close(a: Attachment) -> AttachmentJson:
    """Attachment -> Close's shape (optional fields only when set)."""
    out: AttachmentJson = {
        "url": a.url,
        "filename": a.filename,
        "size": a.size,
        "content_type": a.content_type,
    }
    for key, value in (
        ("media_id", a.media_id),
        ("thumbnail_url", a.thumbnail_url),
        ("local_path", a.local_path),
    ):
        if value:
            out[key] = value
    return out


def attachments_json(attachments: tuple[Attachment, ...]) -> str | None:
    """Attachments -> the stored JSON (None when there are none)."""
    if not attachments:
        return None
    return json_text([attachment_to_close(a) for a in attachments])


LEAD_ROW_COLUMNS = (
    "lead_id, display_name, preview, last_activity_at, unread, latest_status, failed_count, opted_out, "
    "has_draft, scheduled_count, done, snoozed_until, phone"
)


def lead_row_from_row(row: sqlite3.Row | tuple[Any, ...]) -> LeadRow:
    """A row selected with LEAD_ROW_COLUMNS (from lead_state) -> LeadRow."""
    (
        lead_id,
        display_name,
        preview,
        last_activity_at,
        unread,
        latest_status,
        failed_count,
        opted_out,
        has_draft,
        scheduled_count,
        done,
        snoozed_until,
        phone,
    ) = tuple(row)
    return LeadRow(
        lead_id=lead_id,
        display_name=display_name or "",
        preview=preview or "",
        last_activity_at=dt(last_activity_at),
        unread=unread,
        latest_status=cast(CloseStatus | None, latest_status),
        failed_count=failed_count,
        opted_out=bool(opted_out),
        has_draft=bool(has_draft),
        has_scheduled=scheduled_count > 0,
        done=bool(done),
        snoozed_until=dt(snoozed_until),
        phone=phone,
    )


def mapping_get(data: Mapping[str, Any], key: str) -> Any:
    return data.get(key)


# -- lead profile and contact emails (JSON columns; a corrupt value reads as empty) ----------------


def profile_json(profile: LeadProfile) -> str:
    return json.dumps(
        {
            "status": profile.status,
            "owner": profile.owner,
            "created_by": profile.created_by,
            "html_url": profile.html_url,
            "custom": [list(pair) for pair in profile.custom],
        }
    )


def profile_from_json(text: str | None) -> LeadProfile:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return LeadProfile()
    if not isinstance(data, dict):
        return LeadProfile()

    def text_of(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    custom = data.get("custom")
    pairs = tuple(
        (str(pair[0]), str(pair[1]))
        for pair in (custom if isinstance(custom, list) else [])
        if isinstance(pair, list) and len(pair) == 2
    )
    return LeadProfile(
        status=text_of("status"),
        owner=text_of("owner"),
        created_by=text_of("created_by"),
        html_url=text_of("html_url"),
        custom=pairs,
    )


def emails_json(emails: tuple[ContactEmail, ...]) -> str:
    return json.dumps([{"email": e.email, "type": e.type, "unsubscribed": e.unsubscribed} for e in emails])


def emails_from_json(text: str | None) -> tuple[ContactEmail, ...]:
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(
        ContactEmail(str(e["email"]), str(e.get("type") or ""), bool(e.get("unsubscribed")))
        for e in (data if isinstance(data, list) else [])
        if isinstance(e, dict) and isinstance(e.get("email"), str)
    )
