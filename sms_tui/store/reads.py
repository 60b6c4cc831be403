"""Read queries: the lead list (keyset pages), a lead's detail, a conversation, counts.

Every list is a LIMITed query on an index; nothing reads a whole table into memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sms_tui.core.models import (
    Contact,
    ContactPhone,
    Lead,
    LeadRow,
    Message,
    Organization,
    OurNumber,
    Template,
    User,
)
from sms_tui.store.base import StoreBase
from sms_tui.store.convert import (
    LEAD_ROW_COLUMNS,
    MESSAGE_COLUMNS,
    attachments_from_json,
    dt,
    emails_from_json,
    lead_row_from_row,
    message_from_row,
    profile_from_json,
    ts,
)
from sms_tui.store.fts_ascii import SAMPLE_SQL, pattern_of
from sms_tui.store.search_sql import compile_lead_filter
from sms_tui.store.types import HeaderCounts, LeadCursor, LeadDetail, LeadPage, StoreError


class ReadsMixin(StoreBase):
    # -- lead list ---------------------------------------------------------------------------------

    def lead_page(
        self,
        *,
        query: str | None = None,
        after: LeadCursor | None = None,
        limit: int = 50,
        now: datetime,
        tz: tzinfo | None = None,
        offset: int = 0,
        from_end: bool = False,
    ) -> LeadPage:
        """One page of the lead list, most recent activity first.

        Done leads and leads snoozed past `now` are left out unless the query asks for them
        (`is:done`, `is:snoozed`); a snoozed lead comes back by itself once `now` passes its time.
        Raises `QuerySyntaxError` for a malformed query. `tz` is the rep's zone for today/yesterday.

        A far page is one query: `offset` rows into the list, or with `from_end` the `limit` rows
        that end `offset` rows before the list's end (the index is walked backwards: the last page
        costs what the first does). Rows always come in list order; `next_cursor` continues after
        the last of them (None: nothing follows).
        """
        where, params = compile_lead_filter(query, now=now, tz=tz, probe=self._probe)
        if after is not None:
            where = f"({where}) AND (ls.last_activity_at, ls.lead_id) < (?, ?)"
            params = [*params, after.last_activity_at, after.lead_id]
        order = "ASC" if from_end else "DESC"
        sql = (
            f"SELECT {_prefixed(LEAD_ROW_COLUMNS)}, ls.last_activity_at FROM lead_state ls "
            f"WHERE {where} ORDER BY ls.last_activity_at {order}, ls.lead_id {order} LIMIT ? OFFSET ?"
        )
        with self._lock:
            raw = self._conn.execute(sql, [*params, limit + (0 if from_end else 1), offset]).fetchall()
        if from_end:
            raw.reverse()
            more = offset > 0
        else:
            more = len(raw) > limit
            raw = raw[:limit]
        rows = [lead_row_from_row(r[:-1]) for r in raw]
        cursor = LeadCursor(raw[-1][-1], raw[-1][0]) if more and raw else None
        return LeadPage(rows=rows, next_cursor=cursor)

    def count_leads(
        self, query: str | None = None, *, now: datetime, tz: tzinfo | None = None, cap: int | None = None
    ) -> int:
        """How many leads `lead_page` would list in total for this query (counted up to `cap`).

        Counts run on the store's second read connection: a slow count never holds up a page.
        `interrupt_counts()` stops a running one (it then raises sqlite3.OperationalError).
        """
        where, params = compile_lead_filter(query, now=now, tz=tz, for_count=cap is None, probe=self._probe)
        sql = f"SELECT 1 FROM lead_state ls WHERE {where}"
        if cap is not None:
            sql += " LIMIT ?"
            params = [*params, cap]
        with self._counting() as conn:
            return int(conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])

    def _probe(self, table: str, fts: str, cap: int) -> int:
        """How many rows of an FTS table match, counted up to `cap` (a fraction of a millisecond).

        A prefix term (`"the"*`) is probed as the whole word first: its hits are a subset, read in
        order and stopped at `cap`, while the prefix merges every word it starts (`the*`: ~80 ms
        on a 1M-message cache, only to learn that the word is common)."""
        if table not in ("messages_fts", "leads_fts"):
            raise ValueError(table)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)"
        if fts.endswith('"*'):
            whole = int(self._one(sql, (fts[:-1], cap)))
            if whole >= cap:
                return whole
            if table == "messages_fts" and self._sampled_hits(fts[1:-2].replace('""', '"')) >= 2 * cap:
                return cap  # far more than cap by a sample: the prefix's merge (`t*` ~350 ms) is skipped
        return int(self._one(sql, (fts, cap)))

    def _sampled_hits(self, phrase: str) -> int:
        """How many messages match `phrase` as a prefix, estimated from ~1,000 spread over the ids
        (`fts_ascii.SAMPLE_SQL`, a few ms); 0 when it cannot tell (not ASCII, no messages)."""
        pattern = pattern_of(phrase, prefix=True)
        if pattern is None:
            return 0
        word = max(re.findall("[A-Za-z0-9]+", phrase), key=len)
        with self._lock:
            top = self._conn.execute("SELECT max(local_id) FROM messages").fetchone()[0]
            if not top:
                return 0
            sampled, matching = self._conn.execute(SAMPLE_SQL, (top, f"%{word}%", pattern)).fetchone()
        return int(matching * top // max(1, sampled))

    def lead_rows(self, lead_ids: Iterable[str]) -> list[LeadRow]:
        """The current rows of these leads (in no particular order), to refresh only what changed."""
        ids = list(dict.fromkeys(lead_ids))
        out: list[LeadRow] = []
        with self._lock:
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                out += [
                    lead_row_from_row(r)
                    for r in self._conn.execute(
                        f"SELECT {LEAD_ROW_COLUMNS} FROM lead_state WHERE lead_id IN ({marks})", chunk
                    )
                ]
        return out

    def lead_row(self, lead_id: str) -> LeadRow | None:
        rows = self.lead_rows([lead_id])
        return rows[0] if rows else None

    def lead_detail(self, lead_id: str) -> LeadDetail:
        """The lead with its contacts, their phones and opt-out flags, and whom to text."""
        with self._read() as conn:
            lead_raw = conn.execute(
                "SELECT id, display_name, date_created, profile, is_stub FROM leads WHERE id = ?", (lead_id,)
            ).fetchone()
            if lead_raw is None:
                raise StoreError(f"no lead {lead_id} in the cache")
            row = conn.execute(
                f"SELECT {LEAD_ROW_COLUMNS}, contact_id FROM lead_state WHERE lead_id = ?", (lead_id,)
            ).fetchone()
            contacts = self._contacts_of(lead_id)
        lead = Lead(
            id=lead_raw[0],
            display_name=lead_raw[1],
            contacts=contacts,
            date_created=dt(lead_raw[2]),
            profile=profile_from_json(lead_raw[3]),
            is_stub=bool(lead_raw[4]),
        )
        lead_row = lead_row_from_row(row[:-1])
        texting = next((c for c in contacts if c.id == row[-1]), None)
        return LeadDetail(lead=lead, row=lead_row, texting_contact=texting, texting_phone=lead_row.phone)

    def _contacts_of(self, lead_id: str) -> tuple[Contact, ...]:
        conn = self._conn
        contacts: list[Contact] = []
        for cid, name, first, last, dnt, emails in conn.execute(
            "SELECT id, name, first_name, last_name, do_not_text, emails FROM contacts "
            "WHERE lead_id = ? ORDER BY position, id",
            (lead_id,),
        ).fetchall():
            phone_rows = conn.execute(
                "SELECT p.phone, p.type, p.phone_formatted, coalesce(f.opted_out, 0), "
                "coalesce(f.do_not_text, 0) FROM contact_phones p "
                "LEFT JOIN phone_flags f ON f.phone = p.phone WHERE p.contact_id = ? ORDER BY p.position",
                (cid,),
            ).fetchall()
            phones = tuple(ContactPhone(phone=p, type=t, phone_formatted=f) for p, t, f, _, _ in phone_rows)
            texting = texting_phone_of(phones)
            flags = next(((o, d) for p, _, _, o, d in phone_rows if p == texting), (0, 0))
            contacts.append(
                Contact(
                    id=cid,
                    lead_id=lead_id,
                    name=name,
                    first_name=first,
                    last_name=last,
                    phones=phones,
                    opted_out=bool(flags[0]),
                    do_not_text=bool(dnt) or bool(flags[1]),
                    emails=emails_from_json(emails),
                )
            )
        return tuple(contacts)

    def phone_flags(self, phone: str) -> tuple[bool, bool]:
        """(opted_out, do_not_text) of an E.164 number: what the send guard needs right before a push."""
        with self._lock:
            row = self._conn.execute(
                "SELECT opted_out, do_not_text FROM phone_flags WHERE phone = ?", (phone,)
            ).fetchone()
        return (False, False) if row is None else (bool(row[0]), bool(row[1]))

    # -- conversation ------------------------------------------------------------------------------

    def conversation(
        self, lead_id: str, *, limit: int = 200, before_local_id: int | None = None
    ) -> list[Message]:
        """The latest `limit` messages of a lead (older than `before_local_id` if given),
        returned oldest -> newest. Drafts are not messages here (see get_draft)."""
        params: list[Any] = [lead_id]
        cond = ""
        if before_local_id is not None:
            cond = " AND (sort_at, local_id) < (SELECT sort_at, local_id FROM messages WHERE local_id = ?)"
            params.append(before_local_id)
        sql = (
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE lead_id = ? AND local_state <> 'draft'{cond} "
            "ORDER BY sort_at DESC, local_id DESC LIMIT ?"
        )
        with self._lock:
            rows = self._conn.execute(sql, [*params, limit]).fetchall()
        return [message_from_row(r) for r in reversed(rows)]

    def get_message(self, local_id: int) -> Message | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE local_id = ?", (local_id,)
            ).fetchone()
        return None if row is None else message_from_row(row)

    def get_message_by_remote_id(self, remote_id: str) -> Message | None:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE remote_id = ?", (remote_id,)
            ).fetchone()
        return None if row is None else message_from_row(row)

    def get_draft(self, lead_id: str) -> str:
        return str(self._one("SELECT text FROM drafts WHERE lead_id = ?", (lead_id,)) or "")

    def outbox(self) -> list[Message]:
        """Messages not yet on the provider: outbox (undo window), sending, and unpushed scheduled."""
        sql = (
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE local_state IN ('outbox', 'sending') "
            "OR (local_state = 'scheduled' AND remote_id IS NULL) ORDER BY send_at, local_id"
        )
        with self._lock:
            return [message_from_row(r) for r in self._conn.execute(sql)]

    def header_counts(self, now: datetime | None = None) -> HeaderCounts:
        """Totals for the header bar (on the counting connection). `now` is accepted for symmetry
        with the list (unused)."""
        with self._counting() as conn:
            unread = conn.execute(
                "SELECT coalesce(sum(unread), 0) FROM lead_state WHERE unread > 0"
            ).fetchone()
            by_state = dict(
                conn.execute(
                    "SELECT local_state, count(*) FROM messages "
                    "WHERE local_state IN ('outbox', 'sending', 'error', 'blocked', 'scheduled') "
                    "GROUP BY local_state"
                ).fetchall()
            )
        return HeaderCounts(
            unread_total=int(unread[0]),
            outbox=by_state.get("outbox", 0),
            sending=by_state.get("sending", 0),
            failed=by_state.get("error", 0) + by_state.get("blocked", 0),
            scheduled=by_state.get("scheduled", 0),
        )

    # -- reference data ----------------------------------------------------------------------------

    def templates(self, *, include_inactive: bool = False) -> list[Template]:
        sql = "SELECT id, name, text, is_active, attachments FROM templates"
        if not include_inactive:
            sql += " WHERE is_active = 1"
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY name COLLATE NOCASE, id").fetchall()
        return [
            Template(id=i, name=n, text=t, is_active=bool(a), attachments=attachments_from_json(files))
            for i, n, t, a, files in rows
        ]

    def our_numbers(self) -> list[OurNumber]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, number, country, sms_enabled, label FROM our_numbers ORDER BY number"
            ).fetchall()
        return [
            OurNumber(id=i, number=n, country=c, sms_enabled=bool(s), label=lb) for i, n, c, s, lb in rows
        ]

    def users(self) -> list[User]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, first_name, last_name, email, organization_id FROM users ORDER BY id"
            ).fetchall()
        return [User(*r) for r in rows]

    def me(self) -> User | None:
        me_id = self.kv_get("me_id")
        return next((u for u in self.users() if u.id == me_id), None) if me_id else None

    def organization(self) -> Organization | None:
        with self._lock:
            row = self._conn.execute("SELECT id, name FROM organization ORDER BY id LIMIT 1").fetchone()
        return None if row is None else Organization(id=row[0], name=row[1])

    def stub_lead_ids(self, limit: int = 100) -> list[str]:
        """Leads a message named before the sync engine fetched them (fetch and upsert these)."""
        with self._lock:
            return [
                r[0] for r in self._conn.execute("SELECT id FROM leads WHERE is_stub = 1 LIMIT ?", (limit,))
            ]

    def stats(self) -> dict[str, int]:
        """Numbers of leads, contacts and messages in the cache (for `sync --json`)."""
        sql = "SELECT count(*) FROM {}"
        with self._read() as conn:
            leads = conn.execute(sql.format("leads")).fetchone()[0]
            contacts = conn.execute(sql.format("contacts")).fetchone()[0]
            messages = conn.execute(sql.format("messages WHERE local_state <> 'draft'")).fetchone()[0]
        return {"leads": int(leads), "contacts": int(contacts), "messages": int(messages)}

    def scheduled_to(self, phone: str) -> list[Message]:
        """Scheduled messages already on the provider to this E.164 number (to cancel on a STOP)."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE local_state = 'scheduled' "
                "AND remote_id IS NOT NULL AND remote_phone = ? ORDER BY local_id",
                (phone,),
            ).fetchall()
        return [message_from_row(r) for r in rows]

    def has_unsettled_outbound(self, *, since: datetime, now: datetime) -> bool:
        """Could an outbound message still change status soon? (sending, provider outbox,
        scheduled due within a minute, or sent since `since`). The poller polls less when not."""
        checks: list[tuple[str, tuple[Any, ...]]] = [  # one index look-up each, never a table scan
            ("SELECT 1 FROM messages WHERE local_state = 'sending' LIMIT 1", ()),
            ("SELECT 1 FROM messages WHERE status = 'outbox' AND direction = 'outbound' LIMIT 1", ()),
            (
                "SELECT 1 FROM messages WHERE local_state = 'scheduled' AND date_scheduled <= ? LIMIT 1",
                (ts(now + timedelta(minutes=1)),),
            ),
            (
                "SELECT 1 FROM messages INDEXED BY messages_time WHERE sort_at >= ? AND local_state = 'sent' "
                "AND direction = 'outbound' LIMIT 1",
                (ts(since),),
            ),
        ]
        with self._read() as conn:
            return any(conn.execute(sql, params).fetchone() is not None for sql, params in checks)

    # -- key/value (sync cursors) ------------------------------------------------------------------

    def kv_get(self, key: str, default: str | None = None) -> str | None:
        value = self._one("SELECT value FROM kv WHERE key = ?", (key,))
        return default if value is None else str(value)

    def kv_set(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM kv WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO kv (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )


def texting_phone_of(phones: Iterable[ContactPhone]) -> str | None:
    """The number the composer texts: the first mobile phone, else the first phone."""
    phones = list(phones)
    for p in phones:
        if p.type == "mobile":
            return p.phone
    return phones[0].phone if phones else None


def _prefixed(columns: str) -> str:
    return ", ".join(f"ls.{c.strip()}" for c in columns.split(","))


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


__all__ = ["ReadsMixin", "texting_phone_of", "ts"]
