DROP TRIGGER comments_revision_delete ON comments;
DROP TRIGGER comments_revision_update ON comments;
DROP TRIGGER comments_revision_insert ON comments;
DROP FUNCTION bump_comments_revision();
ALTER TABLE sections DROP COLUMN comments_revision;
