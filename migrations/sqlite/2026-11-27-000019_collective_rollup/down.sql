DROP TABLE rollup_imports;
DROP INDEX comments_origin;
ALTER TABLE comments DROP COLUMN origin;
ALTER TABLE comments DROP COLUMN contributed_by;
ALTER TABLE comments DROP COLUMN on_behalf_of_unit;
CREATE TABLE user_roles_old (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('employee', 'moderator', 'secretariat', 'admin')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles_old SELECT user_id, role FROM user_roles WHERE role <> 'unit_representative';
DROP TABLE user_roles;
ALTER TABLE user_roles_old RENAME TO user_roles;
