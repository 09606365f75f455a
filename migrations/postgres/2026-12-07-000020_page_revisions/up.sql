-- Pages of a section's approved comments are kept by each node (comments::page_cache) and
-- checked against `comments_revision`, which the database itself moves on every change to an
-- approved comment of the section — a decision, an edit, a withdrawal, a seed — so that no
-- write path can forget it and every node sees it in the same transaction as the change.
ALTER TABLE sections ADD COLUMN comments_revision BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_comments_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.section_id IS NOT NULL THEN
        UPDATE sections SET comments_revision = comments_revision + 1 WHERE id = OLD.section_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.section_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.section_id IS DISTINCT FROM OLD.section_id) THEN
        UPDATE sections SET comments_revision = comments_revision + 1 WHERE id = NEW.section_id;
    END IF;
    RETURN NULL;
END
$$;

-- A new pending comment (the common write) does no extra work.
CREATE TRIGGER comments_revision_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved' AND NEW.section_id IS NOT NULL)
    EXECUTE FUNCTION bump_comments_revision();
CREATE TRIGGER comments_revision_update AFTER UPDATE ON comments
    FOR EACH ROW WHEN ((OLD.status = 'approved' OR NEW.status = 'approved')
        AND OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION bump_comments_revision();
CREATE TRIGGER comments_revision_delete AFTER DELETE ON comments
    FOR EACH ROW WHEN (OLD.status = 'approved' AND OLD.section_id IS NOT NULL)
    EXECUTE FUNCTION bump_comments_revision();
