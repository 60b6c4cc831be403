"""Writes the sync engine makes: reference data, leads/contacts, remote messages, opt-outs.

Bulk and fast: validation first (a malformed provider answer raises StoreError before anything is
written), then one transaction with executemany. Remote messages are upserted by `remote_id`; rows
that did not change are skipped, so the poll's re-scan of the last minutes costs little and the
returned set names only leads whose list row or conversation really changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sms_tui.core import phones
from sms_tui.core.models import Lead, Message, Organization, OurNumber, Template, User
from sms_tui.store.convert import (
    attachment_to_close,
    attachments_json,
    emails_json,
    json_text,
    local_state_for,
    parse_ts,
    profile_json,
    ts,
)
from sms_tui.store.reads import texting_phone_of
from sms_tui.store.schema import reversed_digits
from sms_tui.store.sync_state import SyncStateMixin
from sms_tui.store.types import StoreError

#: Close SMS fields stored in their own column (text values), in table order.
TEXT_FIELDS = (
    "remote_id",
    "lead_id",
    "contact_id",
    "organization_id",
    "user_id",
    "created_by",
    "updated_by",
    "user_name",
    "created_by_name",
    "updated_by_name",
    "date_created",
    "date_updated",
    "activity_at",
    "date_scheduled",
    "date_sent",
    "direction",
    "status",
    "source",
    "text",
    "template_id",
    "error_message",
    "cost",
    "local_phone",
    "local_phone_formatted",
    "local_country_iso",
    "remote_phone",
    "remote_phone_formatted",
    "remote_country_iso",
    "users",
    "attachments",
    "sequence_id",
    "sequence_name",
    "sequence_subscription_id",
    "agent_config_id",
    "agent_action_reason",
    "caller_id_mode",
    "caller_id_reason",
    "extra",
)
_DATE_FIELDS = {"date_created", "date_updated", "activity_at", "date_scheduled", "date_sent"}
_JSON_FIELDS = {"users", "attachments"}
_KNOWN = set(TEXT_FIELDS) | {"id", "_type"}
_UPDATE_SET = ", ".join(f"{c} = excluded.{c}" for c in TEXT_FIELDS if c != "remote_id")

_INSERT_SQL = (
    f"INSERT INTO messages ({', '.join(TEXT_FIELDS)}, sort_at, is_read, local_state) "
    f"VALUES ({', '.join('?' * (len(TEXT_FIELDS) + 3))}) "
    f"ON CONFLICT(remote_id) DO UPDATE SET {_UPDATE_SET}, local_state = excluded.local_state"
)


class SyncWritesMixin(SyncStateMixin):
    # -- reference data ----------------------------------------------------------------------------

    def upsert_organization(self, org: Organization) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO organization (id, name) VALUES (?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name",
                (org.id, org.name),
            )

    def upsert_users(self, users: Iterable[User], *, me_id: str | None = None) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO users (id, first_name, last_name, email, organization_id) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name, last_name = "
                "excluded.last_name, email = excluded.email, organization_id = excluded.organization_id",
                [(u.id, u.first_name, u.last_name, u.email, u.organization_id) for u in users],
            )
            if me_id is not None:
                conn.execute(
                    "INSERT INTO kv (key, value) VALUES ('me_id', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (me_id,),
                )

    def upsert_our_numbers(self, numbers: Iterable[OurNumber], *, replace: bool = True) -> None:
        """Store our sending numbers; with replace, numbers not listed are removed."""
        rows = [(n.id, n.number, n.country, int(n.sms_enabled), n.label) for n in numbers]
        self._upsert_by_id("our_numbers", ("number", "country", "sms_enabled", "label"), rows, replace)

    def upsert_templates(self, templates: Iterable[Template], *, replace: bool = True) -> None:
        """Store SMS templates; with replace, templates not listed are removed."""
        rows = [(t.id, t.name, t.text, int(t.is_active), attachments_json(t.attachments)) for t in templates]
        self._upsert_by_id("templates", ("name", "text", "is_active", "attachments"), rows, replace)

    def _upsert_by_id(
        self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]], replace: bool
    ) -> None:
        """Upsert rows (id first, then `columns`) into a reference table, in one transaction; with
        `replace`, rows not listed are removed (the provider's list is the whole truth)."""
        names = ("id", *columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
        with self._write() as conn:
            if replace:
                conn.execute(f"DELETE FROM {table}")
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
                f"ON CONFLICT(id) DO UPDATE SET {updates}",
                rows,
            )

    # -- leads and contacts ------------------------------------------------------------------------

    def upsert_leads(self, leads: Iterable[Lead]) -> set[str]:
        """Store leads with their contacts and phones (a lead's contact list is replaced).

        Returns the ids of the leads written. Opt-outs are per phone (phone_flags) and survive this.
        """
        leads = list(leads)
        numbers = {n.phone for lead in leads for c in lead.contacts for n in c.phones}
        facts = self._phone_facts(numbers)
        if len(facts) < len(numbers):
            self._facts_missing = True  # the background fill has new numbers to parse
        written: set[str] = set()
        with self._write() as conn:
            for lead in leads:
                _upsert_lead(conn, lead, facts)
                written.add(lead.id)
        return written

    def _phone_facts(self, numbers: set[str]) -> dict[str, str]:
        """The parsed facts (schema 9) the cache already holds for these numbers, so rewriting a
        contact keeps them. New numbers are not parsed here (a first sync of 100k leads would spend
        half a minute on it): `fill_phone_facts` learns them in the background, a bulk preview
        learns those it reads."""
        ordered = sorted(numbers)
        known: dict[str, str] = {}
        with self._read() as conn:
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT phone, facts FROM contact_phones WHERE phone IN ({marks})"
                for phone, facts in conn.execute(sql, chunk):
                    if facts is not None and phones.facts_fresh(facts):
                        known[phone] = facts
        return known

    def set_phone_opt_out(self, phone: str, opted_out: bool, *, now: datetime | None = None) -> set[str]:
        """Record a STOP (True) or START (False) from this E.164 number. Returns affected lead ids."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO phone_flags (phone, opted_out, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(phone) DO UPDATE SET opted_out = excluded.opted_out, "
                "updated_at = excluded.updated_at",
                (phone, int(opted_out), ts(now or datetime.now(UTC))),
            )
            rows = conn.execute(
                "UPDATE lead_state SET opted_out = ? WHERE phone = ? RETURNING lead_id",
                (int(opted_out), phone),
            ).fetchall()
            touched = {r[0] for r in rows}
            touched |= {
                r[0]
                for r in conn.execute(
                    "SELECT c.lead_id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id "
                    "WHERE p.phone = ?",
                    (phone,),
                )
            }
        return touched

    def mark_awaiting_reply_unread(self, since: datetime) -> set[str]:
        """After a first sync: a conversation whose latest message is a reply newer than `since`
        is waiting for the rep, so that reply counts as unread (Close keeps no read flag for SMS;
        history is otherwise imported as read). Returns the leads whose unread count changed."""
        with self._write() as conn:
            rows = conn.execute(
                "UPDATE messages SET is_read = 0 WHERE local_id IN "
                "(SELECT latest_local_id FROM lead_state WHERE latest_at >= ?) "
                "AND direction = 'inbound' AND is_read = 1 RETURNING lead_id",
                (ts(since),),
            ).fetchall()
        return {r[0] for r in rows}

    def set_phone_do_not_text(self, phone: str, do_not_text: bool) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO phone_flags (phone, do_not_text, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(phone) DO UPDATE SET do_not_text = excluded.do_not_text, "
                "updated_at = excluded.updated_at",
                (phone, int(do_not_text), ts(datetime.now(UTC))),
            )

    # -- messages ----------------------------------------------------------------------------------

    def apply_remote_messages(
        self,
        msgs: Iterable[Mapping[str, Any] | Message],
        *,
        unread_inbound: bool = True,
        now: datetime | None = None,
    ) -> set[str]:
        """Upsert provider SMS (Close JSON objects or Message) by remote id. Returns changed lead ids.

        New inbound messages are unread when `unread_inbound` (pass False for history in a first
        sync). An outbound message we do not know yet that matches one of ours being sent (same lead,
        phone and text, no remote id yet) is adopted by it instead of being stored twice. Leads the
        cache does not have yet are created as stubs (see stub_lead_ids).
        Raises StoreError, writing nothing, if any message is malformed.
        """
        rows = [_normalise(m) for m in msgs]
        fallback = ts(now or datetime.now(UTC))
        changed: set[str] = set()
        if not rows:
            return changed
        with self._write() as conn:
            existing = _existing(conn, [r["remote_id"] for r in rows])
            _attach_orphans(conn, rows)
            _ensure_leads(conn, [r for r in rows if r["lead_id"] is not None])
            in_flight = _in_flight(conn)
            inserts: list[tuple[Any, ...]] = []
            for r in rows:
                values = tuple(r[c] for c in TEXT_FIELDS)
                old = existing.get(r["remote_id"])
                if old is not None and (old[0] == values or _older(r["date_updated"], old[0][_UPDATED])):
                    continue  # unchanged, or a stale copy (an old event replayed after a newer one)
                lead_id = r["lead_id"]
                if old is None and r["direction"] == "outbound" and in_flight:
                    local_id = in_flight.pop((lead_id, r["text"], r["remote_phone"] or ""), None)
                    if local_id is not None:
                        _adopt(conn, local_id, r)
                        changed.add(lead_id)
                        existing[r["remote_id"]] = (values, lead_id)
                        continue
                if old is not None and old[1] is not None:
                    changed.add(old[1])
                if lead_id is not None:
                    changed.add(lead_id)
                sort_at = r["date_created"] or r["activity_at"] or fallback
                unread = r["direction"] == "inbound" and unread_inbound
                state = local_state_for(r["status"], r["direction"])
                inserts.append((*values, sort_at, 0 if unread else 1, state))
                existing[r["remote_id"]] = (values, lead_id)
            conn.executemany(_INSERT_SQL, inserts)
        return changed


_UPDATED = TEXT_FIELDS.index("date_updated")


def _older(incoming: str | None, stored: str | None) -> bool:
    """True when the incoming copy of an SMS is older than the one in the cache (both normalised
    by `ts`, so they compare as text). Without a date either way, the incoming copy wins."""
    return incoming is not None and stored is not None and incoming < stored


def _normalise(msg: Mapping[str, Any] | Message) -> dict[str, Any]:
    """Validate one provider SMS and turn it into column values; StoreError says what is wrong."""
    data: Mapping[str, Any]
    if isinstance(msg, Message):
        data = {
            k: v
            for k, v in asdict(msg).items()
            if k not in ("local_id", "local_state", "send_at", "attachments")
        }
        data["id"] = msg.remote_id
        if msg.attachments:
            data["attachments"] = [attachment_to_close(a) for a in msg.attachments]
    elif isinstance(msg, Mapping):
        data = msg
    else:
        raise StoreError(f"an SMS must be an object, got {type(msg).__name__}")
    remote_id = data.get("id", data.get("remote_id"))
    if not isinstance(remote_id, str) or not remote_id:
        raise StoreError("an SMS from the provider has no id")
    status = data.get("status")
    if not isinstance(status, str) or not status:
        raise StoreError(f"SMS {remote_id}: no status")
    # A direction Close may add later is kept in `extra`; the row needs one of the two we know.
    raw_direction = data.get("direction")
    direction = raw_direction if raw_direction in ("inbound", "outbound") else None
    direction = direction or ("inbound" if status == "inbox" else "outbound")
    out: dict[str, Any] = {"remote_id": remote_id, "direction": direction, "status": status}
    for col in TEXT_FIELDS:
        if col in out or col == "extra":
            continue
        value = data.get(col)
        try:
            if col in _DATE_FIELDS:
                value = parse_ts(value)
            elif col in _JSON_FIELDS:
                value = json_text(value)
            elif value is not None and not isinstance(value, str):
                if col == "cost" and isinstance(value, int | float):
                    value = str(value)
                else:
                    raise StoreError(f"SMS {remote_id}: {col} should be text, got {type(value).__name__}")
        except ValueError as exc:
            raise StoreError(f"SMS {remote_id}: bad {col}: {exc}") from None
        out[col] = value
    if out["text"] is None:
        out["text"] = ""
    extra = {k: v for k, v in data.items() if k not in _KNOWN and isinstance(msg, Mapping)}
    if raw_direction is not None and raw_direction != direction:
        extra["direction"] = raw_direction
    out["extra"] = json_text(extra) if extra else None
    return out


def _existing(
    conn: sqlite3.Connection, remote_ids: list[str]
) -> dict[str, tuple[tuple[Any, ...], str | None]]:
    found: dict[str, tuple[tuple[Any, ...], str | None]] = {}
    cols = ", ".join(TEXT_FIELDS)
    for i in range(0, len(remote_ids), 500):
        chunk = remote_ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {cols} FROM messages WHERE remote_id IN ({marks})", chunk):
            found[row[0]] = (tuple(row), row[1])
    return found


def _attach_orphans(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """An SMS that arrives without a lead id belongs to the lead that owns its remote phone (the
    most recently active one when several do), not to a phantom lead named after the number."""
    for r in rows:
        if r["lead_id"] or not r.get("remote_phone"):
            continue
        owner = conn.execute(
            "SELECT c.lead_id, c.id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id "
            "LEFT JOIN lead_state s ON s.lead_id = c.lead_id WHERE p.phone = ? "
            "ORDER BY s.last_activity_at DESC, c.lead_id LIMIT 1",
            (r["remote_phone"],),
        ).fetchone()
        if owner is not None:
            r["lead_id"] = owner[0]
            r["contact_id"] = r.get("contact_id") or owner[1]


def _ensure_leads(conn: sqlite3.Connection, rows: list[dict[str, Any]]) -> None:
    """Create stub leads for lead ids the cache does not know (sync fetches them later)."""
    wanted = {r["lead_id"]: r for r in rows}
    ids = list(wanted)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for (known,) in conn.execute(f"SELECT id FROM leads WHERE id IN ({marks})", chunk):
            wanted.pop(known, None)
    conn.executemany(
        "INSERT INTO leads (id, display_name, is_stub) VALUES (?, ?, 1) ON CONFLICT(id) DO NOTHING",
        [(lid, r.get("remote_phone_formatted") or r.get("remote_phone") or "") for lid, r in wanted.items()],
    )


def _in_flight(conn: sqlite3.Connection) -> dict[tuple[str, str, str], int]:
    """Our messages being pushed right now (claimed, no remote id): candidates for adoption."""
    return {
        (lead_id, text, phone): local_id
        for local_id, lead_id, text, phone in conn.execute(
            "SELECT local_id, lead_id, text, coalesce(remote_phone, '') FROM messages "
            "WHERE remote_id IS NULL AND claimed_by IS NOT NULL AND local_state IN ('sending', 'scheduled') "
            "ORDER BY local_id DESC"
        )
    }


def _adopt(conn: sqlite3.Connection, local_id: int, r: Mapping[str, Any]) -> None:
    """Give the remote id (and the provider's fields) to our own message that is being sent."""
    sets = ", ".join(f"{c} = ?" for c in TEXT_FIELDS)
    conn.execute(
        f"UPDATE messages SET {sets}, local_state = ?, claimed_by = NULL, claimed_at = NULL "
        "WHERE local_id = ?",
        (*(r[c] for c in TEXT_FIELDS), local_state_for(r["status"], r["direction"]), local_id),
    )


def _upsert_lead(conn: sqlite3.Connection, lead: Lead, facts: Mapping[str, str]) -> None:
    conn.execute(
        "INSERT INTO leads (id, display_name, date_created, is_stub, profile) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT(id) DO UPDATE SET display_name = excluded.display_name, "
        "date_created = coalesce(excluded.date_created, leads.date_created), is_stub = 0, "
        "profile = excluded.profile",
        (lead.id, lead.display_name, ts(lead.date_created), profile_json(lead.profile)),
    )
    keep = [c.id for c in lead.contacts]
    marks = ",".join("?" * len(keep))
    conn.execute(
        f"DELETE FROM contacts WHERE lead_id = ? AND id NOT IN ({marks})"
        if keep
        else "DELETE FROM contacts WHERE lead_id = ?",
        (lead.id, *keep),
    )
    texting: tuple[str | None, str | None] = (None, None)
    for pos, c in enumerate(lead.contacts):
        conn.execute(
            "INSERT INTO contacts (id, lead_id, name, first_name, last_name, do_not_text, position, emails) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET lead_id = excluded.lead_id, "
            "name = excluded.name, first_name = excluded.first_name, last_name = excluded.last_name, "
            "do_not_text = excluded.do_not_text, position = excluded.position, emails = excluded.emails",
            (
                c.id,
                lead.id,
                c.name,
                c.first_name,
                c.last_name,
                int(c.do_not_text),
                pos,
                emails_json(c.emails),
            ),
        )
        conn.execute("DELETE FROM contact_phones WHERE contact_id = ?", (c.id,))
        conn.executemany(
            "INSERT OR IGNORE INTO contact_phones "
            "(contact_id, phone, type, phone_formatted, position, rdigits, facts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (c.id, n.phone, n.type, n.phone_formatted, i, reversed_digits(n.phone), facts.get(n.phone))
                for i, n in enumerate(c.phones)
            ],
        )
        phone = texting_phone_of(c.phones)
        if phone is not None and texting[1] is None:
            texting = (c.id, phone)
        if c.opted_out and phone is not None:
            conn.execute(
                "INSERT INTO phone_flags (phone, opted_out) VALUES (?, 1) "
                "ON CONFLICT(phone) DO UPDATE SET opted_out = 1",
                (phone,),
            )
    contact_id, phone = texting
    if contact_id is None and lead.contacts:
        contact_id = lead.contacts[0].id
    conn.execute(
        "UPDATE lead_state SET contact_id = ?, phone = ?, opted_out = coalesce("
        "(SELECT opted_out FROM phone_flags WHERE phone = ?), 0) WHERE lead_id = ?",
        (contact_id, phone, phone, lead.id),
    )
