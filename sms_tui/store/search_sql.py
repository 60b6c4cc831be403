"""Compile the search language (core.query AST) into a SQL WHERE clause over `lead_state ls`.

Lead-level fields read the triage row (counters kept by triggers), so `failed_sms > 1` or `is:unread`
never scans messages. `sms(...)` becomes `ls.lead_id IN (SELECT m.lead_id FROM messages m WHERE ...)`
over the messages indexes; free text goes through the two FTS5 tables (message text, lead/contact
names). Semantic mistakes (unknown field, bad date) raise the parser's QuerySyntaxError with the
position of the offending field, so the search box shows one kind of error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar

from sms_tui.core.mms import KINDS
from sms_tui.core.query import (
    And,
    Field,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    Sms,
    Text,
    parse,
    walk,
)
from sms_tui.store.convert import STATUS_OF_STATE, ts
from sms_tui.store.fts_ascii import FUNCTION as FTS_ASCII
from sms_tui.store.fts_ascii import pattern_of
from sms_tui.store.schema import HAS_ATTACHMENTS_SQL, reversed_digits

#: Close status -> local states that show it (blocked is a failure the rep must see: error).
STATES_OF_STATUS: dict[str, tuple[str, ...]] = {}
for _state, _status in STATUS_OF_STATE.items():
    STATES_OF_STATUS.setdefault(_status, ())
    STATES_OF_STATUS[_status] += (_state,)

_COUNTERS = {
    "failed_sms": "ls.failed_count",
    "failed_sms_messages": "ls.failed_count",
    "error_sms_messages": "ls.failed_count",
    "sms_messages": "ls.msg_count",
    "sms": "ls.msg_count",
    "unread": "ls.unread",
    "unread_sms": "ls.unread",
    "scheduled_sms": "ls.scheduled_count",
}
_HAS = {
    "error_sms_messages": "ls.failed_count > 0",
    "failed_sms": "ls.failed_count > 0",
    "error": "ls.failed_count > 0",
    "sms_messages": "ls.msg_count > 0",
    "sms": "ls.msg_count > 0",
    "draft": "ls.has_draft = 1",
    "scheduled": "ls.scheduled_count > 0",
    "unread": "ls.unread > 0",
    # MMS: only messages with attachments are in the partial index messages_with_attachments
    "attachment": f"ls.lead_id IN (SELECT m.lead_id FROM messages m WHERE m.{HAS_ATTACHMENTS_SQL} "
    "AND m.local_state <> 'draft')",
}
_HAS["attachments"] = _HAS["mms"] = _HAS["attachment"]
_IS_STATIC = {
    "unread": "ls.unread > 0",
    "read": "ls.unread = 0",
    "done": "ls.done = 1",
    "opted_out": "ls.opted_out = 1",
    "snoozed": "",  # depends on now: compiled in lead_field; listed here for the error message
}
_DIRECTIONS = {"inbound": "inbound", "incoming": "inbound", "outbound": "outbound", "outgoing": "outbound"}
_BOOLS = {"true": 1, "yes": 1, "1": 1, "false": 0, "no": 0, "0": 0}
_LEAD_FIELDS = (
    "failed_sms, sms_messages, unread, has, is, latest_sms_status, opted_out, name, phone, created, "
    "attachment_type"
)
_SMS_FIELDS = "created (or date), direction, status, user, is:unread, has:attachment, attachment_type"
#: `attachment_type:` values: a kind (core.mms.KINDS) or a content type such as image/png
_ATTACHMENT_TYPE_FIELDS = ("attachment_type", "attachment", "attachments")
T = TypeVar("T")
_SQL_OP = {":": "=", "=": "=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


#: How many FTS hits make a term "common": then the lead list is walked in order and each lead is
#: tested against the hit set; below it, the planner may start from the (small) hit set.
COMMON_HITS = 2000
#: From this many hits on, a walked lead's messages are tested one by one (`fts_ascii` on ASCII
#: text, FTS5 only for other text) instead of against the hit set, which costs the whole hit set
#: before the first row (`the`: ~700k hits, ~200 ms on a 1M-message cache). Measured per word at
#: 100k and 1M leads: the walk wins from ~30k hits (thanks, call, tomorrow), loses below (pricing).
VERY_COMMON_HITS = 30_000

#: probe(fts_table, fts_query, cap) -> number of hits, counted up to cap (cheap: FTS only).
Probe = Callable[[str, str, int], int]


def compile_lead_filter(
    query: str | None,
    *,
    now: datetime,
    tz: tzinfo | None = None,
    probe: Probe | None = None,
    for_count: bool = False,
) -> tuple[str, list[Any]]:
    """WHERE clause (over alias `ls`) and parameters for the lead list.

    Unless the query mentions is:done / is:snoozed, done leads and leads snoozed past `now` are
    left out. `tz` (default UTC) is the rep's time zone for today / yesterday / dates. `probe`
    lets free-text terms pick their plan by how many hits they have (see COMMON_HITS); a count
    (`for_count`) always starts from the hit set, since it must visit every hit anyway.
    """
    node = parse(query or "")
    compiler = _Compiler(now=now, tz=tz or UTC, probe=probe, for_count=for_count)
    conds: list[str] = []
    mentioned = {f.value.lower() for f in walk(node) if isinstance(f, Field) and f.name == "is"}
    if "done" not in mentioned:
        conds.append("ls.done = 0")
    if "snoozed" not in mentioned:
        conds.append("(ls.snoozed_until IS NULL OR ls.snoozed_until <= ?)")
        compiler.params.append(ts(now))
    body = compiler.lead(node)
    if body != "1":
        conds.append(body)
    return (" AND ".join(conds) or "1"), compiler.params


class _Compiler:
    def __init__(
        self, *, now: datetime, tz: tzinfo, probe: Probe | None = None, for_count: bool = False
    ) -> None:
        self.now = now
        self.tz = tz
        self.probe = probe
        self.for_count = for_count
        self.params: list[Any] = []

    def walk_leads(self, table: str, fts: str, cap: int = COMMON_HITS) -> str:
        """ "+" (walk the lead list, test membership) for a common term, "" for a rare one.

        The planner cannot know that a common word has 50k hits; starting from the hit set then
        means a look-up and a sort for each, while walking the list finds a page in a few hundred.
        With `cap` above COMMON_HITS, "++" when the term has at least `cap` hits.
        """
        if self.for_count:
            return ""
        if self.probe is None:
            return "+"
        hits = self.probe(table, fts, cap)
        return "++" if hits >= cap > COMMON_HITS else "+" if hits >= COMMON_HITS else ""

    def p(self, value: Any) -> str:
        self.params.append(value)
        return "?"

    # -- lead level --------------------------------------------------------------------------------

    def boolean(self, node: And | Or | Not, leaf: Callable[[Node], str]) -> str:
        """AND / OR / NOT over conditions compiled by `leaf` (lead level or inside sms(...))."""
        if isinstance(node, And):
            parts = [s for s in (leaf(i) for i in node.items) if s != "1"]
            return "(" + " AND ".join(parts) + ")" if parts else "1"
        if isinstance(node, Or):
            return "(" + " OR ".join(leaf(i) for i in node.items) + ")"
        return f"NOT coalesce({leaf(node.item)}, 0)"

    def lead(self, node: Node) -> str:
        if isinstance(node, And | Or | Not):
            return self.boolean(node, self.lead)
        if isinstance(node, Sms):
            inner = "1" if node.inner is None else self.sms(node.inner)
            return (
                f"ls.lead_id IN (SELECT m.lead_id FROM messages m WHERE m.local_state <> 'draft' AND {inner})"
            )
        if isinstance(node, Text):
            return self.lead_text(node)
        return self.lead_field(node)

    def lead_text(self, node: Text) -> str:
        fts = _fts_phrase(node)
        if fts is None:
            return "1"
        names = self.names_match(fts)
        walk = self.walk_leads("messages_fts", fts, VERY_COMMON_HITS)
        pattern = pattern_of(node.value, prefix=not node.quoted)
        if walk == "++" and pattern is not None:
            # A very common word: most leads have it in their latest messages, so walking the list
            # and testing each message finds a page in a few hundred tests; FTS5 (the whole hit
            # set, read once) is asked only if a walked message is not ASCII. LIKE first (in C):
            # an ASCII text without the phrase's longest word cannot match (`length` differs from
            # the byte length for any other text, or one with a NUL, which LIKE would stop at).
            word = max(re.findall("[A-Za-z0-9]+", node.value), key=len)
            texts = (
                "EXISTS (SELECT 1 FROM messages m INDEXED BY messages_lead_time "
                "WHERE m.lead_id = ls.lead_id AND m.local_state <> 'draft' AND "
                f"(m.text LIKE {self.p('%' + word + '%')} "
                "OR length(m.text) <> length(CAST(m.text AS BLOB))) AND "
                f"coalesce({FTS_ASCII}(m.text, {self.p(pattern)}), +m.local_id IN "
                f"(SELECT rowid FROM messages_fts WHERE messages_fts MATCH {self.p(fts)})))"
            )
        elif walk:
            # A common word: walk the list and look at each lead's own messages (its index) against
            # the set of hit rowids, read once from FTS. Mapping every hit to its lead first cost
            # the whole hit set before the first row (`the`: 0.6-1.5 s; `thanks` 130 -> ~30 ms).
            texts = (
                "EXISTS (SELECT 1 FROM messages m INDEXED BY messages_lead_time "
                "WHERE m.lead_id = ls.lead_id AND +m.local_id IN "
                f"(SELECT rowid FROM messages_fts WHERE messages_fts MATCH {self.p(fts)}) "
                "AND m.local_state <> 'draft')"
            )
        else:
            texts = (
                "ls.lead_id IN (SELECT m.lead_id FROM messages m "
                "INDEXED BY messages_lead_of WHERE m.local_id IN "
                f"(SELECT rowid FROM messages_fts WHERE messages_fts MATCH {self.p(fts)}) "
                "AND m.local_state <> 'draft')"
            )
        parts = [names, texts]
        digits = "".join(ch for ch in node.value if ch.isdigit())
        if len(digits) >= 7 and len(digits) >= len(node.value.replace(" ", "")) - 4:
            parts.append(self.phone_match(digits))
        return "(" + " OR ".join(parts) + ")"

    def names_match(self, fts: str) -> str:
        return (
            f"{self.walk_leads('leads_fts', fts)}ls.lead_id IN (SELECT l.id FROM leads l WHERE l.rid IN "
            f"(SELECT rowid FROM leads_fts WHERE leads_fts MATCH {self.p(fts)}))"
        )

    def phone_match(self, digits: str) -> str:
        digits = digits.lstrip("0")  # national trunk prefix (07700 ... -> 7700 ...)
        rev = reversed_digits(digits)
        pattern = rev + "*" if len(digits) >= 7 else "*" + rev + "*"
        return (
            "ls.lead_id IN (SELECT c.lead_id FROM contact_phones cp JOIN contacts c ON c.id = cp.contact_id "
            f"WHERE cp.rdigits GLOB {self.p(pattern)})"
        )

    def lead_field(self, f: Field) -> str:
        name, value = f.name, f.value.lower()
        if name in _COUNTERS:
            return f"{_COUNTERS[name]} {_SQL_OP[f.op]} {self.p(_int(f))}"
        if name == "has":
            _colon(f)
            return _lookup(_HAS, value, f, "has:")
        if name == "is":
            _colon(f)
            if value == "snoozed":
                return f"ls.snoozed_until > {self.p(ts(self.now))}"
            return _lookup(_IS_STATIC, value, f, "is:")
        if name in ("latest_sms_status", "latest_status"):
            _colon(f)
            _lookup(STATES_OF_STATUS, value, f, "a status:")
            return f"coalesce(ls.latest_status, '') = {self.p(value)}"
        if name == "opted_out":
            _colon(f)
            flag = _lookup(_BOOLS, value, f, "opted_out:")
            return f"ls.opted_out = {flag}"
        if name == "name":
            _colon(f)
            fts = _fts_phrase(Text(f.value, f.quoted, f.value_position))
            return "1" if fts is None else self.names_match(fts)
        if name == "phone":
            _colon(f)
            digits = "".join(ch for ch in f.value if ch.isdigit())
            if not digits:
                raise _err(f.value_position, "digits of a phone number")
            return self.phone_match(digits)
        if name in ("created", "date"):
            return self.date_cond("ls.created_at", f)
        if name in _ATTACHMENT_TYPE_FIELDS:
            return (
                f"ls.lead_id IN (SELECT m.lead_id FROM messages m WHERE {self.attachment_type(f)} "
                "AND m.local_state <> 'draft')"
            )
        if name in ("direction", "status", "user"):
            raise _err(f.position, f"{name}: inside sms(...), e.g. sms({name}:{f.value})")
        raise _err(f.position, f"a known field ({_LEAD_FIELDS}), not {f.name!r}")

    # -- inside sms(...) ---------------------------------------------------------------------------

    def sms(self, node: Node) -> str:
        if isinstance(node, And | Or | Not):
            return self.boolean(node, self.sms)
        if isinstance(node, Sms):
            raise _err(node.position, "a message condition (sms(...) cannot be nested)")
        if isinstance(node, Text):
            fts = _fts_phrase(node)
            if fts is None:
                return "1"
            return f"m.local_id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH {self.p(fts)})"
        name, value = node.name, node.value.lower()
        if name in ("created", "date"):
            return self.date_cond("m.sort_at", node)
        if name == "direction":
            _colon(node)
            return f"m.direction = {self.p(_lookup(_DIRECTIONS, value, node, 'direction:'))}"
        if name == "status":
            _colon(node)
            states = _lookup(STATES_OF_STATUS, value, node, "status:")
            return f"m.local_state IN ({', '.join(self.p(s) for s in states)})"
        if name == "user":
            _colon(node)
            return f"m.user_id = {self.p(node.value)}"
        if name == "is" and value in ("unread", "read"):
            return "(m.direction = 'inbound' AND m.is_read = 0)" if value == "unread" else "m.is_read = 1"
        if name == "has" and value in ("attachment", "attachments", "mms"):
            return f"m.{HAS_ATTACHMENTS_SQL}"
        if name in _ATTACHMENT_TYPE_FIELDS:
            return self.attachment_type(node)
        raise _err(node.position, f"a message field ({_SMS_FIELDS}), not {node.name!r}")

    # -- attachments -------------------------------------------------------------------------------

    def attachment_type(self, f: Field) -> str:
        """A message with an attachment of this kind (image, video, audio, pdf, contact, calendar,
        document) or content type (image/png). The stored JSON is compact with sorted keys, so a
        content type is the text `"content_type":"<type>` (a quote inside a value is escaped, so
        no filename can fake it); only messages with attachments (a partial index) are looked at."""
        _colon(f)
        value = f.value.strip().lower()
        if value in KINDS:
            types = KINDS[value]
        elif "/" in value and all(ch.isalnum() or ch in "/.+-" for ch in value):
            types = (value,)
        else:
            raise _err(
                f.value_position,
                f"one of {', '.join(KINDS)} or a type such as image/png after attachment_type:",
            )
        likes: list[str] = []
        for t in types:
            stem = '%"content_type":"' + t
            ends = ("%",) if t.endswith("/") else ('"%', ";%")
            likes += [f"m.attachments LIKE {self.p(stem + end)}" for end in ends]
        return f"(m.{HAS_ATTACHMENTS_SQL} AND ({' OR '.join(likes)}))"

    # -- dates -------------------------------------------------------------------------------------

    def date_cond(self, column: str, f: Field) -> str:
        value = f.value.lower()
        if ".." in value:
            if f.op not in (":", "="):
                raise _err(f.value_position, f"a single date after '{f.op}' (ranges go with ':')")
            lo_text, hi_text = value.split("..", 1)
            parts = []
            if lo_text:
                parts.append(f"{column} >= {self.p(self.day_bounds(lo_text, f)[0])}")
            if hi_text:
                parts.append(f"{column} < {self.p(self.day_bounds(hi_text, f)[1])}")
            if not parts:
                raise _err(f.value_position, "a date range like 2026-01-01..2026-01-31")
            return "(" + " AND ".join(parts) + ")"
        start, end = self.day_bounds(value, f)
        if f.op in (":", "="):
            return f"({column} >= {self.p(start)} AND {column} < {self.p(end)})"
        bound = {">": end, ">=": start, "<": start, "<=": end}[f.op]
        sql_op = {">": ">=", ">=": ">=", "<": "<", "<=": "<"}[f.op]
        return f"{column} {sql_op} {self.p(bound)}"

    def day_bounds(self, text: str, f: Field) -> tuple[str, str]:
        """[start, end) of a day in the rep's zone, as stored UTC text."""
        today = self.now.astimezone(self.tz).date()
        if text == "today":
            day = today
        elif text == "yesterday":
            day = today - timedelta(days=1)
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise _err(f.value_position, "a date: today, yesterday, YYYY-MM-DD or A..B") from None
        start = datetime.combine(day, time(), self.tz)
        end = datetime.combine(day + timedelta(days=1), time(), self.tz)
        return ts(start) or "", ts(end) or ""


def _fts_phrase(node: Text) -> str | None:
    """FTS5 query for one term: an exact phrase if quoted, else a prefix match of the word(s)."""
    if not any(ch.isalnum() for ch in node.value):
        return None
    phrase = '"' + node.value.replace('"', '""') + '"'
    return phrase if node.quoted else phrase + "*"


def _int(f: Field) -> int:
    try:
        return int(f.value)
    except ValueError:
        raise _err(f.value_position, f"a number after '{f.name} {f.op}'") from None


def _colon(f: Field) -> None:
    if f.op not in (":", "="):
        raise _err(f.position + len(f.name), f"':' after {f.name!r}")


def _lookup(table: dict[str, T], value: str, f: Field, what: str) -> T:
    if value not in table:
        raise _err(f.value_position, f"one of {', '.join(sorted(table))} after {what!r}".replace("'", ""))
    return table[value]


def _err(position: int, expected: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"at column {position + 1}: expected {expected}", position, expected)
