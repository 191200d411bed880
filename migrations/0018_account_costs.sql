-- Each account pays for its own data only (issue 25).

-- A reminder is found by its row (the outreach or meeting it follows up) and kind. Led by
-- kind, the index let "a contact's follow-ups" search every account's follow-ups by kind
-- instead of the contact's few rows; led by the row, it can only answer for that row.
DROP INDEX reminders_ref;
CREATE UNIQUE INDEX reminders_ref ON reminders(ref_id, kind);

-- Stats count new contacts by identified_at while reading the account's contacts once
-- (StatsService), so this index served no statement and cost every contact write.
DROP INDEX contacts_identified;
