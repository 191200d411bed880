-- Sign-in and accounts for a centre (issue 23): passwords, roles, sessions, invitations,
-- shares with a coach, and the notes a coach leaves.

-- role: owner (the first account), admin, member. password_hash is an argon2id PHC string
-- ($argon2id$v=19$m=…,t=…,p=…$salt$hash); NULL means the account signs in with tokens only.
-- It is never exported, logged or answered (README "Running it for a centre").
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role = 'owner' OR role = 'admin' OR role = 'member');
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled = 0 OR disabled = 1);
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
UPDATE users SET role = 'owner' WHERE id = (SELECT min(id) FROM users);
-- The last-owner rule counts owners; /users lists by name.
CREATE INDEX users_role ON users(role, disabled);
CREATE INDEX users_created ON users(created_at, id);

-- A session is a token of kind 'session': it ends at expires_at (absolute) or after the idle
-- period since last_used_at (the server's --session-idle-days), whichever comes first.
ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api' CHECK (kind = 'api' OR kind = 'session');
ALTER TABLE tokens ADD COLUMN expires_at TEXT;

-- One-time invitation codes, stored as tokens are (a lookup prefix, the SHA-256 of the whole).
CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    role TEXT NOT NULL CHECK (role = 'owner' OR role = 'admin' OR role = 'member'),
    lookup TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX invites_lookup ON invites(lookup);
CREATE INDEX invites_creator ON invites(created_by) WHERE created_by IS NOT NULL;
CREATE INDEX invites_acceptor ON invites(accepted_by) WHERE accepted_by IS NOT NULL;

-- A member lets another account read their search (scope 'read'), or read and leave notes
-- (scope 'coach'). One share per pair.
CREATE TABLE shares (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    grantee_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope TEXT NOT NULL CHECK (scope = 'read' OR scope = 'coach'),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (user_id != grantee_id)
);
CREATE UNIQUE INDEX shares_pair ON shares(user_id, grantee_id);
CREATE INDEX shares_grantee ON shares(grantee_id, user_id);

-- Who read what through a share: one row per share, UTC day, method and route template.
CREATE TABLE share_reads (
    id INTEGER PRIMARY KEY,
    share_id INTEGER NOT NULL REFERENCES shares(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    method TEXT NOT NULL,
    route TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL
);
CREATE UNIQUE INDEX share_reads_key ON share_reads(share_id, day, method, route);

-- A coach's note to the member (user_id) whose search they coach; shown on the agenda
-- (kind coach_note) until dismissed there.
CREATE TABLE coach_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    text TEXT NOT NULL,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    pitch_id INTEGER REFERENCES pitches(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX coach_notes_user ON coach_notes(user_id, created_at, id);
CREATE INDEX coach_notes_author ON coach_notes(author_id) WHERE author_id IS NOT NULL;
CREATE INDEX coach_notes_contact ON coach_notes(contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX coach_notes_meeting ON coach_notes(meeting_id) WHERE meeting_id IS NOT NULL;
CREATE INDEX coach_notes_pitch ON coach_notes(pitch_id) WHERE pitch_id IS NOT NULL;
