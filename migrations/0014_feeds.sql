-- Calendar feed tokens (issue 17): read-only, one per calendar app that subscribes. Stored as
-- tokens are: a short lookup prefix in clear, the SHA-256 of the whole.
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    lookup TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX feeds_lookup ON feeds(lookup);
CREATE INDEX feeds_user ON feeds(user_id, created_at, id);
