-- Versions: a document's text changes between rounds. `sections` keeps each section's identity
-- and the text of the current version (`current` = part of it); `section_versions` keeps the text
-- of every published version and of the draft of the next one.
ALTER TABLE documents ADD COLUMN current_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sections ADD COLUMN current BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE document_versions (
    document_id  BIGINT NOT NULL REFERENCES documents (id),
    number       INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    PRIMARY KEY (document_id, number)
);

CREATE TABLE section_versions (
    section_id  BIGINT NOT NULL REFERENCES sections (id),
    version     INTEGER NOT NULL,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    parent_id   BIGINT,
    position    INTEGER NOT NULL,
    label       TEXT,
    heading     TEXT,
    body        TEXT NOT NULL,
    path        TEXT NOT NULL,
    PRIMARY KEY (section_id, version)
);
CREATE INDEX section_versions_document ON section_versions (document_id, version);

-- Rounds (đợt): each open for a period to an audience of units (with their sub-units).
CREATE TABLE rounds (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id  BIGINT NOT NULL REFERENCES documents (id),
    number       INTEGER NOT NULL,
    title        TEXT,
    opens_at     TIMESTAMP NOT NULL,
    closes_at    TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    -- Set by the one process that mailed the opening notice / the reminder.
    opened_mailed_at   TIMESTAMP,
    reminder_mailed_at TIMESTAMP,
    CHECK (opens_at < closes_at),
    UNIQUE (document_id, number)
);
CREATE INDEX rounds_window ON rounds (document_id, opens_at);

CREATE TABLE round_audience (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    unit_id  BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (round_id, unit_id)
);

ALTER TABLE comments ADD COLUMN round_id BIGINT REFERENCES rounds (id);
ALTER TABLE comments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX comments_round ON comments (round_id, author_id);

-- Documents written before versions existed: version 1, published if the document was.
INSERT INTO document_versions (document_id, number, status, created_by, created_at, published_at)
SELECT id, 1, CASE WHEN status = 'draft' THEN 'draft' ELSE 'published' END, created_by,
       created_at, published_at
FROM documents;
INSERT INTO section_versions (section_id, version, document_id, parent_id, position, label, heading, body, path)
SELECT s.id, 1, s.document_id, s.parent_id, s.position, s.label, s.heading, s.body, s.path
FROM sections s JOIN documents d ON d.id = s.document_id
WHERE d.status <> 'draft';
