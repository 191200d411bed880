-- The daily agenda and full-text search (issue 16). The agenda reads what is due through
-- indexes ordered by the due time, so its first page costs the same for 100 contacts or
-- 100,000: plain columns where the due time is one (a meeting's time, a referral's date),
-- and `reminders` for the follow-ups whose due time depends on other rows (3B7, asking
-- for a referral again), rewritten by the writes that change them.

-- meetings_user and referrals_user duplicate the user_id prefix of the *_updated indexes
-- (which also serve the cascade from users); each write paid for both.
DROP INDEX meetings_user;
DROP INDEX referrals_user;

-- Status filters and the agenda's scheduled meetings (due at their time) in one index.
DROP INDEX meetings_status;
CREATE INDEX meetings_status ON meetings(user_id, status, coalesce(scheduled_at, ''), id);
-- Thank-you notes still to send, due from the meeting's completion.
CREATE INDEX meetings_thank_you ON meetings(user_id, completed_at, id) WHERE status = 'completed' AND thank_you_sent_at IS NULL;
-- Events ahead (or passed without being marked attended or skipped).
CREATE INDEX events_agenda ON events(user_id, starts_at, id)
    WHERE starts_at IS NOT NULL AND (status = 'interested' OR status = 'registered');
-- Referrals not yet contacted.
CREATE INDEX referrals_suggested ON referrals(user_id, created_at, id) WHERE status = 'suggested';

-- Keep in touch: the last logged touch (outreach either way, a completed meeting), kept by
-- the writes that log one; the next touch is due `keep_in_touch_days` after it (or after
-- the contact was added). Same text format as every stored time, so it sorts with them.
ALTER TABLE contacts ADD COLUMN last_touch_at TEXT;
ALTER TABLE contacts ADD COLUMN keep_in_touch_due_at TEXT GENERATED ALWAYS AS (
    CASE WHEN keep_in_touch_days IS NULL THEN NULL
    ELSE strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(last_touch_at, created_at), '+' || keep_in_touch_days || ' days') END
) VIRTUAL;
CREATE INDEX contacts_keep_in_touch ON contacts(user_id, keep_in_touch_due_at, id) WHERE keep_in_touch_due_at IS NOT NULL;
UPDATE contacts SET last_touch_at = (
    SELECT max(t) FROM (
        SELECT max(sent_at) AS t FROM outreach WHERE outreach.contact_id = contacts.id
        UNION ALL
        SELECT max(completed_at) FROM meetings WHERE meetings.contact_id = contacts.id AND meetings.status = 'completed'));

-- Follow-ups that depend on other rows: `follow_up` and `try_second_contact` (the 3B7 rule;
-- ref_id is the unanswered outbound outreach) and `ask_referral_again` (ref_id is the
-- completed meeting). Rebuilt per organization or contact by the writes that affect them.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind = 'follow_up' OR kind = 'try_second_contact' OR kind = 'ask_referral_again'),
    ref_id INTEGER NOT NULL,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE CASCADE,
    -- When the thread began (the outreach's sent_at, the meeting's completion) and how many
    -- asks went out since, for the item's reason.
    since TEXT NOT NULL,
    asks INTEGER NOT NULL DEFAULT 0,
    due_at TEXT NOT NULL
);
CREATE UNIQUE INDEX reminders_ref ON reminders(kind, ref_id);
CREATE INDEX reminders_due ON reminders(user_id, due_at, kind, ref_id);
CREATE INDEX reminders_contact ON reminders(contact_id);
CREATE INDEX reminders_meeting ON reminders(meeting_id) WHERE meeting_id IS NOT NULL;

-- Agenda items put away: for good (until IS NULL) or snoozed until a time. A keep-in-touch
-- item is put away only while its due time is the one dismissed (the next touch brings the
-- contact back).
CREATE TABLE agenda_dismissals (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    ref_id INTEGER NOT NULL,
    until TEXT,
    due_at TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, ref_id)
) WITHOUT ROWID;

