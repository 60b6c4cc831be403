"""MMS rules shared by the fake carrier, the send guard, search and settings (pure, no I/O).

Sources:
- Close's allowed attachment content types: `CreateSmsActivityAttachmentsItemsContentType` in
  Close's OpenAPI document (../shared/reference/close-openapi-sms.yml); at most 10 attachments.
- Where MMS goes: Close rents MMS-capable numbers in the US and Canada only (Close changelog,
  2022-02-15); Twilio sends MMS from US/CA long codes and toll-free numbers.
- Size: carriers cap an MMS well below Twilio's 5 MB API limit. HighLevel's LC Phone documentation
  warns of about 600 KB on US A2P 10DLC local numbers and somewhat more on toll-free; Twilio
  recommends at most 600 KB for non-image media (support article "Supported File Types and Size
  Limits for MMS"). Defaults: 600 KB on a long code, 1 MB on a toll-free number; both configurable.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Literal

from sms_tui.core.compliance import Issue
from sms_tui.core.models import Attachment
from sms_tui.core.phones import PhoneError, in_country, parse_phone
from sms_tui.core.safe_text import safe

#: Close's `CreateSmsActivityAttachmentsItemsContentType`, verbatim.
CLOSE_CONTENT_TYPES: frozenset[str] = frozenset(
    {
        "application/pdf", "application/vcard", "audio/3gpp", "audio/3gpp2", "audio/L24", "audio/ac3",
        "audio/amr", "audio/amr-nb", "audio/basic", "audio/mp4", "audio/mpeg", "audio/ogg",
        "audio/vnd.rn-realaudio", "audio/vnd.wave", "audio/webm", "image/bmp", "image/gif", "image/jpeg",
        "image/jpg", "image/png", "image/tiff", "text/calendar", "text/csv", "text/directory",
        "text/richtext", "text/rtf", "text/vcard", "text/x-vcard", "video/3gpp", "video/3gpp-tt",
        "video/3gpp2", "video/H261", "video/H263", "video/H263-1998", "video/H263-2000", "video/H264",
        "video/mp4", "video/mpeg", "video/quicktime", "video/webm",
    }
)  # fmt: skip
_CANONICAL = {t.lower(): t for t in CLOSE_CONTENT_TYPES}
MAX_ATTACHMENTS = 10
#: Twilio refuses a media message above this (all attachments and the text together).
MAX_TOTAL_BYTES = 5 * 1024 * 1024
DEFAULT_MMS_COUNTRIES: frozenset[str] = frozenset({"US", "CA"})

NumberKind = Literal["long_code", "toll_free", "short_code"]
#: the most an MMS may weigh (all attachments), by the kind of sending number
DEFAULT_SIZE_LIMITS: Mapping[NumberKind, int] = {
    "long_code": 600 * 1024,
    "toll_free": 1024 * 1024,
    "short_code": 1024 * 1024,
}

#: What `attachment_type:` searches for, and the icon family a bubble shows: kind -> content types
#: (a trailing `/` matches the whole family).
KINDS: Mapping[str, tuple[str, ...]] = {
    "image": ("image/",),
    "video": ("video/",),
    "audio": ("audio/",),
    "pdf": ("application/pdf",),
    "contact": ("text/vcard", "text/x-vcard", "application/vcard", "text/directory"),
    "calendar": ("text/calendar",),
    "document": ("application/pdf", "text/csv", "text/rtf", "text/richtext"),
}


def canonical_type(content_type: str) -> str | None:
    """Close's spelling of an allowed content type (case-insensitive, parameters dropped); None when
    Close does not accept it on an SMS."""
    base = content_type.split(";", 1)[0].strip().lower()
    return _CANONICAL.get(base)


def kind_of(content_type: str) -> str:
    """image, video, audio, pdf, contact, calendar, document — or "file"."""
    ct = content_type.split(";", 1)[0].strip().lower()
    for kind, patterns in KINDS.items():
        if any(ct.startswith(p) if p.endswith("/") else ct == p for p in patterns):
            return kind
    return "file"


def number_kind(e164: str) -> NumberKind:
    """Long code, toll-free or short code (size limits differ)."""
    try:
        info = parse_phone(e164)
    except PhoneError:
        return "long_code"
    if info.is_short_code:
        return "short_code"
    return "toll_free" if info.line_type == "toll_free" else "long_code"


def size_text(size: int) -> str:
    """412 KB, 1.2 MB, 950 bytes — how a rep reads a file size (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True, slots=True)
