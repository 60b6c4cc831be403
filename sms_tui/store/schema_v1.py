"""Version 1 of the schema: tables, indexes and the triage triggers (SQL text only).

Kept apart from schema.py so the migration machinery stays short. Never edit a released version's
SQL: change the schema with a new migration in schema.py.

Triage (`lead_state`) is kept by triggers on `messages`, so every write path — the UI, the sync
engine, a second process, a bulk upsert — updates the counters in the same transaction, by deltas and
indexed single-row look-ups, never by re-scanning a lead's messages.
"""

from __future__ import annotations

from sms_tui.store.convert import STATUS_SQL

V1_TABLES = """
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

V1_TRIGGERS = f"""
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
