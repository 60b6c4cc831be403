"""Schema and versioned migrations of the cache.

Each migration is a function run inside one `BEGIN IMMEDIATE` transaction; `PRAGMA user_version` and
the `schema_migrations` table record what ran, so an older cache is upgraded in place on open and two
processes opening the same file at once do not both migrate (the second re-reads the version after
taking the write lock).

Triage (`lead_state`) is kept by triggers on `messages`, so every write path — the UI, the sync
engine, a second process, a bulk upsert — updates the counters in the same transaction, by deltas and
indexed single-row look-ups, never by re-scanning a lead's messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from sms_tui.store.convert import STATUS_SQL
from sms_tui.store.types import StoreError

Migration = Callable[[sqlite3.Connection], None]

_V1_TABLES = """
CREATE TABLE organization (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    organization_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE our_numbers (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT '',
    sms_enabled INTEGER NOT NULL DEFAULT 1,
    label TEXT NOT NULL DEFAULT ''
);
CREATE TABLE leads (
    rid INTEGER PRIMARY KEY,            -- stable integer id (FTS rowid)
    id TEXT NOT NULL UNIQUE,            -- Close lead_...
    display_name TEXT NOT NULL DEFAULT '',
    date_created TEXT,
    date_updated TEXT,
    is_stub INTEGER NOT NULL DEFAULT 0  -- created because a message named it; sync should fetch it
);
CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    do_not_text INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contacts_lead ON contacts(lead_id, position);
CREATE TABLE contact_phones (
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    phone TEXT NOT NULL,                 -- E.164
    type TEXT NOT NULL DEFAULT 'mobile',
    phone_formatted TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contact_id, phone)
);
CREATE INDEX contact_phones_phone ON contact_phones(phone);
-- Opt-out and do-not-text are per phone number: a STOP from +1555... covers every contact with it.
CREATE TABLE phone_flags (
    phone TEXT PRIMARY KEY,              -- E.164
    opted_out INTEGER NOT NULL DEFAULT 0,
    do_not_text INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT
);
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE messages (
    local_id INTEGER PRIMARY KEY,
    remote_id TEXT UNIQUE,               -- Close acti_..., NULL until pushed
    lead_id TEXT REFERENCES leads(id) ON DELETE CASCADE,
    contact_id TEXT,
    organization_id TEXT,
    user_id TEXT,
    created_by TEXT,
    updated_by TEXT,
    user_name TEXT,
    created_by_name TEXT,
    updated_by_name TEXT,
    date_created TEXT,
    date_updated TEXT,
    activity_at TEXT,
    date_scheduled TEXT,
    date_sent TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    status TEXT,                         -- Close status as the provider last reported it
    source TEXT,
    text TEXT NOT NULL DEFAULT '',
    template_id TEXT,
    error_message TEXT,
    cost TEXT,
    local_phone TEXT,
    local_phone_formatted TEXT,
    local_country_iso TEXT,
    remote_phone TEXT,
    remote_phone_formatted TEXT,
    remote_country_iso TEXT,
    users TEXT,                          -- JSON list
    attachments TEXT,                    -- JSON list
    sequence_id TEXT,
    sequence_name TEXT,
    sequence_subscription_id TEXT,
    agent_config_id TEXT,
    agent_action_reason TEXT,
    caller_id_mode TEXT,
    caller_id_reason TEXT,
    extra TEXT,                          -- JSON object: any other key the provider sent
    -- local
    sort_at TEXT NOT NULL,               -- conversation/lead-list time; never changes after insert
    is_read INTEGER NOT NULL DEFAULT 1,
    local_state TEXT NOT NULL CHECK (local_state IN
        ('draft', 'outbox', 'sending', 'scheduled', 'sent', 'error', 'blocked', 'inbox')),
    send_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    block_reason TEXT,
    claimed_by TEXT,
    claimed_at TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_lead_time ON messages(lead_id, sort_at, local_id);
CREATE INDEX messages_state ON messages(local_state, send_at);
CREATE INDEX messages_time ON messages(sort_at);
CREATE INDEX messages_unpushed ON messages(lead_id) WHERE remote_id IS NULL;
CREATE TABLE drafts (
    lead_id TEXT PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    updated_at TEXT
);
CREATE TABLE lead_state (
    lead_id TEXT PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
    display_name TEXT NOT NULL DEFAULT '',
    created_at TEXT,
    last_activity_at TEXT NOT NULL DEFAULT '',   -- latest message time, else lead creation
    latest_local_id INTEGER,
    latest_at TEXT,
    latest_status TEXT,
    latest_direction TEXT,
    preview TEXT NOT NULL DEFAULT '',
    msg_count INTEGER NOT NULL DEFAULT 0,        -- messages other than drafts
    unread INTEGER NOT NULL DEFAULT 0,
    failed_count INTEGER NOT NULL DEFAULT 0,     -- error + blocked
    scheduled_count INTEGER NOT NULL DEFAULT 0,
    pending_count INTEGER NOT NULL DEFAULT 0,    -- outbox + sending
    has_draft INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0,
    snoozed_until TEXT,
    opted_out INTEGER NOT NULL DEFAULT 0,        -- the texting phone is opted out
    contact_id TEXT,                             -- texting contact
    phone TEXT                                   -- texting phone (E.164)
);
CREATE INDEX lead_state_activity ON lead_state(last_activity_at DESC, lead_id DESC);
CREATE INDEX lead_state_open ON lead_state(done, last_activity_at DESC, lead_id DESC);
CREATE INDEX lead_state_phone ON lead_state(phone);
CREATE INDEX lead_state_unread ON lead_state(last_activity_at DESC, lead_id DESC) WHERE unread > 0;
CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT
);
"""

_COUNTER_DELTA = """
    msg_count = msg_count {sign} ({r}.local_state <> 'draft'),
    unread = unread {sign} ({r}.direction = 'inbound' AND {r}.is_read = 0),
    failed_count = failed_count {sign} ({r}.local_state IN ('error', 'blocked')),
    scheduled_count = scheduled_count {sign} ({r}.local_state = 'scheduled'),
    pending_count = pending_count {sign} ({r}.local_state IN ('outbox', 'sending'))
