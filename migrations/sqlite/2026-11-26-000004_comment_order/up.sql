-- Pages of a section's or a document's comments in id order, whatever their status mix
-- (the visibility filter "approved OR own" cannot use the status-first indexes).
CREATE INDEX comments_section_order ON comments (section_id, id);
CREATE INDEX comments_document_order ON comments (document_id, id);
