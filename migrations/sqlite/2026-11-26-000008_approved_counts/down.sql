DROP INDEX comments_document_status_section;
DROP TRIGGER comments_approved_delete;
DROP TRIGGER comments_approved_update;
DROP TRIGGER comments_approved_insert;
ALTER TABLE sections DROP COLUMN approved_comments;