class MmsVerdict:
    ok: bool
    #: when not ok: too_many, type_unsupported, country_unsupported, too_large
    code: str | None = None
    reason: str | None = None  # a sentence for the rep


OK = MmsVerdict(True)


def check_mms(
    from_number: str,
    to_number: str,
    attachments: Iterable[tuple[str, int]],
    *,
    countries: frozenset[str] = DEFAULT_MMS_COUNTRIES,
    limits: Mapping[NumberKind, int] = DEFAULT_SIZE_LIMITS,
) -> MmsVerdict:
    """May this MMS (attachments as (content_type, size) pairs) go from our number to theirs?
    The first rule that fails wins: count, type, country (both ends), size."""
    items = list(attachments)
    if not items:
        return OK
    if len(items) > MAX_ATTACHMENTS:
        return MmsVerdict(
            False,
            "too_many",
            f"An MMS carries at most {MAX_ATTACHMENTS} attachments; this one has {len(items)}.",
        )
    for content_type, _ in items:
        if canonical_type(content_type) is None:
            return MmsVerdict(
                False,
                "type_unsupported",
                f"{content_type or 'This file type'} cannot be sent by MMS; send an image (JPEG, PNG, GIF), "
                "a short video, audio, a PDF or a contact card.",
            )
    for side, number in (("their", to_number), ("our", from_number)):
        try:
            country = parse_phone(number).country
        except PhoneError:
            country = None
        if country not in countries:
            allowed = " and ".join(sorted(in_country(c)[3:] for c in countries)) or "no country"
            where = in_country(country) if country else "not a number we can place"
            return MmsVerdict(
                False,
                "country_unsupported",
                f"MMS cannot be sent: {side} number is {where}, and MMS works only in {allowed}. "
                "Send the text alone, or a link to the file.",
            )
    total = sum(max(0, size) for _, size in items)
    kind = number_kind(from_number)
    limit = min(limits.get(kind, DEFAULT_SIZE_LIMITS[kind]), MAX_TOTAL_BYTES)
    if total > limit:
        label = {
            "long_code": "a local number",
            "toll_free": "a toll-free number",
            "short_code": "a short code",
        }
        return MmsVerdict(
            False,
            "too_large",
            f"The attachments weigh {size_text(total)}; carriers accept at most {size_text(limit)} "
            f"from {label[kind]}. Shrink the image or send a smaller file.",
        )
    return OK


# -- what the rep sees in the composer (h15b): the guard's sentences, the counter, the icons ----------

#: Images Pillow can shrink to fit a limit (a GIF may be animated: shrinking would lose frames).
SHRINKABLE_TYPES: frozenset[str] = frozenset(
    {"image/jpeg", "image/jpg", "image/png", "image/bmp", "image/tiff"}
)

#: Extensions `mimetypes` does not know (or knows differently on some systems).
_EXTRA_TYPES = {
    ".vcf": "text/vcard", ".vcard": "text/vcard", ".ics": "text/calendar", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif", ".pdf": "application/pdf",
    ".mp4": "video/mp4", ".mov": "video/quicktime", ".3gp": "video/3gpp", ".webm": "video/webm",
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".amr": "audio/amr", ".wav": "audio/vnd.wave",
    ".ogg": "audio/ogg", ".csv": "text/csv", ".rtf": "text/rtf", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".bmp": "image/bmp",
}  # fmt: skip

#: One glyph per kind (all of emoji presentation: two cells in every terminal).
ICONS: Mapping[str, str] = {
    "image": "📷",
    "video": "🎬",
    "audio": "🎵",
    "pdf": "📄",
    "contact": "📇",
    "calendar": "📅",
    "document": "📄",
    "file": "📎",
}

_NUMBER_LABELS: Mapping[NumberKind, str] = {
    "long_code": "a local number",
    "toll_free": "a toll-free number",
    "short_code": "a short code",
}


