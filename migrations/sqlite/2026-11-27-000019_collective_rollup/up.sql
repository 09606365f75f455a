-- Collective comments and feedback rolled up from the level below (issue 11 §4).
-- SQLite cannot change a CHECK constraint: user_roles is rebuilt with the new role.
CREATE TABLE user_roles_new (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL
        CHECK (role IN ('employee', 'moderator', 'secretariat', 'admin', 'unit_representative')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles_new (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

ALTER TABLE comments ADD COLUMN on_behalf_of_unit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE comments ADD COLUMN contributed_by TEXT;
ALTER TABLE comments ADD COLUMN origin TEXT;
CREATE UNIQUE INDEX comments_origin ON comments (document_id, origin);

CREATE TABLE rollup_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    digest      TEXT NOT NULL,
    from_unit   TEXT NOT NULL,
    comments    INTEGER NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, digest)
);