"""

_LATEST = "(SELECT {expr} FROM messages m WHERE m.local_id = lead_state.latest_local_id)"
_REFRESH_LATEST = f"""
    UPDATE lead_state SET latest_local_id = (
        SELECT m.local_id FROM messages m
        WHERE m.lead_id = lead_state.lead_id AND m.local_state <> 'draft'
        ORDER BY m.sort_at DESC, m.local_id DESC LIMIT 1)
    WHERE lead_id IN ({{leads}});
    UPDATE lead_state SET
        latest_at = {_LATEST.format(expr="m.sort_at")},
        latest_status = {_LATEST.format(expr=STATUS_SQL.format(col="m.local_state"))},
        latest_direction = {_LATEST.format(expr="m.direction")},
        preview = coalesce({_LATEST.format(expr="substr(m.text, 1, 200)")}, ''),
        last_activity_at = coalesce({_LATEST.format(expr="m.sort_at")}, created_at, '')
    WHERE lead_id IN ({{leads}});
"""

_REFRESH_AFTER_DELETE = _REFRESH_LATEST.format(leads="old.lead_id")
_REFRESH_AFTER_UPDATE = _REFRESH_LATEST.format(leads="old.lead_id, new.lead_id")
_NEW_STATUS = STATUS_SQL.format(col="new.local_state")

_V1_TRIGGERS = f"""
CREATE TRIGGER leads_ai AFTER INSERT ON leads BEGIN
    INSERT OR IGNORE INTO lead_state (lead_id, display_name, created_at, last_activity_at)
    VALUES (new.id, new.display_name, new.date_created, coalesce(new.date_created, ''));
END;
CREATE TRIGGER leads_au AFTER UPDATE OF display_name, date_created ON leads
WHEN old.display_name IS NOT new.display_name OR old.date_created IS NOT new.date_created BEGIN
    UPDATE lead_state SET display_name = new.display_name, created_at = new.date_created,
        last_activity_at = CASE WHEN latest_local_id IS NULL
            THEN coalesce(new.date_created, '') ELSE last_activity_at END
    WHERE lead_id = new.id;
