-- The question bank (PRODUCT.md step 3): questions to ask in meetings, in the TIARA categories
-- (trends, insights, advice, resources, assignments) or other, with tags.
CREATE TABLE questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT 'other'
        CHECK (category = 'trends' OR category = 'insights' OR category = 'advice' OR category = 'resources'
            OR category = 'assignments' OR category = 'other'),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX questions_user ON questions(user_id);
CREATE INDEX questions_updated ON questions(user_id, updated_at, id);
CREATE INDEX questions_category ON questions(user_id, category, id);

CREATE TABLE question_tags (
    question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    tag TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (question_id, tag)
) WITHOUT ROWID;
CREATE INDEX question_tags_tag ON question_tags(tag, question_id);
