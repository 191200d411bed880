-- The outreach log (PRODUCT.md "across all steps"): every attempt to reach a contact and every
-- reply. The first outbound one moves the contact to `contacted`; follow-ups are read from it.
CREATE TABLE outreach (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    channel TEXT NOT NULL
        CHECK (channel = 'email' OR channel = 'phone' OR channel = 'linkedin' OR channel = 'in_person' OR channel = 'other'),
    direction TEXT NOT NULL CHECK (direction = 'outbound' OR direction = 'inbound'),
    sent_at TEXT NOT NULL,
    pitch_id INTEGER REFERENCES pitches(id) ON DELETE SET NULL,
    resume_id INTEGER REFERENCES resumes(id) ON DELETE SET NULL,
    summary TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX outreach_user ON outreach(user_id);
CREATE INDEX outreach_updated ON outreach(user_id, updated_at, id);
CREATE INDEX outreach_sent ON outreach(user_id, sent_at, id);
CREATE INDEX outreach_contact ON outreach(contact_id, sent_at);
CREATE INDEX outreach_pitch ON outreach(pitch_id) WHERE pitch_id IS NOT NULL;
CREATE INDEX outreach_resume ON outreach(resume_id) WHERE resume_id IS NOT NULL;
