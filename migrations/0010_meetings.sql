-- Steps 2 to 6 of the method (PRODUCT.md): the user's own headline for pitches, pitch
-- templates and which contact each was rendered for, meetings with their agenda and what
-- each left behind (referrals, events, resources).

-- me.name and me.headline in pitches: the name people call the user, and one line about them.
ALTER TABLE users ADD COLUMN display_name TEXT;
ALTER TABLE users ADD COLUMN headline TEXT;

CREATE TABLE pitches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT 'email' CHECK (channel = 'email' OR channel = 'spoken'),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX pitches_user ON pitches(user_id);
CREATE INDEX pitches_updated ON pitches(user_id, updated_at, id);
CREATE INDEX pitches_name_order ON pitches(user_id, name COLLATE NOCASE, id);

-- The last time each pitch was rendered for each contact: meeting prep asks for one.
CREATE TABLE pitch_renders (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    pitch_id INTEGER NOT NULL REFERENCES pitches(id) ON DELETE CASCADE,
    rendered_at TEXT NOT NULL,
    PRIMARY KEY (contact_id, pitch_id)
) WITHOUT ROWID;
CREATE INDEX pitch_renders_pitch ON pitch_renders(pitch_id);

-- status changes only through actions (schedule, complete, cancel, no-show). contact_id is
-- RESTRICT: a contact with meetings cannot be deleted.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE RESTRICT,
    status TEXT NOT NULL DEFAULT 'proposed'
        CHECK (status = 'proposed' OR status = 'scheduled' OR status = 'completed' OR status = 'cancelled' OR status = 'no_show'),
    scheduled_at TEXT,
    duration_minutes INTEGER NOT NULL DEFAULT 30 CHECK (duration_minutes BETWEEN 5 AND 240),
    medium TEXT CHECK (medium IS NULL OR medium = 'in_person' OR medium = 'phone' OR medium = 'video'),
    location TEXT,
    resume_id INTEGER REFERENCES resumes(id) ON DELETE SET NULL,
    notes TEXT,
    impression INTEGER CHECK (impression IS NULL OR impression BETWEEN 1 AND 5),
    outcome TEXT,
    thank_you_sent_at TEXT,
    completed_at TEXT,
    none_offered INTEGER NOT NULL DEFAULT 0 CHECK (none_offered IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX meetings_user ON meetings(user_id);
CREATE INDEX meetings_updated ON meetings(user_id, updated_at, id);
-- The scheduled_at sort: proposed meetings without a time sort first (coalesce keeps keyset paging exact).
CREATE INDEX meetings_scheduled ON meetings(user_id, coalesce(scheduled_at, ''), id);
CREATE INDEX meetings_status ON meetings(user_id, status, id);
CREATE INDEX meetings_contact ON meetings(contact_id, status);
CREATE INDEX meetings_resume ON meetings(resume_id) WHERE resume_id IS NOT NULL;

-- A meeting's agenda: questions from the bank (text copied when added, so editing the bank
-- does not rewrite what was asked) or ad hoc, in a dense 1-based order.
CREATE TABLE meeting_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    question_id INTEGER REFERENCES questions(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    position INTEGER NOT NULL,
    asked INTEGER NOT NULL DEFAULT 0 CHECK (asked IN (0, 1)),
    answer_notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX meeting_questions_position ON meeting_questions(meeting_id, position);
CREATE INDEX meeting_questions_question ON meeting_questions(question_id) WHERE question_id IS NOT NULL;

-- Resources a meeting pointed to (a book, a newsletter, a community), recorded at completion.
CREATE TABLE meeting_resources (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    url TEXT,
    note TEXT
);
CREATE INDEX meeting_resources_meeting ON meeting_resources(meeting_id, id);

-- Who referred whom, and at which meeting. The referred person is always a contact.
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    referrer_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    note TEXT,
    status TEXT NOT NULL DEFAULT 'suggested'
        CHECK (status = 'suggested' OR status = 'contacted' OR status = 'met' OR status = 'declined'),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_user ON referrals(user_id);
CREATE INDEX referrals_updated ON referrals(user_id, updated_at, id);
CREATE INDEX referrals_meeting ON referrals(meeting_id, id) WHERE meeting_id IS NOT NULL;
CREATE INDEX referrals_referrer ON referrals(referrer_id, id);
CREATE INDEX referrals_contact ON referrals(contact_id, id);

-- Professional development and community events, recommended by a contact at a meeting.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    starts_at TEXT,
    ends_at TEXT,
    location TEXT,
    url TEXT,
    recommended_by_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'interested'
        CHECK (status = 'interested' OR status = 'registered' OR status = 'attended' OR status = 'skipped'),
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_user ON events(user_id);
CREATE INDEX events_updated ON events(user_id, updated_at, id);
CREATE INDEX events_starts ON events(user_id, coalesce(starts_at, ''), id);
CREATE INDEX events_meeting ON events(meeting_id) WHERE meeting_id IS NOT NULL;
CREATE INDEX events_recommended ON events(recommended_by_id) WHERE recommended_by_id IS NOT NULL;
