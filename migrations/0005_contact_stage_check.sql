-- foothold: foreign_keys off
-- `stage IN (six values)` made SQLite build a temporary b-tree to look the value up in, on
-- every insert and update of a contact: it codes an IN list of more than two constants as a
-- lookup table. That was a sixth of the instructions of creating a contact. The same rule as
-- comparisons costs a few. SQLite cannot change a CHECK in place, so the table is rebuilt as
-- https://sqlite.org/lang_altertable.html#otheralter describes, with foreign keys off (the
-- migrator's first-line directive) so that dropping the old table cascades to nothing.
CREATE TABLE contacts_rebuilt (
    id INTEGER PRIMARY KEY,
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

-- The indexes contacts had (0002 to 0004), recreated on the new table.
CREATE INDEX contacts_name_order ON contacts(user_id, name COLLATE NOCASE, id);
CREATE INDEX contacts_updated ON contacts(user_id, updated_at, id);
CREATE INDEX contacts_organization ON contacts(organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX contacts_email ON contacts(user_id, email COLLATE NOCASE) WHERE email IS NOT NULL;
CREATE INDEX contacts_linkedin ON contacts(user_id, linkedin_key) WHERE linkedin_key IS NOT NULL;
CREATE INDEX contacts_stage ON contacts(user_id, stage, id);
CREATE INDEX contacts_user ON contacts(user_id);
