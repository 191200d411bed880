-- What a six-week job search found (issue 24).

-- When a person was found: LinkedIn's "Connected On" for an import, else when they were added.
-- Stats count new contacts by it.
ALTER TABLE contacts ADD COLUMN identified_at TEXT NOT NULL DEFAULT '';
UPDATE contacts SET identified_at = created_at;
CREATE INDEX contacts_identified ON contacts(user_id, identified_at, id);

-- Names folded (case, diacritics, normalization: NameKey.fold) for lists' q and sort=name;
-- the migration's Swift step fills them, as SQL cannot fold.
ALTER TABLE contacts ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
DROP INDEX contacts_name_order;
CREATE INDEX contacts_name_order ON contacts(user_id, name_key, id);
ALTER TABLE organizations ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
DROP INDEX organizations_name_order;
CREATE INDEX organizations_name_order ON organizations(user_id, name_key, id);

-- The 3B7 rule's two intervals (business days) and the days it skips, the user's to set.
ALTER TABLE users ADD COLUMN follow_up_days TEXT NOT NULL DEFAULT '3,7';
ALTER TABLE users ADD COLUMN holidays TEXT NOT NULL DEFAULT '';

-- Why a meeting was cancelled or missed, and the contact's stage before it was scheduled
-- (a cancellation puts it back).
ALTER TABLE meetings ADD COLUMN status_reason TEXT;
ALTER TABLE meetings ADD COLUMN stage_before TEXT;

-- Line breaks are stored as LF (Validator.lineFeeds).
UPDATE contacts SET notes = replace(replace(notes, char(13) || char(10), char(10)), char(13), char(10)) WHERE instr(notes, char(13)) > 0;

-- An insight without an area takes its contact's, when the contact has exactly one.
UPDATE insights SET interest_id = (SELECT ci.interest_id FROM contact_interests ci WHERE ci.contact_id = insights.contact_id)
WHERE interest_id IS NULL AND contact_id IS NOT NULL
  AND (SELECT count(*) FROM contact_interests ci WHERE ci.contact_id = insights.contact_id) = 1;
