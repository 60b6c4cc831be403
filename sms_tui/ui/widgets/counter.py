"""The composer's text lines: the segment counter and the From/To route.

Pure functions from core results to `Content`, so they are cheap (every keystroke) and
testable without an app. Everything here is built with `Content(...)` / `Content.assemble`
from plain strings: a contact name like "Bob [VIP]" is shown as typed, never parsed as markup.
"""

from __future__ import annotations

import unicodedata

from textual.content import Content

from sms_tui.core import mms
from sms_tui.core.models import Attachment
from sms_tui.core.phones import format_phone
from sms_tui.core.segments import CLOSE_MAX_CHARS, ForcingChar, SegmentInfo
from sms_tui.ui.text import safe
from sms_tui.ui.widgets.composer_context import ComposerContext

#: At most this many distinct characters are named in the counter; the text marks them all.
MAX_NAMED = 3


def counter_text(info: SegmentInfo) -> str:
    """`chars/1000 · GSM-7 · 2 segments · 93 left` (the issue's format)."""
    noun = "segment" if info.segments == 1 else "segments"
    text = f"{info.chars}/{CLOSE_MAX_CHARS} · {info.encoding} · {info.segments} {noun}"
    if info.over_limit:  # nothing is "left" past the limit: say only how far over it is
        return text + f" · {-info.chars_left} over the limit"
    return text + f" · {info.units_left} left"


def counter_content(info: SegmentInfo, gsm_key: str = "ctrl+g") -> Content:
    """The counter line, plus which characters force UCS-2 and which key rewrites them."""
    text = counter_text(info)
    if info.encoding != "UCS-2" or not info.ucs2_chars:
        return Content(text)
    return Content(f"{text} · forced by {describe_forcing(info.ucs2_chars)} · {gsm_key} GSM-safe")


def mms_content(
    attachments: tuple[Attachment, ...], segments: int, rules: mms.MmsRules, attach_key: str
) -> Content:
    """`MMS · 1 attachment · 412 KB · +$0.02 vs SMS · ctrl+n change` (empty without files): what
    sending it as MMS costs more than the text alone (or "same cost" when the segments cost as much)."""
    if not attachments:
        return Content("")
    more = mms.cost_difference(segments, rules)
    cost = f"+{mms.money(more)} vs SMS" if more > 0 else f"{mms.money(rules.mms_price)}, no more than SMS"
    return Content(f"{mms.summary(attachments)} · {cost} · {attach_key} change")


def describe_forcing(chars: tuple[ForcingChar, ...]) -> str:
    """`’ U+2019, 😀 U+1F600 (+2 more)`: distinct characters, invisible ones by name only."""
    seen: dict[str, ForcingChar] = {}
    for found in chars:
        seen.setdefault(found.char, found)
    named = [_describe(found) for found in list(seen.values())[:MAX_NAMED]]
    more = len(seen) - len(named)
    return ", ".join(named) + (f" (+{more} more)" if more > 0 else "")


def _describe(found: ForcingChar) -> str:
    """A visible glyph is shown with its code point; spaces, controls and marks by name."""
    category = unicodedata.category(found.char[:1]) if found.char else "Cn"
    if category[0] in {"Z", "C", "M"}:
        return f"{found.codepoint} {found.name or 'unnamed character'}".strip()
    return f"{found.char} {found.codepoint}"


def route_content(context: ComposerContext | None) -> Content:
    """`From +1 415-555-0100 · To Bob Smith +44 7700 900123` (names and numbers as `Safe` data)."""
    if context is None:
        return Content("")
    ours = safe(format_phone(context.from_number), one_line=True) if context.from_number else "— (none)"
    theirs = safe(format_phone(context.to_number), one_line=True) if context.to_number else "— (no number)"
    to = f"{context.contact_name} {theirs}" if context.contact_name else theirs
    return Content(f"From {ours} · To {to}")
