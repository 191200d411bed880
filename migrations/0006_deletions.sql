-- Tombstones of deleted objects, so a sync client learns what went away
-- (GET /deletions?since=). Kept 90 days; each delete prunes its account's older ones.
CREATE TABLE deletions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    object_id INTEGER NOT NULL,
    deleted_at TEXT NOT NULL
);
CREATE INDEX deletions_by_user_time ON deletions(user_id, deleted_at, id);