END;
CREATE TRIGGER messages_ai AFTER INSERT ON messages WHEN new.lead_id IS NOT NULL BEGIN
    UPDATE lead_state SET {_COUNTER_DELTA.format(sign="+", r="new")} WHERE lead_id = new.lead_id;
    UPDATE lead_state SET latest_local_id = new.local_id, latest_at = new.sort_at,
        latest_status = {_NEW_STATUS}, latest_direction = new.direction,
        preview = substr(new.text, 1, 200), last_activity_at = new.sort_at
    WHERE lead_id = new.lead_id AND new.local_state <> 'draft'
        AND (latest_local_id IS NULL OR new.sort_at > latest_at
             OR (new.sort_at = latest_at AND new.local_id > latest_local_id));
    -- a new unread reply brings a done or snoozed lead back to the inbox
    UPDATE lead_state SET done = 0, snoozed_until = NULL
    WHERE lead_id = new.lead_id AND new.direction = 'inbound' AND new.is_read = 0
        AND (done = 1 OR snoozed_until IS NOT NULL);
END;
CREATE TRIGGER messages_ad AFTER DELETE ON messages WHEN old.lead_id IS NOT NULL BEGIN
    UPDATE lead_state SET {_COUNTER_DELTA.format(sign="-", r="old")} WHERE lead_id = old.lead_id;
    {_REFRESH_AFTER_DELETE}
END;
CREATE TRIGGER messages_au AFTER UPDATE OF local_state, is_read, text, direction, lead_id, sort_at
ON messages WHEN old.local_state IS NOT new.local_state OR old.is_read IS NOT new.is_read
    OR old.text IS NOT new.text OR old.direction IS NOT new.direction
    OR old.lead_id IS NOT new.lead_id OR old.sort_at IS NOT new.sort_at BEGIN
    UPDATE lead_state SET {_COUNTER_DELTA.format(sign="-", r="old")} WHERE lead_id = old.lead_id;
    UPDATE lead_state SET {_COUNTER_DELTA.format(sign="+", r="new")} WHERE lead_id = new.lead_id;
    {_REFRESH_AFTER_UPDATE}
END;
CREATE TRIGGER drafts_ai AFTER INSERT ON drafts BEGIN
    UPDATE lead_state SET has_draft = 1 WHERE lead_id = new.lead_id;
END;
CREATE TRIGGER drafts_ad AFTER DELETE ON drafts BEGIN
    UPDATE lead_state SET has_draft = 0 WHERE lead_id = old.lead_id;
END;
"""


def _v1_base(conn: sqlite3.Connection) -> None:
    """Tables, indexes and the triage triggers."""
    _script(conn, _V1_TABLES + _V1_TRIGGERS)


_NAMES_SQL = (
    "SELECT l.rid, l.display_name || ' ' || coalesce("
    "(SELECT group_concat(c.name || ' ' || c.first_name || ' ' || c.last_name, ' ') "
    "FROM contacts c WHERE c.lead_id = l.id), '') FROM leads l"
)

_V2_SEARCH = f"""
CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content='messages', content_rowid='local_id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.local_id, new.text);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.local_id, old.text);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF text ON messages WHEN old.text IS NOT new.text BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.local_id, old.text);
    INSERT INTO messages_fts (rowid, text) VALUES (new.local_id, new.text);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- lead display name + contact names; rowid = leads.rid
CREATE VIRTUAL TABLE leads_fts USING fts5(names, tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER leads_fts_ai AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, names) VALUES (new.rid, new.display_name);
END;
CREATE TRIGGER leads_fts_au AFTER UPDATE OF display_name ON leads
WHEN old.display_name IS NOT new.display_name BEGIN
    DELETE FROM leads_fts WHERE rowid = old.rid;
    INSERT INTO leads_fts (rowid, names) {_NAMES_SQL} WHERE l.rid = new.rid;
END;
CREATE TRIGGER leads_fts_ad AFTER DELETE ON leads BEGIN
    DELETE FROM leads_fts WHERE rowid = old.rid;
END;
CREATE TRIGGER contacts_fts_ai AFTER INSERT ON contacts BEGIN
    DELETE FROM leads_fts WHERE rowid = (SELECT rid FROM leads WHERE id = new.lead_id);
    INSERT INTO leads_fts (rowid, names) {_NAMES_SQL} WHERE l.id = new.lead_id;
END;
CREATE TRIGGER contacts_fts_au AFTER UPDATE OF name, first_name, last_name, lead_id ON contacts
WHEN old.name IS NOT new.name OR old.first_name IS NOT new.first_name
    OR old.last_name IS NOT new.last_name OR old.lead_id IS NOT new.lead_id BEGIN
    DELETE FROM leads_fts WHERE rowid IN (SELECT rid FROM leads WHERE id IN (old.lead_id, new.lead_id));
    INSERT INTO leads_fts (rowid, names) {_NAMES_SQL} WHERE l.id IN (old.lead_id, new.lead_id);
