-- Portable schema: integers, text, booleans, naive UTC timestamps; enums as text with CHECK.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   BIGINT REFERENCES units (id),
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
-- Sibling units have distinct names (roster paths rely on it).
CREATE UNIQUE INDEX units_sibling_name ON units (COALESCE(parent_id, 0), name);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    email            TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    full_name        TEXT NOT NULL,
    name_search      TEXT NOT NULL,
    unit_id          BIGINT REFERENCES units (id),
    password_hash    TEXT,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    locale           TEXT NOT NULL DEFAULT 'vi' CHECK (locale IN ('vi', 'en')),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('employee', 'moderator', 'secretariat', 'admin')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    title_search TEXT NOT NULL,
    code         TEXT,
    summary      TEXT,
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    opens_at     TIMESTAMP,
    closes_at    TIMESTAMP,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    published_at TIMESTAMP,
    closed_at    TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK (opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at)
);
CREATE INDEX documents_status ON documents (status, id);

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    parent_id   BIGINT REFERENCES sections (id),
    position    INTEGER NOT NULL,
    label       TEXT,
    heading     TEXT,
    body        TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX sections_document ON sections (document_id, parent_id, position);

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   BIGINT NOT NULL REFERENCES documents (id),
    section_id    BIGINT REFERENCES sections (id),
    author_id     BIGINT NOT NULL REFERENCES users (id),
    unit_id       BIGINT REFERENCES units (id),
    body          TEXT NOT NULL,
    proposed_text TEXT,
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'flagged')),
    receipt       TEXT NOT NULL UNIQUE,
    reason        TEXT,
    decided_by    BIGINT REFERENCES users (id),
    decided_at    TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX comments_document_status ON comments (document_id, status, id);
CREATE INDEX comments_section_status ON comments (section_id, status, id);
CREATE INDEX comments_author ON comments (author_id, id);

CREATE TABLE moderation_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id   BIGINT NOT NULL REFERENCES comments (id),
    moderator_id BIGINT NOT NULL REFERENCES users (id),
    action       TEXT NOT NULL CHECK (action IN ('approve', 'reject', 'flag')),
    from_status  TEXT NOT NULL,
    to_status    TEXT NOT NULL,
    reason       TEXT,
    note         TEXT,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX moderation_events_comment ON moderation_events (comment_id, id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id   BIGINT REFERENCES users (id),
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BIGINT,
    detail     TEXT,
    ip         TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until    TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
