DROP TRIGGER comments_revision_delete;
DROP TRIGGER comments_revision_update;
DROP TRIGGER comments_revision_insert;
ALTER TABLE sections DROP COLUMN comments_revision;
