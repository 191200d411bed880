-- Interest areas: what the search is about, each with a goal.
CREATE TABLE interests (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    goal TEXT,
    target_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX interests_name ON interests(user_id, name COLLATE NOCASE);
CREATE INDEX interests_name_order ON interests(user_id, name COLLATE NOCASE, id);
CREATE INDEX interests_updated ON interests(user_id, updated_at, id);
CREATE INDEX interests_created ON interests(user_id, created_at, id);

-- Organizations, ranked the LAMP way: Advocacy, Motivation (0 = unknown), Posting.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
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
CREATE UNIQUE INDEX organizations_name ON organizations(user_id, name COLLATE NOCASE);
CREATE INDEX organizations_name_order ON organizations(user_id, name COLLATE NOCASE, id);
CREATE INDEX organizations_lamp ON organizations(user_id, motivation, posting, advocacy, id);
CREATE INDEX organizations_updated ON organizations(user_id, updated_at, id);
CREATE INDEX organizations_created ON organizations(user_id, created_at, id);

CREATE TABLE organization_interests (
    organization_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    interest_id INTEGER NOT NULL REFERENCES interests(id) ON DELETE CASCADE,
    PRIMARY KEY (organization_id, interest_id)
) WITHOUT ROWID;
CREATE INDEX organization_interests_interest ON organization_interests(interest_id, organization_id);

-- People. organization_id is RESTRICT: an organization with contacts cannot be deleted.
CREATE TABLE contacts (
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
        CHECK (stage IN ('identified', 'contacted', 'scheduled', 'met', 'dormant', 'do_not_contact')),
    keep_in_touch_days INTEGER CHECK (keep_in_touch_days IS NULL OR keep_in_touch_days BETWEEN 1 AND 3650),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_name_order ON contacts(user_id, name COLLATE NOCASE, id);
CREATE INDEX contacts_updated ON contacts(user_id, updated_at, id);
CREATE INDEX contacts_created ON contacts(user_id, created_at, id);
CREATE INDEX contacts_organization ON contacts(organization_id);
CREATE INDEX contacts_email ON contacts(user_id, email COLLATE NOCASE);
CREATE INDEX contacts_linkedin ON contacts(user_id, linkedin_key);
CREATE INDEX contacts_stage ON contacts(user_id, stage, id);

CREATE TABLE contact_interests (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    interest_id INTEGER NOT NULL REFERENCES interests(id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, interest_id)
) WITHOUT ROWID;
CREATE INDEX contact_interests_interest ON contact_interests(interest_id, contact_id);

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (contact_id, tag)
) WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags(tag, contact_id);