@dataclass(frozen=True, slots=True)
class MmsRules:
    """Where MMS may go, how big it may be, and what it costs (USD a message), for the composer.

    The default prices are the fake carrier's and the bulk preview's (`core.campaign.Prices`): a cent
    a segment to US/CA, three cents an MMS — one price table for everything the rep is shown."""

    countries: frozenset[str] = DEFAULT_MMS_COUNTRIES
    limits: Mapping[NumberKind, int] = field(default_factory=lambda: DEFAULT_SIZE_LIMITS, hash=False)
    mms_price: Decimal = Decimal("0.03")
    sms_segment_price: Decimal = Decimal("0.01")


DEFAULT_MMS_RULES = MmsRules()


def content_type_for(filename: str) -> str:
    """The content type a file's name says ("" when nothing is known about it)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or ""


def icon(content_type: str) -> str:
    return ICONS.get(kind_of(content_type), ICONS["file"])


def max_bytes(from_number: str, rules: MmsRules = DEFAULT_MMS_RULES) -> int:
    """The total media the sending number can carry in one MMS."""
    kind = number_kind(from_number)
    return min(rules.limits.get(kind, DEFAULT_SIZE_LIMITS[kind]), MAX_TOTAL_BYTES)


def number_label(from_number: str) -> str:
    """'a local number', 'a toll-free number' or 'a short code' (the limits' sentence)."""
    return _NUMBER_LABELS[number_kind(from_number)]


def total_size(attachments: Sequence[Attachment]) -> int:
    return sum(max(0, a.size) for a in attachments)


def type_problem(attachment: Attachment) -> str:
    """Why this file's type cannot go by MMS ("" when it can); the file is named (safely)."""
    if canonical_type(attachment.content_type) is not None:
        return ""
    shown = f"({attachment.content_type})" if attachment.content_type else "(unknown type)"
    return (
        f"{safe(attachment.filename, one_line=True)} {shown} cannot be sent by MMS: "
        "send a picture (JPEG, PNG, GIF), a short video (MP4), audio, a PDF or a contact card."
    )


def check_attachments(
    attachments: Sequence[Attachment],
    *,
    from_number: str,
    to_number: str,
    rules: MmsRules = DEFAULT_MMS_RULES,
) -> tuple[Issue, ...]:
    """Every reason these attachments cannot go, as the guard's blocks (one sentence each), judged
    before anything is uploaded: each file of a type MMS cannot carry (named), then `check_mms`
    (count, country at both ends, size against the sending number's limit)."""
    if not attachments:
        return ()
    issues = [Issue("mms_type", reason) for a in attachments if (reason := type_problem(a))]
    sendable = [(a.content_type, a.size) for a in attachments if not type_problem(a)]
    if len(attachments) > MAX_ATTACHMENTS:
        sendable = [(a.content_type, a.size) for a in attachments]  # check_mms says "at most 10"
    # Only refused types: the country still matters (an empty picture stands in, weighing nothing).
    judged = sendable or [("image/jpeg", 0)]
    verdict = check_mms(from_number, to_number, judged, countries=rules.countries, limits=rules.limits)
    if not verdict.ok and verdict.code != "type_unsupported":
        issues.append(Issue(f"mms_{verdict.code}", verdict.reason or "This MMS cannot be sent."))
    return tuple(issues)


def cost_difference(segments: int, rules: MmsRules = DEFAULT_MMS_RULES) -> Decimal:
    """What sending as MMS costs more than sending the text as `segments` SMS segments."""
    return rules.mms_price - rules.sms_segment_price * max(1, segments)


def money(amount: Decimal) -> str:
    """$0.02, or $0.0121 when a configured price has fractions of a cent."""
    cents = amount.quantize(Decimal("0.01"))
    return f"${cents}" if cents == amount else f"${amount.quantize(Decimal('0.0001'))}"


def summary(attachments: Sequence[Attachment]) -> str:
    """MMS · 1 attachment · 412 KB (the composer's counter)."""
    count = len(attachments)
    noun = "attachment" if count == 1 else "attachments"
    return f"MMS · {count} {noun} · {size_text(total_size(attachments))}"
