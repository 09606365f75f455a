-- A section's `comments_revision` moves on every change to one of its approved comments, so
-- that a kept page of them can be checked (see the PostgreSQL migration).
ALTER TABLE sections ADD COLUMN comments_revision BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER comments_revision_insert AFTER INSERT ON comments
    WHEN NEW.status = 'approved' AND NEW.section_id IS NOT NULL
BEGIN
    UPDATE sections SET comments_revision = comments_revision + 1 WHERE id = NEW.section_id;
END;

CREATE TRIGGER comments_revision_update AFTER UPDATE ON comments
    WHEN OLD.status = 'approved' OR NEW.status = 'approved'
BEGIN
    UPDATE sections SET comments_revision = comments_revision + 1
        WHERE id = OLD.section_id OR id = NEW.section_id;
END;

CREATE TRIGGER comments_revision_delete AFTER DELETE ON comments
    WHEN OLD.status = 'approved' AND OLD.section_id IS NOT NULL
BEGIN
    UPDATE sections SET comments_revision = comments_revision + 1 WHERE id = OLD.section_id;
END;
