-- Resume versions (PRODUCT.md step 4): a label, the interest area it targets, and its text or
-- where it lives. content_updated_at moves only when the text or URL changes; meeting prep
-- reads it to warn about a resume not updated in 90 days.
CREATE TABLE resumes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    interest_id INTEGER REFERENCES interests(id) ON DELETE SET NULL,
    content TEXT,
    url TEXT,
    content_updated_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX resumes_user ON resumes(user_id);
CREATE INDEX resumes_updated ON resumes(user_id, updated_at, id);
CREATE INDEX resumes_label_order ON resumes(user_id, label COLLATE NOCASE, id);
CREATE INDEX resumes_interest ON resumes(interest_id) WHERE interest_id IS NOT NULL;
