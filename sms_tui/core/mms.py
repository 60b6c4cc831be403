"""MMS rules: which files may go, to whom, from which number, and what it costs (pure).

An MMS is an SMS with `attachments` (Close's shape, `core.models.Attachment`). Before anything is
uploaded the composer asks `check_attachments` (type, size, count, country; blocks, each a
sentence the rep reads) and `cost_warning` (an MMS is billed well above an SMS segment). The
limits follow the carriers: US A2P 10DLC local numbers often refuse more than about 600 KB of
media, toll-free numbers take somewhat more; MMS goes to the US and Canada only unless the rep's
settings say otherwise (`Settings.mms_countries`). Nothing here does I/O: sizes come in as numbers.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from sms_tui.core.compliance import Issue
from sms_tui.core.models import Attachment
from sms_tui.core.phones import PhoneError, in_country, parse_phone
from sms_tui.core.safe_text import safe

#: Close's allowed MMS content types (`CreateSmsActivityAttachmentsItemsContentType` in the spec).
ALLOWED_CONTENT_TYPES: frozenset[str] = frozenset(
    {
        "application/pdf", "application/vcard",
        "audio/3gpp", "audio/3gpp2", "audio/L24", "audio/ac3", "audio/amr", "audio/amr-nb", "audio/basic",
        "audio/mp4", "audio/mpeg", "audio/ogg", "audio/vnd.rn-realaudio", "audio/vnd.wave", "audio/webm",
        "image/bmp", "image/gif", "image/jpeg", "image/jpg", "image/png", "image/tiff",
        "text/calendar", "text/csv", "text/directory", "text/richtext", "text/rtf", "text/vcard",
        "text/x-vcard",
        "video/3gpp", "video/3gpp-tt", "video/3gpp2", "video/H261", "video/H263", "video/H263-1998",
        "video/H263-2000", "video/H264", "video/mp4", "video/mpeg", "video/quicktime", "video/webm",
    }
)  # fmt: skip

#: Where MMS may go unless the settings say otherwise (Close rents MMS numbers in the US and Canada).
DEFAULT_MMS_COUNTRIES: tuple[str, ...] = ("US", "CA")
#: Close's schema: at most 10 attachments on one SMS.
MAX_ATTACHMENTS = 10
#: Images Pillow can shrink to fit a limit (a GIF may be animated: shrinking would lose frames).
SHRINKABLE_TYPES: frozenset[str] = frozenset(
    {"image/jpeg", "image/jpg", "image/png", "image/bmp", "image/tiff"}
)

#: Extensions `mimetypes` does not know (or knows differently on some systems).
_EXTRA_TYPES = {
    ".vcf": "text/vcard",
    ".vcard": "text/vcard",
    ".ics": "text/calendar",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".3gp": "video/3gpp",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".amr": "audio/amr",
    ".wav": "audio/vnd.wave",
    ".ogg": "audio/ogg",
    ".csv": "text/csv",
    ".rtf": "text/rtf",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".bmp": "image/bmp",
}


@dataclass(frozen=True, slots=True)
class MmsRules:
    """Where MMS may go, how big it may be, and what it costs (prices in USD, per message)."""

    countries: frozenset[str] = frozenset(DEFAULT_MMS_COUNTRIES)
    #: total media a US/CA local (A2P 10DLC) number can send in one MMS
    local_max_bytes: int = 600_000
    #: total media a toll-free number can send in one MMS
    tollfree_max_bytes: int = 1_000_000
    #: what one MMS costs, and one SMS segment, to show the difference
    mms_price: Decimal = Decimal("0.0200")
    sms_segment_price: Decimal = Decimal("0.0079")
    #: region for numbers typed without +country code
    default_region: str = "US"


DEFAULT_MMS_RULES = MmsRules()


def rules_for(countries: Sequence[str] | None) -> MmsRules:
    """The rules with the rep's country list (`Settings.mms_countries`); None keeps the default."""
    if countries is None:
        return DEFAULT_MMS_RULES
    return MmsRules(countries=frozenset(c.strip().upper() for c in countries if c.strip()))


