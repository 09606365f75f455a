-- Collective comments and feedback rolled up from the level below (issue 11 §4).
-- A unit representative may comment on behalf of the unit; a comment imported from a
-- lower body's bundle names that body and carries a key that makes a second import a no-op.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('employee', 'moderator', 'secretariat', 'admin', 'unit_representative'));

ALTER TABLE comments ADD COLUMN on_behalf_of_unit BOOLEAN NOT NULL DEFAULT FALSE;
-- The body the comment came from ("Sở Nội vụ tỉnh …", and its unit there), when imported.
ALTER TABLE comments ADD COLUMN contributed_by TEXT;
-- "<bundle origin>:<comment id there>" for imported comments: one row per origin comment.
ALTER TABLE comments ADD COLUMN origin TEXT;
CREATE UNIQUE INDEX comments_origin ON comments (document_id, origin);

CREATE TABLE rollup_imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id),
    digest      TEXT NOT NULL,
    from_unit   TEXT NOT NULL,
    comments    INTEGER NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (document_id, digest)
);