END;
CREATE TRIGGER contacts_fts_ad AFTER DELETE ON contacts BEGIN
    DELETE FROM leads_fts WHERE rowid = (SELECT rid FROM leads WHERE id = old.lead_id);
    INSERT INTO leads_fts (rowid, names) {_NAMES_SQL} WHERE l.id = old.lead_id;
END;
INSERT INTO leads_fts (rowid, names) {_NAMES_SQL};

-- phone: search matches the end of the number (national or E.164 input), so keep the digits reversed:
-- a suffix match becomes an indexed prefix match (GLOB 'reversed*').
ALTER TABLE contact_phones ADD COLUMN rdigits TEXT NOT NULL DEFAULT '';
CREATE INDEX contact_phones_rdigits ON contact_phones(rdigits);
"""


def _v2_search(conn: sqlite3.Connection) -> None:
    """Full-text search over message text and names; reversed phone digits for `phone:`."""
    _script(conn, _V2_SEARCH)
    rows = conn.execute("SELECT rowid, phone FROM contact_phones").fetchall()
    conn.executemany(
        "UPDATE contact_phones SET rdigits = ? WHERE rowid = ?",
        [(reversed_digits(phone), rowid) for rowid, phone in rows],
    )


def reversed_digits(phone: str) -> str:
    return "".join(ch for ch in reversed(phone) if ch.isdigit())


_V3_COVERING = """
DROP INDEX lead_state_open;
CREATE INDEX lead_state_cover ON lead_state(done, last_activity_at DESC, lead_id DESC, snoozed_until,
    unread, failed_count, msg_count, latest_status, opted_out, has_draft, scheduled_count, created_at);
DROP INDEX messages_time;
CREATE INDEX messages_time ON messages(sort_at, local_state, direction, lead_id);
DROP INDEX messages_state;
CREATE INDEX messages_state ON messages(local_state, send_at, sort_at, direction, lead_id);
"""


def _v3_covering(conn: sqlite3.Connection) -> None:
    """Covering indexes: lead-list filters and counts, and sms(...) look-ups, never touch table rows.

    Measured on 100k leads / 1M messages: a filtered count went from ~60-180 ms (a row look-up per
    lead) to ~5-15 ms (index only).
    """
    _script(conn, _V3_COVERING)


def _v4_provider_outbox(conn: sqlite3.Connection) -> None:
    """A small partial index: messages the provider still holds in its outbox (poll while any)."""
    conn.execute("CREATE INDEX messages_provider_outbox ON messages(local_id) WHERE status = 'outbox'")


def _v5_lead_of_message(conn: sqlite3.Connection) -> None:
    """A narrow (local_id, lead_id, local_state) index: free text maps FTS hits to leads through it
    instead of fetching each wide message row — about 3x faster for a common word."""
    conn.execute("CREATE INDEX messages_lead_of ON messages(local_id, lead_id, local_state)")


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "base tables and triage triggers", _v1_base),
    (2, "full-text search and phone digits", _v2_search),
    (3, "covering indexes for the lead list and sms(...) search", _v3_covering),
    (4, "index of messages in the provider's outbox", _v4_provider_outbox),
    (5, "narrow message-to-lead index for free-text search", _v5_lead_of_message),
]
CURRENT_VERSION = MIGRATIONS[-1][0]


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run a multi-statement script inside the caller's transaction (executescript would commit)."""
    for statement in _split(sql):
        conn.execute(statement)


def _split(sql: str) -> list[str]:
    statements: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = CURRENT_VERSION) -> int:
    """Bring the cache up to `target`, one migration per transaction. Returns the new version.

    `conn` must be in driver autocommit mode (isolation_level=None).
    """
    version = schema_version(conn)
    if version > CURRENT_VERSION:
        raise StoreError(
            f"this cache was written by a newer sms-tui (schema {version}, we know {CURRENT_VERSION})"
        )
    for number, name, step in MIGRATIONS:
        if number > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= number:  # another process got there first
                conn.execute("COMMIT")
                continue
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            step(conn)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (number, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return schema_version(conn)