def content_type_for(filename: str) -> str:
    """The content type a file's name says ("" when nothing is known about it)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or ""


def kind(content_type: str) -> str:
    """image, video, audio, pdf, contact, calendar or file."""
    major = content_type.split("/", 1)[0].lower()
    if major in ("image", "video", "audio"):
        return major
    lowered = content_type.lower()
    if lowered == "application/pdf":
        return "pdf"
    if "vcard" in lowered or lowered == "text/directory":
        return "contact"
    if lowered == "text/calendar":
        return "calendar"
    return "file"


#: One glyph per kind (all emoji presentation: two cells in every terminal).
ICONS = {
    "image": "📷",
    "video": "🎬",
    "audio": "🎵",
    "pdf": "📄",
    "contact": "📇",
    "calendar": "📅",
    "file": "📎",
}


def icon(content_type: str) -> str:
    return ICONS[kind(content_type)]


def size_text(size: int) -> str:
    """412 B, 412 KB, 1.2 MB (1 KB = 1000 bytes, as carriers count)."""
    if size < 1000:
        return f"{max(0, size)} B"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"


def is_tollfree(number: str, default_region: str = "US") -> bool:
    try:
        return parse_phone(number, default_region).line_type == "toll_free"
    except PhoneError:
        return False


def max_bytes(from_number: str, rules: MmsRules = DEFAULT_MMS_RULES) -> int:
    """The total media size the sending number can carry in one MMS."""
    return (
        rules.tollfree_max_bytes if is_tollfree(from_number, rules.default_region) else rules.local_max_bytes
    )


def number_kind(from_number: str, rules: MmsRules = DEFAULT_MMS_RULES) -> str:
    """'a toll-free number' or 'a local number' (for the size sentence)."""
    return "a toll-free number" if is_tollfree(from_number, rules.default_region) else "a local number"


def total_size(attachments: Sequence[Attachment]) -> int:
    return sum(max(0, a.size) for a in attachments)


def country_of(number: str, default_region: str = "US") -> str | None:
    try:
        return parse_phone(number, default_region).country
    except PhoneError:
        return None


def check_attachments(
    attachments: Sequence[Attachment],
    *,
    from_number: str,
    to_number: str,
    rules: MmsRules = DEFAULT_MMS_RULES,
) -> tuple[Issue, ...]:
    """Every reason these attachments cannot go (blocks, one sentence each); () when they can."""
    if not attachments:
        return ()
    issues: list[Issue] = []
    country = country_of(to_number, rules.default_region) if to_number else None
    if country is not None and country not in rules.countries:
        allowed = ", ".join(sorted(rules.countries)) or "no country"
        issues.append(
            Issue(
                "mms_country",
                f"Pictures and files cannot be texted to numbers {in_country(country)}: MMS goes to "
                f"{allowed} only. Remove the attachment to send the text alone.",
            )
        )
    for attachment in attachments:
        reason = type_problem(attachment)
        if reason:
            issues.append(Issue("mms_type", reason))
    if len(attachments) > MAX_ATTACHMENTS:
        issues.append(
            Issue(
                "mms_count",
                f"An MMS carries at most {MAX_ATTACHMENTS} files; this one has {len(attachments)}.",
            )
        )
    limit = max_bytes(from_number, rules)
    total = total_size(attachments)
    if total > limit:
        shrink = any(a.content_type.lower() in SHRINKABLE_TYPES and a.local_path for a in attachments)
        issues.append(
            Issue(
                "mms_size",
                f"{_files(attachments)} {size_text(total)}; carriers refuse more than {size_text(limit)} "
                f"from {number_kind(from_number, rules)}."
                + (" Shrink the picture or pick a smaller file." if shrink else " Pick a smaller file."),
            )
        )
    return tuple(issues)


def type_problem(attachment: Attachment) -> str:
    """Why this file's type cannot go by MMS ("" when it can)."""
    content_type = attachment.content_type
    if content_type in ALLOWED_CONTENT_TYPES:
        return ""
    shown = f"({content_type})" if content_type else "(unknown type)"
    return (
        f"{safe(attachment.filename, one_line=True)} {shown} cannot be sent by MMS: "
        "send a picture (JPEG, PNG, GIF), a short video (MP4), audio, a PDF or a contact card."
    )


def _files(attachments: Sequence[Attachment]) -> str:
    return "The attachment is" if len(attachments) == 1 else f"The {len(attachments)} attachments are"


def cost_difference(segments: int, rules: MmsRules = DEFAULT_MMS_RULES) -> Decimal:
    """What sending as MMS costs more than sending the text as `segments` SMS segments."""
    return rules.mms_price - rules.sms_segment_price * max(1, segments)


def money(amount: Decimal) -> str:
    """$0.0121 (four places: per-message prices are fractions of a cent)."""
    return f"${amount.quantize(Decimal('0.0001'))}"


def cost_warning(
    attachments: Sequence[Attachment], segments: int, rules: MmsRules = DEFAULT_MMS_RULES
) -> Issue | None:
    """A warning the rep may override: with attachments the message is billed as an MMS."""
    if not attachments:
        return None
    more = cost_difference(segments, rules)
    if more <= 0:
        return None
    return Issue(
        "mms_cost",
        f"Sent as MMS: about {money(rules.mms_price)} a message, {money(more)} more than this text alone.",
    )


def summary(attachments: Sequence[Attachment]) -> str:
    """MMS · 1 attachment · 412 KB (the composer's counter)."""
    count = len(attachments)
    noun = "attachment" if count == 1 else "attachments"
    return f"MMS · {count} {noun} · {size_text(total_size(attachments))}"
