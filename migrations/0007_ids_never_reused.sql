-- foothold: foreign_keys off
-- Ids are never reused. Without AUTOINCREMENT SQLite gives a new row the largest id plus one,
-- so deleting the newest contact and creating another handed out the deleted one's id again:
-- a sync client holding a tombstone for it (GET /deletions) could not tell the two apart,
-- since timestamps reach it to the second. AUTOINCREMENT keeps the high-water mark in
-- sqlite_sequence (https://sqlite.org/autoinc.html). SQLite cannot add it in place, so the
-- three tables that sync clients see are rebuilt as 0005 did, with their rows, ids and indexes.

CREATE TABLE interests_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    goal TEXT,
    target_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO interests_rebuilt (id, user_id, name, goal, target_date, created_at, updated_at, version)
SELECT id, user_id, name, goal, target_date, created_at, updated_at, version FROM interests;
DROP TABLE interests;
ALTER TABLE interests_rebuilt RENAME TO interests;
CREATE UNIQUE INDEX interests_name ON interests(user_id, name COLLATE NOCASE);
CREATE INDEX interests_name_order ON interests(user_id, name COLLATE NOCASE, id);
CREATE INDEX interests_updated ON interests(user_id, updated_at, id);
CREATE INDEX interests_user ON interests(user_id);

CREATE TABLE organizations_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    industry TEXT,
    website TEXT,
    location TEXT,
    notes TEXT,
    advocacy INTEGER NOT NULL DEFAULT 0 CHECK (advocacy IN (0, 1)),
    motivation INTEGER NOT NULL DEFAULT 0 CHECK (motivation BETWEEN 0 AND 3),
    posting INTEGER NOT NULL DEFAULT 1 CHECK (posting BETWEEN 1 AND 3),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO organizations_rebuilt (id, user_id, name, industry, website, location, notes, advocacy, motivation, posting,
    created_at, updated_at, version)
SELECT id, user_id, name, industry, website, location, notes, advocacy, motivation, posting, created_at, updated_at, version
FROM organizations;
DROP TABLE organizations;
ALTER TABLE organizations_rebuilt RENAME TO organizations;
CREATE UNIQUE INDEX organizations_name ON organizations(user_id, name COLLATE NOCASE);
CREATE INDEX organizations_name_order ON organizations(user_id, name COLLATE NOCASE, id);
CREATE INDEX organizations_lamp ON organizations(user_id, motivation, posting, advocacy, id);
CREATE INDEX organizations_updated ON organizations(user_id, updated_at, id);
CREATE INDEX organizations_user ON organizations(user_id);

CREATE TABLE contacts_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT,
    organization_id INTEGER REFERENCES organizations(id) ON DELETE RESTRICT,
    email TEXT,
    phone TEXT,
    linkedin_url TEXT,
    -- linkedin_url normalized (scheme, host, case, trailing slash, query dropped) for duplicates.
    linkedin_key TEXT,
    location TEXT,
    source TEXT,
    hook TEXT,
    stage TEXT NOT NULL DEFAULT 'identified'
        CHECK (stage = 'identified' OR stage = 'contacted' OR stage = 'scheduled' OR stage = 'met'
            OR stage = 'dormant' OR stage = 'do_not_contact'),
    keep_in_touch_days INTEGER CHECK (keep_in_touch_days IS NULL OR keep_in_touch_days BETWEEN 1 AND 3650),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO contacts_rebuilt (id, user_id, name, title, organization_id, email, phone, linkedin_url, linkedin_key, location,
    source, hook, stage, keep_in_touch_days, notes, created_at, updated_at, version)
SELECT id, user_id, name, title, organization_id, email, phone, linkedin_url, linkedin_key, location,
    source, hook, stage, keep_in_touch_days, notes, created_at, updated_at, version
FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_name_order ON contacts(user_id, name COLLATE NOCASE, id);
CREATE INDEX contacts_updated ON contacts(user_id, updated_at, id);
CREATE INDEX contacts_organization ON contacts(organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX contacts_email ON contacts(user_id, email COLLATE NOCASE) WHERE email IS NOT NULL;
CREATE INDEX contacts_linkedin ON contacts(user_id, linkedin_key) WHERE linkedin_key IS NOT NULL;
CREATE INDEX contacts_stage ON contacts(user_id, stage, id);
CREATE INDEX contacts_user ON contacts(user_id);
