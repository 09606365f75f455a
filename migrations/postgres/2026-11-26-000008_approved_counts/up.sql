-- Every view of a draft shows how many approved comments each section has. Counting them at
-- each view cost more than the rest of the page; the count is kept on the section instead, by
-- the database itself, so no write path (a moderator's decision, a seed, a future bulk action)
-- can forget it.
ALTER TABLE sections ADD COLUMN approved_comments INTEGER NOT NULL DEFAULT 0;

UPDATE sections SET approved_comments = c.n
FROM (SELECT section_id, count(*) AS n FROM comments
      WHERE status = 'approved' AND section_id IS NOT NULL GROUP BY section_id) c
WHERE c.section_id = sections.id;

CREATE FUNCTION count_approved_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' AND OLD.section_id IS NOT NULL THEN
        UPDATE sections SET approved_comments = approved_comments - 1 WHERE id = OLD.section_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' AND NEW.section_id IS NOT NULL THEN
        UPDATE sections SET approved_comments = approved_comments + 1 WHERE id = NEW.section_id;
    END IF;
    RETURN NULL;
END
$$;

-- The WHEN clauses keep the common writes (a new pending comment) free of any extra work.
CREATE TRIGGER comments_approved_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved' AND NEW.section_id IS NOT NULL)
    EXECUTE FUNCTION count_approved_comments();
CREATE TRIGGER comments_approved_update AFTER UPDATE OF status, section_id ON comments
    FOR EACH ROW WHEN ((OLD.status = 'approved' OR NEW.status = 'approved')
        AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.section_id IS DISTINCT FROM NEW.section_id))
    EXECUTE FUNCTION count_approved_comments();
CREATE TRIGGER comments_approved_delete AFTER DELETE ON comments
    FOR EACH ROW WHEN (OLD.status = 'approved' AND OLD.section_id IS NOT NULL)
    EXECUTE FUNCTION count_approved_comments();

-- The approved comments of the sections a page shows (and of the whole draft), straight from
-- one index.
CREATE INDEX comments_document_status_section ON comments (document_id, status, section_id, id);
