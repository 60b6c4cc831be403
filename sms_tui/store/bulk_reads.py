"""Reads for bulk texting (issue 14): every lead of a search, and leads as the preview needs them.

    lead_ids(query=None, *, now, tz=None, limit=None) -> list[str]     in list order (`*` marks them)
    preview_recipients(lead_ids) -> list[core.campaign.Recipient]      in the order given

Both read in a few batched queries (500 leads a statement), never one query per lead: a 10,000-lead
campaign is read in about 100 statements.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from sms_tui.core.models import Contact, ContactPhone
from sms_tui.core.phones import facts_json, remember_facts, remembered
from sms_tui.store.reads import ReadsMixin
from sms_tui.store.search_sql import compile_lead_filter

if TYPE_CHECKING:
    from sms_tui.core.campaign import Recipient  # the bulk rules load with the first preview

_CHUNK = 500
#: Contact phones parsed per `fill_phone_facts` call (~0.25 ms each, in a thread after each poll:
#: 13,000 numbers in about 7 minutes at the default 15 s poll).
FILL_BATCH = 500


class BulkReadsMixin(ReadsMixin):
    #: Where `fill_phone_facts` goes on (a contact_phones rowid).
    _facts_walk = 0

    def lead_ids(
        self, query: str | None = None, *, now: datetime, tz: tzinfo | None = None, limit: int | None = None
    ) -> list[str]:
        """The ids of every lead the list shows for `query` (as `lead_page` would, in its order).
        Raises `QuerySyntaxError` for a malformed query."""
        where, params = compile_lead_filter(query, now=now, tz=tz, probe=self._probe)
        sql = (
            f"SELECT ls.lead_id FROM lead_state ls WHERE {where} "
            "ORDER BY ls.last_activity_at DESC, ls.lead_id DESC"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, limit]
        with self._read() as conn:
            return [row[0] for row in conn.execute(sql, params)]

    def preview_recipients(self, lead_ids: Sequence[str]) -> list[Recipient]:
        """The leads (known to the cache) as `core.campaign.preview` needs them: contacts and phones in
        Close's order, the phones' opt-out / do-not-text flags, whether we ever texted the lead, and the
        route to prefer (the rep's saved one, else the thread's last). In the order given."""
        out: dict[str, Recipient] = {}
        with self._read() as conn:
            for start in range(0, len(lead_ids), _CHUNK):
                for recipient in _recipients(conn, list(lead_ids[start : start + _CHUNK])):
                    out.setdefault(recipient.lead_id, recipient)
        return [out[lid] for lid in dict.fromkeys(lead_ids) if lid in out]

    def fill_phone_facts(self, limit: int | None = None, region: str = "US") -> int:
        """Parse and keep the facts of up to `limit` contact phones that have none yet, walking the
        table from where the last call stopped (the sync calls this after each poll, in a thread:
        the facts arrive in the background; see `save_phone_facts`). Returns how many were saved;
        0 once every phone has its facts (and without reading the table again until the sync
        writes a phone it had no facts for)."""
        if not self._facts_missing:
            return 0
        limit = FILL_BATCH if limit is None else limit
        from_top = self._facts_walk == 0
        with self._read() as conn:
            rows = conn.execute(
                "SELECT rowid, phone FROM contact_phones WHERE rowid > ? AND facts IS NULL "
                "ORDER BY rowid LIMIT ?",
                (self._facts_walk, limit),
            ).fetchall()
        # at the end, the next walk starts at the top again: rewritten contacts' phones may have
        # taken lower rowids than where this one stopped
        self._facts_walk = rows[-1][0] if len(rows) == limit else 0
        if from_top and len(rows) < limit:  # a whole walk: after these, every phone has its facts
            self._facts_missing = False
        return self.save_phone_facts([phone for _, phone in rows], region, memo=False)

    def save_phone_facts(self, numbers: Sequence[str], region: str = "US", *, memo: bool = True) -> int:
        """Parse and keep the facts of those `numbers` (contact phones) the cache has none for yet
        (`preview_recipients` remembers what it reads): a cache from before schema 9, or numbers the
        background fill has not reached, learn them at their first bulk preview. Returns how many
        were saved. `memo=False` (the background fill): parse them all and do not keep them in
        `core.phones`' memory."""
        todo = [n for n in dict.fromkeys(numbers) if not (memo and remembered(n, region))]
        rows = [(facts_json(n, region), n) for n in todo]
        if rows:
            with self._write() as conn:
                conn.executemany("UPDATE contact_phones SET facts = ? WHERE phone = ?", rows)
        for facts, n in rows if memo else ():
            remember_facts(n, facts)
        return len(rows)


