-- The knowledge base (issue 18): what meetings teach about each field (insights), the user's
-- own skills, and per interest area a target number of meetings and a priority.
ALTER TABLE interests ADD COLUMN target_meetings INTEGER CHECK (target_meetings IS NULL OR target_meetings BETWEEN 1 AND 10000);
ALTER TABLE interests ADD COLUMN priority INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5);

-- A skill, competency, path, piece of advice, trend or resource someone named. Skills and
-- competencies carry a name; name_key (NameKey: case, spaces, compatibility forms folded) is
-- what counts two namings as one. A meeting's insight also names the meeting's contact.
CREATE TABLE insights (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
    interest_id INTEGER REFERENCES interests(id) ON DELETE SET NULL,
    kind TEXT NOT NULL
        CHECK (kind = 'skill' OR kind = 'competency' OR kind = 'path' OR kind = 'advice' OR kind = 'trend' OR kind = 'resource'),
    name TEXT,
    name_key TEXT,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX insights_updated ON insights(user_id, updated_at, id);
CREATE INDEX insights_interest ON insights(interest_id, kind, name_key) WHERE interest_id IS NOT NULL;
CREATE INDEX insights_meeting ON insights(meeting_id) WHERE meeting_id IS NOT NULL;
CREATE INDEX insights_contact ON insights(contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX insights_name ON insights(user_id, name_key) WHERE name_key IS NOT NULL;

-- The user's own skills, one per name.
CREATE TABLE skills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    level INTEGER NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 5),
    evidence TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX skills_name ON skills(user_id, name_key);
CREATE INDEX skills_updated ON skills(user_id, updated_at, id);
CREATE INDEX skills_name_order ON skills(user_id, name COLLATE NOCASE, id);

-- Search covers insights (type 7; see 0013).
INSERT INTO search_state (type, indexed_through) VALUES (7, 0);
CREATE TRIGGER insights_search_update AFTER UPDATE OF kind, name, text ON insights
WHEN old.kind IS NOT new.kind OR old.name IS NOT new.name OR old.text IS NOT new.text BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (7, new.id, new.user_id);
END;
CREATE TRIGGER insights_search_delete AFTER DELETE ON insights BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (7, old.id, old.user_id);
END;
