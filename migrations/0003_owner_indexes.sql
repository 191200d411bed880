-- An index on user_id alone is (user_id, rowid) to SQLite: it serves "this user's rows after
-- id N, in id order" (the default list order) as one seek. Without it the planner chose
-- another (user_id, …) index and sorted all of the user's rows for every page.
CREATE INDEX contacts_user ON contacts(user_id);
CREATE INDEX organizations_user ON organizations(user_id);
CREATE INDEX interests_user ON interests(user_id);
CREATE INDEX tokens_user_id ON tokens(user_id);

-- The created_at order now keys on id (creation order), so these only slowed every write.
DROP INDEX contacts_created;
DROP INDEX organizations_created;
DROP INDEX interests_created;
DROP INDEX tokens_user;

-- Duplicate detection only looks up contacts that have an email or LinkedIn URL; partial
-- indexes skip the others, so adding such a contact writes two index pages fewer.
DROP INDEX contacts_email;
CREATE INDEX contacts_email ON contacts(user_id, email COLLATE NOCASE) WHERE email IS NOT NULL;
DROP INDEX contacts_linkedin;
CREATE INDEX contacts_linkedin ON contacts(user_id, linkedin_key) WHERE linkedin_key IS NOT NULL;
