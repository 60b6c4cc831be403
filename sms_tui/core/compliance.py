"""The send guard and the inbound keyword rules.

check_send(*, text, to_number, from_number, opted_out, do_not_text, now, first_message,
           rules=DEFAULT_RULES, sender_names=()) -> SendCheck
classify_keyword(text) -> "opt_out" | "opt_in" | "help" | None

One function for every send path (composer, scheduled, bulk, retry), so the rule lives in one place.
Blocks are hard: the message must not leave. Warnings are for the rep to read and may be overridden.
Nothing here reads the clock: ``now`` is injected and must be timezone-aware.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Literal

from sms_tui.core.phones import DEFAULT_SMS_COUNTRIES, PhoneError, PhoneInfo, can_text, parse_phone
from sms_tui.core.quiet_hours import (
    DEFAULT_WINDOW,
    QUIET_HOURS_RULES,
    WEEKDAYS,
    SendWindow,
    intersect,
    rule_keys,
    zone,
)
from sms_tui.core.segments import CLOSE_MAX_CHARS, analyze
from sms_tui.core.templates import has_unrendered

Keyword = Literal["opt_out", "opt_in", "help"]

#: Public link shorteners: carriers filter texts that use them (the destination is hidden, and
#: spammers share the domains). Matched as whole domains (and their subdomains) of links in the text.
DEFAULT_SHORTENER_DOMAINS: frozenset[str] = frozenset(
    {
        "bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly",
        "cutt.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "v.gd", "s.id",
        "bl.ink", "short.io", "tiny.one", "lnkd.in", "shorte.st", "adf.ly", "bc.vc", "soo.gd",
        "clck.ru", "qr.net", "x.co", "mcaf.ee", "su.pr", "po.st", "db.tt", "1url.com", "yourls.org",
    }
)  # fmt: skip

OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})


@dataclass(frozen=True, slots=True)
class Issue:
    code: str  # opted_out, do_not_text, not_textable, empty, too_long, unrendered, quiet_hours, ...
    message: str  # a sentence a rep understands
    detail: str | None = None  # finer machine code, e.g. can_text's "landline" for not_textable


@dataclass(frozen=True, slots=True)
class SendCheck:
    blocks: tuple[Issue, ...]
    warnings: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.blocks

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.blocks + self.warnings)


@dataclass(frozen=True, slots=True)
class ComplianceRules:
    """Everything check_send is configured by; frozen so one instance can be shared freely."""

    supported_countries: frozenset[str] = DEFAULT_SMS_COUNTRIES
    #: applies to every recipient
    default_window: SendWindow = DEFAULT_WINDOW
    #: stricter windows by country ("FR") or US state ("US-FL"); combined with default_window
    quiet_hours: Mapping[str, SendWindow] = field(default_factory=lambda: QUIET_HOURS_RULES, hash=False)
    shortener_domains: frozenset[str] = DEFAULT_SHORTENER_DOMAINS
    #: warn when a message costs more segments than this
    max_segments: int = 3
    #: region for numbers typed without +country code
    default_region: str = "US"


DEFAULT_RULES = ComplianceRules()


def check_send(
    *,
    text: str,
    to_number: str,
    from_number: str,
    opted_out: bool,
    do_not_text: bool,
    now: datetime,
    first_message: bool,
    rules: ComplianceRules = DEFAULT_RULES,
    sender_names: Sequence[str] = (),
) -> SendCheck:
    """Every reason not to send ``text`` now, as blocks (hard) and warnings (overridable).

    ``sender_names`` are the names that identify us in a first message (the rep's name, the
    organisation's name); without them a phrase such as "this is …" counts as identifying.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("check_send needs a timezone-aware 'now'")
    blocks: list[Issue] = []
    warnings: list[Issue] = []

    if opted_out:
        blocks.append(
            Issue(
                "opted_out",
                "This contact has opted out of texts (they replied STOP or similar); "
                "you cannot text them unless they reply START.",
            )
        )
    if do_not_text:
        blocks.append(Issue("do_not_text", "This contact is marked do-not-text."))

    verdict = can_text(from_number, to_number, rules.supported_countries, default_region=rules.default_region)
    if not verdict.ok:
        blocks.append(
            Issue("not_textable", verdict.reason or "This number cannot receive texts.", verdict.code)
        )

    _content_issues(text, rules, blocks, warnings)
    if verdict.ok:
        recipient = _recipient(to_number, rules.default_region)
        if recipient is not None:
            quiet = _quiet_hours(recipient, now, rules)
            if quiet is not None:
                warnings.append(quiet)

    shorteners = find_shorteners(text, rules.shortener_domains)
    if shorteners:
        warnings.append(
            Issue(
                "url_shortener",
                f"The link {shorteners[0]} uses a public URL shortener; carriers often filter such "
                "texts as spam. Use the full link or your own domain.",
            )
        )

    if first_message and not _is_blank(text):
        warnings += _first_message_issues(text, sender_names)
    return SendCheck(blocks=tuple(blocks), warnings=tuple(warnings))


def _content_issues(text: str, rules: ComplianceRules, blocks: list[Issue], warnings: list[Issue]) -> None:
    """What is wrong with the text itself: empty, too long, many segments, template syntax left."""
    if _is_blank(text):
        blocks.append(Issue("empty", "The message is empty."))
    else:
        info = analyze(text)
        if info.chars > CLOSE_MAX_CHARS:
            blocks.append(
                Issue(
                    "too_long",
                    f"The message is {info.chars:,} characters; Close accepts at most "
                    f"{CLOSE_MAX_CHARS:,}. Shorten it by {info.chars - CLOSE_MAX_CHARS:,}.",
                )
            )
        if info.segments > rules.max_segments:
            warnings.append(
                Issue(
                    "many_segments",
                    f"This message is {info.segments} segments ({info.encoding}); each segment is "
                    f"billed, so it costs {info.segments}× a single text.",
                )
            )
    if has_unrendered(text):
        blocks.append(
            Issue(
                "unrendered",
                "The message still contains template syntax ({{ … }}); fill in or remove it before sending.",
            )
        )


def _first_message_issues(text: str, sender_names: Sequence[str]) -> list[Issue]:
    """The first text to a lead must say who writes and how to opt out."""
    warnings: list[Issue] = []
    if not identifies_sender(text, sender_names):
        warnings.append(
            Issue(
                "no_sender_id",
                "This is the first text to this lead and it does not say who is writing; "
                "include your name or your company's name.",
            )
        )
    if not has_opt_out_line(text):
        warnings.append(
            Issue(
                "no_opt_out",
                "This is the first text to this lead and it has no opt-out line; "
                'add "Reply STOP to opt out."',
            )
        )
    return warnings


# --- keywords -------------------------------------------------------------------------------------

_SPACED_OPT_OUT = frozenset({"OPT OUT", "OPT-OUT", "STOP ALL", "UN SUBSCRIBE"})


def classify_keyword(text: str) -> Keyword | None:
    """Classify an inbound text that is *only* a keyword (any case, surrounding space trimmed).

    Decision on punctuation: punctuation around the word is ignored ("Stop." / "STOP!" / '"stop"'
    are opt-outs), as carriers and Twilio treat them; anything else in the message ("STOP PLEASE",
    "stop 🛑") makes it ordinary text. The spellings "OPT OUT", "OPT-OUT" and "STOP ALL" also count
    as opt-outs: honouring an opt-out wrongly costs far less than ignoring one.
    """
    word = unicodedata.normalize("NFKC", text).strip()
    word = word.strip("".join(_PUNCT)).strip().upper()
    word = " ".join(word.split())
    if word in OPT_OUT_KEYWORDS or word in _SPACED_OPT_OUT:
        return "opt_out"
    if word in OPT_IN_KEYWORDS:
        return "opt_in"
    if word in HELP_KEYWORDS:
        return "help"
    return None


_PUNCT = frozenset(".,!?¡¿;:'\"‘’“”«»()[]-–—…*~")


# --- content lint ---------------------------------------------------------------------------------

# A link: optional scheme, a host of dot-separated labels, then an optional path/query. The path is
# consumed so a domain inside it ("example.com/bit.ly") is not taken for a host.
_LINK = re.compile(
    r"(?<![\w@./-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})(?![\w-])(?:[/?#]\S*)?",
    re.IGNORECASE,
)


def find_shorteners(text: str, domains: frozenset[str] = DEFAULT_SHORTENER_DOMAINS) -> tuple[str, ...]:
    """Links in ``text`` whose host is a shortener domain (or a subdomain of one)."""
    found: list[str] = []
    if "." not in text:  # no domain without a dot; skip the regex on most keystrokes
        return ()
    for m in _LINK.finditer(text):
        labels = m.group(1).lower().split(".")
        # the host itself or any parent domain ("www.bit.ly" -> "bit.ly"): one set lookup per label
        if any(".".join(labels[i:]) in domains for i in range(len(labels) - 1)):
            found.append(m.group(0).rstrip(".,;:!?)]}'\"”’"))
    return tuple(found)


_OPT_OUT_LINE = re.compile(
    r"""\b(?:reply|text|txt|send|respond(?:\s+with)?)\s+["'“‘]?(?:stop|end|quit|cancel|unsubscribe|opt[\s-]?out)\b
      |\b(?:stop|end|quit|cancel)["'”’]?\s+(?:to|2)\s+(?:opt[\s-]?out|unsubscribe|stop|end|cancel|quit)\b
      |\bopt[\s-]?out\b
      |\bunsubscribe\b""",
    re.IGNORECASE | re.VERBOSE,
)
_OPT_OUT_WORDS = ("stop", "end", "quit", "cancel", "unsubscribe", "opt")
_SELF_INTRO = re.compile(r"\b(?:this\s+is|it'?s|it\s+is|my\s+name\s+is|i'?m|i\s+am)\s+[A-Z]|\bfrom\s+[A-Z]")


def has_opt_out_line(text: str) -> bool:
    """Does the text tell the lead how to opt out ("Reply STOP to opt out", "Text END to unsubscribe")?"""
    folded = text.casefold()
    if not any(w in folded for w in _OPT_OUT_WORDS):  # cheap pre-check: the regex costs more
        return False
    return _OPT_OUT_LINE.search(text) is not None


def sender_names(user_name: str, org_name: str) -> tuple[str, ...]:
    """Names that identify us in a first message, as a rep would write them.

    "Dana Smith" also counts as "Dana" or "Smith" ("Hi, Dana here"), and "Acme Inc." as
    "Acme": reps drop last names and legal suffixes.
    """
    names = [user_name, *user_name.split(), org_name, _without_suffix(org_name)]
    seen: dict[str, None] = {}
    for name in names:
        name = name.strip()
        if len(name) >= 2:
            seen.setdefault(name, None)
    return tuple(seen)


_LEGAL_SUFFIXES = frozenset(
    {"inc", "llc", "ltd", "co", "corp", "gmbh", "plc", "limited", "llp", "pty", "sa", "ag", "bv"}
)


def _without_suffix(org: str) -> str:
    words = org.replace(",", " ").split()
    while words and words[-1].rstrip(".").casefold() in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def identifies_sender(text: str, sender_names: Sequence[str] = ()) -> bool:
    """Does the text name the sender? With names: any name, or any distinctive word of one
    ("Dana" of "Dana Rep", "Acme" of "Acme Corp"), as whole words in any case.

    Without names, an introduction ("this is Dana", "from Acme") counts.
    """
    pattern = _names_pattern(tuple(sender_names))
    if pattern is not None:
        return pattern.search(text.casefold()) is not None
    return _SELF_INTRO.search(text) is not None


@lru_cache(maxsize=64)
def _names_pattern(sender_names: tuple[str, ...]) -> re.Pattern[str] | None:
    """The names as one regex of whole words (memoised: a bulk preview asks once per lead)."""
    words = _name_words(sender_names)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


#: Words of a name that identify nobody on their own.
_NAME_FILLERS = frozenset(
    {"the", "and", "of", "inc", "llc", "ltd", "co", "corp", "company", "group", "gmbh", "sa"}
)


def _name_words(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        full = " ".join(name.casefold().split())
        if len(full) < 2:
            continue
        out.append(full)
        parts = [p.strip(".,&") for p in full.split()]
        out += [p for p in parts if len(p) >= 3 and p not in _NAME_FILLERS and p != full]
    return out


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _is_blank(text: str) -> bool:
    return not text.strip().strip(_INVISIBLE).strip()


# --- quiet hours ----------------------------------------------------------------------------------


def _recipient(number: str, region: str) -> PhoneInfo | None:
    try:
        return parse_phone(number, region)
    except PhoneError:
        return None


def quiet_window(info: PhoneInfo, rules: ComplianceRules = DEFAULT_RULES) -> SendWindow:
    """The window that applies to a number: default ∩ country rule ∩ state rule."""
    return _window_for(rule_keys(info), rules)


@lru_cache(maxsize=256)
def _window_for(keys: tuple[str, ...], rules: ComplianceRules) -> SendWindow:
    """`quiet_window` by the rule keys (country, state): memoised, a bulk preview asks once per lead."""
    windows = [rules.default_window]
    windows += [rules.quiet_hours[k] for k in keys if k in rules.quiet_hours]
    return intersect(windows)


def _quiet_hours(info: PhoneInfo, now: datetime, rules: ComplianceRules) -> Issue | None:
    win = quiet_window(info, rules)
    for name in info.time_zones:
        tz = zone(name)
        if tz is None:
            continue
        local = now.astimezone(tz)
        if win.allows(local):
            continue
        day = local.weekday()
        where = _place(info, name)
        allowed = win.describe(day)
        rule = (
            f"no texts there on {WEEKDAYS[day]}s"
            if allowed == "no texts"
            else f"texts there go out {allowed}"
        )
        return Issue(
            "quiet_hours",
            f"Quiet hours: it is {local:%H:%M} on {WEEKDAYS[day]} for this contact ({where}); {rule}.",
        )
    return None


def _place(info: PhoneInfo, zone_name: str) -> str:
    parts = [p for p in (info.location, info.country_name) if p]
    place = parts[0] if parts else ""
    return f"{place}, {zone_name}" if place else zone_name
