"""Bulk texting, before anything is sent: what each recipient would receive and whether it may go.

preview(recipients, message, numbers, *, now, rules=DEFAULT_RULES, prices=DEFAULT_PRICES) -> list[Preview]
preview_one(recipient, message, numbers, *, now, rules=..., prices=..., guard=True) -> Preview
totals(previews, skipped=frozenset()) -> Totals

One `Preview` per lead: the text rendered from the campaign's template with that lead's merge
fields (`core.templates`), its encoding and segments (`core.segments`), the estimated cost, the
phone chosen (the lead's first textable mobile, else its first textable phone, in Close's order;
the rep's saved route or the thread's last phone first when still textable) and our number in
its country, the lead's local time, and the verdict of the one send guard (`core.compliance`):
block with its reason, warnings, or ok. The same functions serve the preview screen and
`sms-tui bulk --dry-run --json`, so what the rep approves is what the guard will judge again at
send time.

Pure and fast: no clock (``now`` is injected), no store, no Textual. A 10,000-recipient preview
takes well under the 2 s budget (benchmarks/bench_bulk.py): texts that render the same are
analysed once, and phone parsing is cached by `core.phones`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from decimal import Decimal

from sms_tui.core import compliance, phones
from sms_tui.core.bulk_spec import Verdict
from sms_tui.core.compliance import DEFAULT_RULES, ComplianceRules, Issue, sender_names
from sms_tui.core.models import Contact, OurNumber
from sms_tui.core.quiet_hours import zone
from sms_tui.core.segments import SegmentInfo, analyze
from sms_tui.core.templates import Rendered, render, template_context

#: The campaign text may be at most this long before rendering (Close's limit for one SMS).
MAX_TEXT_CHARS = 1000
#: Most leads in one campaign: the preview keeps every recipient and its message in memory.
MAX_RECIPIENTS = 25_000


@dataclass(frozen=True, slots=True)
class Prices:
    """The estimated price of one segment, in US cents (Close's `cost` is a string of US cents).

    Domestic NANP texts cost about a cent a segment, elsewhere a few cents (the fake carrier
    charges the same). Configure real prices by building another `Prices`.
    """

    by_country: Mapping[str, Decimal] = field(
        default_factory=lambda: {"US": Decimal(1), "CA": Decimal(1), "PR": Decimal(1)}, hash=False
    )
    default: Decimal = Decimal(4)

    def per_segment(self, country: str | None) -> Decimal:
        return self.by_country.get(country or "", self.default)


DEFAULT_PRICES = Prices()


@dataclass(frozen=True, slots=True)
class BulkMessage:
    """What the rep composed once: the text (free text or a template's body) and who sends it."""

    text: str
    template_id: str | None = None
    user_first_name: str = ""
    user_last_name: str = ""
    user_email: str = ""
    user_phone: str = ""
    org_name: str = ""

    @property
    def user_name(self) -> str:
        return f"{self.user_first_name} {self.user_last_name}".strip()


@dataclass(frozen=True, slots=True)
class Recipient:
    """One lead as the preview needs it (the caller reads it from the cache)."""

    lead_id: str
    lead_name: str
    contacts: tuple[Contact, ...] = ()
    #: Phones (E.164) that opted out (replied STOP) / are marked do-not-text in the cache.
    opted_out: frozenset[str] = frozenset()
    do_not_text: frozenset[str] = frozenset()
    #: True when we never texted this lead: the identify-yourself / opt-out-line rule applies.
    first_message: bool = True
    #: The rep's saved route for this lead, or the thread's last one: used while still textable.
    preferred_to: str | None = None
    preferred_from: str | None = None
    #: The rep's own text for this lead (edited in the preview), instead of the campaign's.
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Preview:
    """What one recipient would receive, and the guard's verdict."""

    lead_id: str
    lead_name: str
    contact_id: str | None
    contact_name: str
    to_number: str | None
    from_number: str | None
    text: str
    encoding: str
    segments: int
    chars: int
    #: Estimated cost in US cents (0 when blocked: nothing will leave).
    cost_cents: Decimal
    #: The lead's wall clock now, and the zone it is in (None / "" when the number has no zone).
    local_time: datetime | None
    time_zone: str
    blocks: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    #: True when the rep edited this lead's text (it no longer follows the campaign's).
    edited: bool = False

    @property
    def verdict(self) -> Verdict:
        if self.blocks:
            return "block"
        return "warn" if self.warnings else "ok"

    @property
    def reason(self) -> str:
        """The first block's sentence, else the first warning's, else ""."""
        first = (self.blocks or self.warnings or (None,))[0]
        return first.message if first is not None else ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.blocks + self.warnings)

    def as_json(self) -> dict[str, object]:
        """Plain JSON types, for `sms-tui bulk --dry-run --json` (texts are data: the caller escapes)."""
        return {
            "lead_id": self.lead_id,
            "lead_name": self.lead_name,
            "contact_id": self.contact_id,
            "contact_name": self.contact_name,
            "to": self.to_number,
            "from": self.from_number,
            "text": self.text,
            "encoding": self.encoding,
            "segments": self.segments,
            "chars": self.chars,
            "cost_cents": str(self.cost_cents),
            "local_time": self.local_time.isoformat() if self.local_time else None,
            "time_zone": self.time_zone,
            "verdict": self.verdict,
            "blocks": [{"code": i.code, "message": i.message} for i in self.blocks],
            "warnings": [{"code": i.code, "message": i.message} for i in self.warnings],
            "edited": self.edited,
        }


@dataclass(frozen=True, slots=True)
class Totals:
    """The preview's top line. Segments and cost count only what would leave (not blocked, not skipped)."""

    recipients: int = 0
    ok: int = 0
    warned: int = 0
    blocked: int = 0
    skipped: int = 0
    segments: int = 0
    cost_cents: Decimal = Decimal(0)

    @property
    def sending(self) -> int:
        return self.ok + self.warned

    def cost_text(self) -> str:
        return format_cents(self.cost_cents)


def format_cents(cents: Decimal) -> str:
    """US cents as dollars for the rep: "$0.04", "$12.30"."""
    return f"${(cents / 100).quantize(Decimal('0.01')):,}"


# --- checks on what the rep composed ----------------------------------------------------------------


def compose_problem(text: str, recipients: int) -> str | None:
    """Why the composed campaign cannot go to the preview, in the rep's words (None: it can)."""
    if recipients <= 0:
        return "No leads are marked: mark leads with space (or * for every lead of the search) first."
    if recipients > MAX_RECIPIENTS:
        return (
            f"{recipients:,} leads are marked; one campaign takes at most {MAX_RECIPIENTS:,}. "
            "Narrow the search, or split it into several campaigns."
        )
    if not text.strip():
        return "The message is empty: write a text or pick a template."
    if len(text) > MAX_TEXT_CHARS:
        return (
            f"The message is {len(text):,} characters; Close accepts at most {MAX_TEXT_CHARS:,}. "
            f"Shorten it by {len(text) - MAX_TEXT_CHARS:,}."
        )
    return None


# --- the route: which phone, from which of our numbers ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Chosen:
    contact: Contact | None
    to_number: str | None
    from_number: str | None


def _info(number: str, region: str) -> phones.PhoneInfo | None:
    try:
        return phones.parse_phone(number, region)
    except phones.PhoneError:
        return None


def choose_route(
    recipient: Recipient, numbers: Sequence[OurNumber], rules: ComplianceRules = DEFAULT_RULES
) -> Chosen:
    """The phone to text and our number to text it from.

    The preferred phone (the rep's saved route, else the thread's last) while textable; else the
    first textable phone labelled or numbered as a mobile, else the first textable phone, in
    Close's order; with none textable, the first phone at all (the guard then says why not).
    """
    region = rules.default_region
    senders = [n for n in numbers if n.sms_enabled]
    first_any: Chosen | None = None
    first_textable: Chosen | None = None
    first_mobile: Chosen | None = None
    preferred: Chosen | None = None
    entries = [(c, e) for c in recipient.contacts for e in c.phones]
    # Parsing a number is most of the cost: stop once the answer cannot change any more.
    wanted = recipient.preferred_to if any(e.phone == recipient.preferred_to for _, e in entries) else None
    for contact, entry in entries:
        number = entry.phone
        info = _info(number, region)
        country = info.country if info is not None else None
        ours = [n.number for n in senders if phones.same_country(n.country, country)]
        if recipient.preferred_from in ours:
            sender: str | None = recipient.preferred_from
        else:
            sender = ours[0] if ours else None
        candidate = Chosen(contact, number, sender)
        if first_any is None:
            first_any = candidate
        textable = (
            info is not None
            and sender is not None
            and not contact.do_not_text
            and number not in recipient.opted_out
            and number not in recipient.do_not_text
            and phones.can_text(sender, number, rules.supported_countries, default_region=region).ok
        )
        if number == wanted:
            if textable:
                preferred = candidate
                break
            wanted = None
        if not textable:
            continue
        if first_textable is None:
            first_textable = candidate
        mobile = entry.type == "mobile" or (info is not None and info.line_type == "mobile")
        if first_mobile is None and mobile:
            first_mobile = candidate
        if first_mobile is not None and wanted is None:
            break
    chosen = preferred or first_mobile or first_textable or first_any
    if chosen is None:
        fallback = [n.number for n in senders]
        return Chosen(None, None, fallback[0] if fallback else None)
    return chosen


# --- the preview --------------------------------------------------------------------------------------


def preview_one(
    recipient: Recipient,
    message: BulkMessage,
    numbers: Sequence[OurNumber],
    *,
    now: datetime,
    rules: ComplianceRules = DEFAULT_RULES,
    prices: Prices = DEFAULT_PRICES,
    cache: dict[str, SegmentInfo] | None = None,
    names: tuple[str, ...] | None = None,
) -> Preview:
    """One recipient's preview (see the module docstring). ``now`` must be timezone-aware.

    ``cache`` (segment counts by text) and ``names`` (`sender_names` of the message) may be shared
    across calls for one campaign: `preview` does.
    """
    chosen = choose_route(recipient, numbers, rules)
    contact = chosen.contact
    edited = recipient.text is not None
    rendered = _render(recipient, message, contact)
    text = rendered.text
    info = _analyze(text, cache)
    to = chosen.to_number or ""
    check = compliance.check_send(
        text=text,
        to_number=to,
        from_number=chosen.from_number or "",
        opted_out=to in recipient.opted_out,
        do_not_text=(contact is not None and contact.do_not_text) or to in recipient.do_not_text,
        now=now,
        first_message=recipient.first_message,
        rules=rules,
        sender_names=names if names is not None else sender_names(message.user_name, message.org_name),
    )
    blocks = _explain(check.blocks, chosen, rules)
    warnings = check.warnings + _merge_warnings(rendered)
    phone = _info(to, rules.default_region) if to else None
    local, zone_name = _local_time(phone, now)
    country = phone.country if phone is not None else None
    cost = Decimal(0) if blocks else prices.per_segment(country) * info.segments
    return Preview(
        lead_id=recipient.lead_id,
        lead_name=recipient.lead_name,
        contact_id=contact.id if contact is not None else None,
        contact_name=contact.name if contact is not None else "",
        to_number=chosen.to_number,
        from_number=chosen.from_number,
        text=text,
        encoding=info.encoding,
        segments=info.segments,
        chars=info.chars,
        cost_cents=cost,
        local_time=local,
        time_zone=zone_name,
        blocks=blocks,
        warnings=warnings,
        edited=edited,
    )


def preview(
    recipients: Iterable[Recipient],
    message: BulkMessage,
    numbers: Sequence[OurNumber],
    *,
    now: datetime,
    rules: ComplianceRules = DEFAULT_RULES,
    prices: Prices = DEFAULT_PRICES,
) -> list[Preview]:
    """Every recipient's preview, in the order given."""
    cache: dict[str, SegmentInfo] = {}
    names = sender_names(message.user_name, message.org_name)
    return [
        preview_one(r, message, numbers, now=now, rules=rules, prices=prices, cache=cache, names=names)
        for r in recipients
    ]


def totals(previews: Iterable[Preview], skipped: Iterable[str] = ()) -> Totals:
    """Counts for the top line; `skipped` lead ids are counted apart and cost nothing."""
    skip = set(skipped)
    n = ok = warned = blocked = n_skipped = segments = 0
    cost = Decimal(0)
    for p in previews:
        n += 1
        if p.lead_id in skip:
            n_skipped += 1
            continue
        verdict = p.verdict
        if verdict == "block":
            blocked += 1
            continue
        if verdict == "warn":
            warned += 1
        else:
            ok += 1
        segments += p.segments
        cost += p.cost_cents
    return Totals(n, ok, warned, blocked, n_skipped, segments, cost)


def with_text(recipient: Recipient, text: str | None) -> Recipient:
    """The recipient with the rep's own text (None: back to the campaign's)."""
    return replace(recipient, text=text)


def _render(recipient: Recipient, message: BulkMessage, contact: Contact | None) -> Rendered:
    source = recipient.text if recipient.text is not None else message.text
    if "{{" not in source and "}}" not in source:
        return Rendered(text=source, missing=(), unknown=())
    context = template_context(
        contact_first_name=contact.first_name if contact is not None else None,
        contact_last_name=contact.last_name if contact is not None else None,
        lead_display_name=recipient.lead_name,
        user_first_name=message.user_first_name,
        user_last_name=message.user_last_name,
        user_email=message.user_email,
        user_phone=message.user_phone,
        organization_name=message.org_name,
    )
    return render(source, context)


def _analyze(text: str, cache: dict[str, SegmentInfo] | None) -> SegmentInfo:
    if cache is None:
        return analyze(text)
    info = cache.get(text)
    if info is None:
        if len(cache) > 4096:
            cache.clear()
        info = cache[text] = analyze(text)
    return info


def _merge_warnings(rendered: Rendered) -> tuple[Issue, ...]:
    out: list[Issue] = []
    if rendered.missing:
        out.append(
            Issue(
                "missing_field",
                f"No value for {', '.join(rendered.missing)} for this lead: it is left blank in the text.",
            )
        )
    if rendered.unknown:
        out.append(
            Issue(
                "unknown_field",
                f"Unknown merge field {', '.join(rendered.unknown)}: it is left blank in the text.",
            )
        )
    return tuple(out)


def _explain(blocks: tuple[Issue, ...], chosen: Chosen, rules: ComplianceRules) -> tuple[Issue, ...]:
    """Say what an empty phone or sender means for a lead of a campaign."""
    out: list[Issue] = []
    for issue in blocks:
        if issue.detail == "invalid" and not chosen.to_number:
            issue = Issue("no_phone", "This lead has no phone number to text.", "no_phone")
        elif issue.detail == "invalid_sender" and not chosen.from_number:
            where = "for this lead's country"
            info = _info(chosen.to_number or "", rules.default_region) if chosen.to_number else None
            if info is not None:
                where = phones.in_country(info.country)
            issue = Issue(
                "no_sender",
                f"We have no sending number {where}; add one in Close to text this lead.",
                "no_sender",
            )
        out.append(issue)
    return tuple(out)


def _local_time(phone: phones.PhoneInfo | None, now: datetime) -> tuple[datetime | None, str]:
    if phone is None:
        return None, ""
    for name in phone.time_zones:
        tz: tzinfo | None = zone(name)
        if tz is not None:
            return now.astimezone(tz), name
    return None, ""
