-- Moderation as a team does it (issue 10; see the PostgreSQL migration): new comment states
-- `reject_proposed` and `withdrawn`, the proposer of a rejection, events by authors (`edit`,
-- `withdraw`) and by the system (no actor), and the text before each edit.
--
-- SQLite cannot change a CHECK constraint or a NOT NULL column in place, so `comments` and
-- `moderation_events` are rebuilt the way SQLite's documentation prescribes (ALTER TABLE,
-- "other kinds of table schema changes"): foreign keys off, outside any transaction, then one
-- transaction that copies, drops, renames and recreates indexes and triggers. Hence this
-- migration runs outside diesel's transaction (metadata.toml) and opens its own.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE comments_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id     BIGINT NOT NULL REFERENCES documents (id),
    section_id      BIGINT REFERENCES sections (id),
    author_id       BIGINT NOT NULL REFERENCES users (id),
    unit_id         BIGINT REFERENCES units (id),
    body            TEXT NOT NULL,
    proposed_text   TEXT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
                        'pending', 'approved', 'rejected', 'flagged', 'reject_proposed', 'withdrawn')),
    receipt         TEXT NOT NULL UNIQUE,
    reason          TEXT,
    decided_by      BIGINT REFERENCES users (id),
    decided_at      TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    text_search     TEXT NOT NULL DEFAULT '',
    text_lower      TEXT NOT NULL DEFAULT '',
    round_id        BIGINT REFERENCES rounds (id),
    version         INTEGER NOT NULL DEFAULT 1,
    claimed_by      BIGINT REFERENCES users (id),
    claimed_until   TIMESTAMP,
    reason_code     TEXT,
    screening_score INTEGER NOT NULL DEFAULT 0,
    screening       TEXT,
    proposed_by     BIGINT REFERENCES users (id)
);
INSERT INTO comments_new (id, document_id, section_id, author_id, unit_id, body, proposed_text,
        status, receipt, reason, decided_by, decided_at, created_at, updated_at, text_search,
        text_lower, round_id, version, claimed_by, claimed_until, reason_code, screening_score,
        screening)
    SELECT id, document_id, section_id, author_id, unit_id, body, proposed_text, status, receipt,
        reason, decided_by, decided_at, created_at, updated_at, text_search, text_lower, round_id,
        version, claimed_by, claimed_until, reason_code, screening_score, screening
    FROM comments;
-- Keep the id counter even past the highest id still present.
DELETE FROM sqlite_sequence WHERE name = 'comments_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'comments_new', seq FROM sqlite_sequence WHERE name = 'comments';
DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;

CREATE INDEX comments_document_status ON comments (document_id, status, id);
CREATE INDEX comments_section_status ON comments (section_id, status, id);
CREATE INDEX comments_author ON comments (author_id, id);
CREATE INDEX comments_section_order ON comments (section_id, id);
CREATE INDEX comments_document_order ON comments (document_id, id);
CREATE INDEX comments_queue ON comments (id) WHERE status IN ('pending', 'flagged');
CREATE INDEX comments_round ON comments (round_id, author_id);
CREATE INDEX comments_document_status_section ON comments (document_id, status, section_id, id);
CREATE INDEX comments_claimed_by ON comments (claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX comments_proposed ON comments (id) WHERE status = 'reject_proposed';

CREATE TRIGGER comments_approved_insert AFTER INSERT ON comments
    WHEN NEW.status = 'approved' AND NEW.section_id IS NOT NULL
BEGIN
    UPDATE sections SET approved_comments = approved_comments + 1 WHERE id = NEW.section_id;
END;

CREATE TRIGGER comments_approved_update AFTER UPDATE OF status, section_id ON comments
    WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
        AND (OLD.status IS NOT NEW.status OR OLD.section_id IS NOT NEW.section_id)
BEGIN
    UPDATE sections SET approved_comments = approved_comments - 1
        WHERE OLD.status = 'approved' AND id = OLD.section_id;
    UPDATE sections SET approved_comments = approved_comments + 1
        WHERE NEW.status = 'approved' AND id = NEW.section_id;
END;

CREATE TRIGGER comments_approved_delete AFTER DELETE ON comments
    WHEN OLD.status = 'approved' AND OLD.section_id IS NOT NULL
BEGIN
    UPDATE sections SET approved_comments = approved_comments - 1 WHERE id = OLD.section_id;
END;

CREATE TABLE moderation_events_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id  BIGINT NOT NULL REFERENCES comments (id),
    actor_id    BIGINT REFERENCES users (id),
    action      TEXT NOT NULL CHECK (action IN (
                    'approve', 'reject', 'flag', 'confirm_reject', 'edit', 'withdraw')),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT,
    note        TEXT,
    created_at  TIMESTAMP NOT NULL,
    reason_code TEXT
);
INSERT INTO moderation_events_new (id, comment_id, actor_id, action, from_status, to_status,
        reason, note, created_at, reason_code)
    SELECT id, comment_id, moderator_id, action, from_status, to_status, reason, note,
        created_at, reason_code
    FROM moderation_events;
DELETE FROM sqlite_sequence WHERE name = 'moderation_events_new';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'moderation_events_new', seq FROM sqlite_sequence WHERE name = 'moderation_events';
DROP TABLE moderation_events;
ALTER TABLE moderation_events_new RENAME TO moderation_events;
CREATE INDEX moderation_events_comment ON moderation_events (comment_id, id);

CREATE TABLE comment_revisions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id    BIGINT NOT NULL REFERENCES comments (id),
    body          TEXT NOT NULL,
    proposed_text TEXT,
    written_at    TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions (comment_id, id);

COMMIT;
PRAGMA foreign_keys = ON;
