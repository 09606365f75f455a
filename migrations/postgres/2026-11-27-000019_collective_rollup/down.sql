DROP TABLE rollup_imports;
DROP INDEX comments_origin;
ALTER TABLE comments DROP COLUMN origin;
ALTER TABLE comments DROP COLUMN contributed_by;
ALTER TABLE comments DROP COLUMN on_behalf_of_unit;
DELETE FROM user_roles WHERE role = 'unit_representative';
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('employee', 'moderator', 'secretariat', 'admin'));
