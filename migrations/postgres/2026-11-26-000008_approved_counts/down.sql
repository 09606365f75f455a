DROP INDEX comments_document_status_section;
DROP TRIGGER comments_approved_delete ON comments;
DROP TRIGGER comments_approved_update ON comments;
DROP TRIGGER comments_approved_insert ON comments;
DROP FUNCTION count_approved_comments();
ALTER TABLE sections DROP COLUMN approved_comments;