_PHONES = (
    "SELECT p.contact_id, c.lead_id, p.phone, p.type, p.phone_formatted, coalesce(f.opted_out, 0), "
    "coalesce(f.do_not_text, 0), p.facts FROM contacts c JOIN contact_phones p ON p.contact_id = c.id "
    "LEFT JOIN phone_flags f ON f.phone = p.phone WHERE c.lead_id IN ({marks}) ORDER BY p.position"
)
_CONTACTS = (
    "SELECT id, lead_id, name, first_name, last_name, do_not_text FROM contacts "
    "WHERE lead_id IN ({marks}) ORDER BY lead_id, position, id"
)
# The newest outbound message of each lead (SQLite takes the bare columns from the max row).
_LAST_OUT = (
    "SELECT lead_id, remote_phone, local_phone, max(sort_at) FROM messages WHERE lead_id IN ({marks}) "
    "AND direction = 'outbound' AND local_state <> 'draft' GROUP BY lead_id"
)


def _recipients(conn: sqlite3.Connection, chunk: list[str]) -> list[Recipient]:
    from sms_tui.core.campaign import Recipient

    marks = ",".join("?" * len(chunk))
    names = dict(conn.execute(f"SELECT id, display_name FROM leads WHERE id IN ({marks})", chunk).fetchall())
    phones: dict[str, list[ContactPhone]] = {}
    opted: dict[str, set[str]] = {}
    dnt: dict[str, set[str]] = {}
    for cid, lid, phone, kind, formatted, o, d, facts in conn.execute(_PHONES.format(marks=marks), chunk):
        phones.setdefault(cid, []).append(ContactPhone(phone, kind, formatted))
        remember_facts(phone, facts)  # the preview then judges without parsing the number
        if o:
            opted.setdefault(lid, set()).add(phone)
        if d:
            dnt.setdefault(lid, set()).add(phone)
    contacts: dict[str, list[Contact]] = {}
    for cid, lid, name, first, last_name, do_not_text in conn.execute(_CONTACTS.format(marks=marks), chunk):
        phones_of = tuple(phones.get(cid, ()))
        contact = Contact(cid, lid, name, first, last_name, phones_of, do_not_text=bool(do_not_text))
        contacts.setdefault(lid, []).append(contact)
    last = {lid: (to, frm) for lid, to, frm, _ in conn.execute(_LAST_OUT.format(marks=marks), chunk)}
    keys = [f"route:{lid}" for lid in chunk]
    saved = {
        key[len("route:") :]: _route(value)
        for key, value in conn.execute(f"SELECT key, value FROM kv WHERE key IN ({marks})", keys)
    }
    out: list[Recipient] = []
    for lid in chunk:
        if lid not in names:
            continue
        to, frm = saved.get(lid) or last.get(lid) or (None, None)
        out.append(
            Recipient(
                lead_id=lid,
                lead_name=names[lid],
                contacts=tuple(contacts.get(lid, ())),
                opted_out=frozenset(opted.get(lid, ())),
                do_not_text=frozenset(dnt.get(lid, ())),
                first_message=lid not in last,
                preferred_to=to,
                preferred_from=frm,
            )
        )
    return out


def _route(raw: str | None) -> tuple[str | None, str | None] | None:
    """(to, from) of a route the rep saved (`ui.route.encode_route`'s JSON), None when unreadable."""
    try:
        data = json.loads(raw or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    to, frm = data.get("to"), data.get("from")
    if not (to is None or isinstance(to, str)) or not (frm is None or isinstance(frm, str)):
        return None
    return to, frm