-- Full-text search over contacts, organizations, meetings, events, leads and outreach notes.
-- rowid = user_id << 44 | id << 3 | type (1 contact, 2 organization, 3 meeting, 4 event,
-- 5 lead, 6 outreach): each account's rows are one rowid range, which FTS5 seeks to, so a
-- search is scoped to the account inside the index and never ranks others' rows. (An owner
-- token ANDed into every query did the same, but bm25 counted the account's every row for it.)
CREATE VIRTUAL TABLE search_index USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_index(search_index, rank) VALUES ('rank', 'bm25(10.0, 1.0)');

-- The index is brought up to date in batches, before every search and in the background, so a
-- search sees every committed write while the writes themselves stay cheap (indexing inside
-- each write cost a third of a contact create: FTS5 writes a segment per transaction, and
-- even a trigger that only queued the new row cost 12%). New rows need no trigger: ids are
-- never reused (0007, AUTOINCREMENT), so everything above `indexed_through` is new. Changes
-- and deletes are queued by the triggers below.
CREATE TABLE search_state (
    type INTEGER PRIMARY KEY,
    indexed_through INTEGER NOT NULL
);
INSERT INTO search_state (type, indexed_through) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0);

CREATE TABLE search_queue (
    type INTEGER NOT NULL,
    id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (type, id)
) WITHOUT ROWID;

CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, title, email, location, hook, source, notes ON contacts
WHEN old.name IS NOT new.name OR old.title IS NOT new.title OR old.email IS NOT new.email OR old.location IS NOT new.location
    OR old.hook IS NOT new.hook OR old.source IS NOT new.source OR old.notes IS NOT new.notes BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (1, new.id, new.user_id);
END;
-- Meetings and outreach are titled with the contact's name.
CREATE TRIGGER contacts_search_rename AFTER UPDATE OF name ON contacts WHEN old.name IS NOT new.name BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) SELECT 3, id, user_id FROM meetings WHERE contact_id = new.id;
    INSERT OR IGNORE INTO search_queue (type, id, user_id) SELECT 6, id, user_id FROM outreach WHERE contact_id = new.id;
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (1, old.id, old.user_id);
END;

CREATE TRIGGER organizations_search_update AFTER UPDATE OF name, industry, website, location, notes ON organizations
WHEN old.name IS NOT new.name OR old.industry IS NOT new.industry OR old.website IS NOT new.website OR old.location IS NOT new.location
    OR old.notes IS NOT new.notes BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (2, new.id, new.user_id);
END;
CREATE TRIGGER organizations_search_delete AFTER DELETE ON organizations BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (2, old.id, old.user_id);
END;

CREATE TRIGGER meetings_search_update AFTER UPDATE OF contact_id, location, notes, outcome ON meetings
WHEN old.contact_id IS NOT new.contact_id OR old.location IS NOT new.location OR old.notes IS NOT new.notes OR old.outcome IS NOT new.outcome BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (3, new.id, new.user_id);
END;
CREATE TRIGGER meetings_search_delete AFTER DELETE ON meetings BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (3, old.id, old.user_id);
END;

CREATE TRIGGER events_search_update AFTER UPDATE OF name, location, url, notes ON events
WHEN old.name IS NOT new.name OR old.location IS NOT new.location OR old.url IS NOT new.url OR old.notes IS NOT new.notes BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (4, new.id, new.user_id);
END;
CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (4, old.id, old.user_id);
END;

CREATE TRIGGER leads_search_update AFTER UPDATE OF title, url, notes ON leads
WHEN old.title IS NOT new.title OR old.url IS NOT new.url OR old.notes IS NOT new.notes BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (5, new.id, new.user_id);
END;
CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (5, old.id, old.user_id);
END;

CREATE TRIGGER outreach_search_update AFTER UPDATE OF summary ON outreach WHEN old.summary IS NOT new.summary BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (6, new.id, new.user_id);
END;
CREATE TRIGGER outreach_search_delete AFTER DELETE ON outreach BEGIN
    INSERT OR IGNORE INTO search_queue (type, id, user_id) VALUES (6, old.id, old.user_id);
END;
