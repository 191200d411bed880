-- Webhooks (issue 29): HTTPS POSTs, signed, retried, each with a delivery id.

-- The secret signs every delivery (HMAC-SHA256); it is shown once, when the hook is made, and
-- never answered again.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX webhooks_user ON webhooks(user_id, id);

-- One row per event and hook, written in the transaction that made the event; sent until the
-- receiver answers 2xx (at least once: a crash after the POST sends it again, with the same
-- delivery_id, which the receiver drops repeats by).
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    delivery_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status = 'queued' OR status = 'delivered' OR status = 'failed'),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
-- Deleting an account deletes its deliveries through this.
CREATE INDEX webhook_deliveries_user ON webhook_deliveries(user_id);
CREATE INDEX webhook_deliveries_queued ON webhook_deliveries(next_attempt_at, id) WHERE status = 'queued';

-- agenda.due fires once per item as it falls due: what fired is kept here.
CREATE TABLE agenda_fired (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ref_id INTEGER NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, ref_id, due)
) WITHOUT ROWID;
