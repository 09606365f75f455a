-- Every view of a draft shows how many approved comments each section has: kept on the
-- section by the database itself (see the PostgreSQL migration).
ALTER TABLE sections ADD COLUMN approved_comments INTEGER NOT NULL DEFAULT 0;

UPDATE sections SET approved_comments = (
    SELECT count(*) FROM comments
    WHERE comments.section_id = sections.id AND comments.status = 'approved'
);

CREATE TRIGGER comments_approved_insert AFTER INSERT ON comments
    WHEN NEW.status = 'approved' AND NEW.section_id IS NOT NULL
BEGIN
    UPDATE sections SET approved_comments = approved_comments + 1 WHERE id = NEW.section_id;
END;

CREATE TRIGGER comments_approved_update AFTER UPDATE OF status, section_id ON comments
    WHEN (OLD.status = 'approved' OR NEW.status = 'approved')
        AND (OLD.status IS NOT NEW.status OR OLD.section_id IS NOT NEW.section_id)
BEGIN
    UPDATE sections SET approved_comments = approved_comments - 1
        WHERE OLD.status = 'approved' AND id = OLD.section_id;
    UPDATE sections SET approved_comments = approved_comments + 1
        WHERE NEW.status = 'approved' AND id = NEW.section_id;
END;

CREATE TRIGGER comments_approved_delete AFTER DELETE ON comments
    WHEN OLD.status = 'approved' AND OLD.section_id IS NOT NULL
BEGIN
    UPDATE sections SET approved_comments = approved_comments - 1 WHERE id = OLD.section_id;
END;

CREATE INDEX comments_document_status_section ON comments (document_id, status, section_id, id);
