-- The response register (issue 11 §1): how the drafting body handled each approved comment
-- ("tiếp thu, giải trình"), the report the law requires. One current response a comment, each
-- change kept in history; a document archived after closing freezes both.
CREATE TABLE comment_responses (
    comment_id            BIGINT PRIMARY KEY REFERENCES comments (id),
    document_id           BIGINT NOT NULL REFERENCES documents (id),
    decision              TEXT NOT NULL
        CHECK (decision IN ('accepted', 'partly_accepted', 'not_accepted', 'noted')),
    rationale             TEXT NOT NULL,
    applied_in_section_id BIGINT REFERENCES sections (id),
    responded_by          BIGINT NOT NULL REFERENCES users (id),
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE INDEX comment_responses_document ON comment_responses (document_id, comment_id);

CREATE TABLE comment_response_history (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id            BIGINT NOT NULL REFERENCES comments (id),
    decision              TEXT NOT NULL
        CHECK (decision IN ('accepted', 'partly_accepted', 'not_accepted', 'noted')),
    rationale             TEXT NOT NULL,
    applied_in_section_id BIGINT REFERENCES sections (id),
    responded_by          BIGINT NOT NULL REFERENCES users (id),
    recorded_at           TIMESTAMP NOT NULL
);
CREATE INDEX comment_response_history_comment ON comment_response_history (comment_id, id);

-- Archived: closed for good, comments and responses frozen (the status stays 'closed').
ALTER TABLE documents ADD COLUMN archived_at TIMESTAMP;
