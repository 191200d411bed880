-- Job leads (PRODUCT.md): postings and leads from a referral or a contact, the short-term
-- channel beside networking, with a small status life cycle.
CREATE TABLE leads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    organization_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    url TEXT,
    source TEXT NOT NULL DEFAULT 'posting' CHECK (source = 'posting' OR source = 'referral' OR source = 'contact'),
    status TEXT NOT NULL DEFAULT 'found'
        CHECK (status = 'found' OR status = 'applied' OR status = 'interviewing' OR status = 'offer' OR status = 'rejected' OR status = 'closed'),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX leads_user ON leads(user_id);
CREATE INDEX leads_updated ON leads(user_id, updated_at, id);
CREATE INDEX leads_title_order ON leads(user_id, title COLLATE NOCASE, id);
CREATE INDEX leads_status ON leads(user_id, status, id);
CREATE INDEX leads_organization ON leads(organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX leads_contact ON leads(contact_id) WHERE contact_id IS NOT NULL;
