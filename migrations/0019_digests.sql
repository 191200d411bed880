-- A morning digest by email (issue 29).

-- The digest's settings live with the account (`PATCH /me {"digest": …}`). The code that
-- confirms the address is kept hashed; digest_next_at is when the next digest is queued,
-- set only once the address is confirmed, so the scheduler reads the due accounts through
-- an index and never every account.
ALTER TABLE users ADD COLUMN digest_email TEXT;
ALTER TABLE users ADD COLUMN digest_at TEXT;
ALTER TABLE users ADD COLUMN digest_days TEXT;
ALTER TABLE users ADD COLUMN digest_when_empty INTEGER NOT NULL DEFAULT 0 CHECK (digest_when_empty IN (0, 1));
ALTER TABLE users ADD COLUMN digest_confirmed_at TEXT;
ALTER TABLE users ADD COLUMN digest_code_hash BLOB;
ALTER TABLE users ADD COLUMN digest_next_at TEXT;
CREATE INDEX users_digest_next ON users(digest_next_at) WHERE digest_next_at IS NOT NULL;

-- What was sent, or is to be: a queue. A scheduled digest is one row per account and local
-- day (the unique index), marked `sending` before it is handed to the relay and `sent` after,
-- so a crash between the two leaves `sending`, which is never sent again (`unknown`).
-- A confirmation carries its one-time code in `payload` until it is sent, then not.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind = 'digest' OR kind = 'manual' OR kind = 'confirmation'),
    day TEXT NOT NULL,
    address TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status = 'queued' OR status = 'sending' OR status = 'sent' OR status = 'skipped' OR status = 'failed' OR status = 'unknown'),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    payload TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE UNIQUE INDEX deliveries_once ON deliveries(user_id, day) WHERE kind = 'digest';
CREATE INDEX deliveries_user ON deliveries(user_id, id);
CREATE INDEX deliveries_queued ON deliveries(next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX deliveries_sending ON deliveries(id) WHERE status = 'sending';
