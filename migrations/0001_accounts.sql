-- Accounts: every row of every other table belongs to one user.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Bearer tokens. The secret is never stored: `lookup` (its first characters) finds the row,
-- and `secret_hash` (SHA-256 of the whole secret) is compared in constant time.
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    lookup TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    last_used_at TEXT
);
CREATE INDEX tokens_lookup ON tokens(lookup);
CREATE INDEX tokens_user ON tokens(user_id, created_at, id);
