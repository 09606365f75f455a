-- Search with or without diacritics. Each searchable text is stored twice, both computed in Rust
-- (src/text.rs) when the row is written: folded (lowercase, no diacritics, đ → d) for queries
-- typed without diacritics, and lowercase NFC for queries typed with them ("thể" is not "thế").
-- Rows written before this migration are filled in by `gopy migrate`, or by `gopy serve` when it
-- applies this migration itself.
-- Trigram indexes let LIKE '%…%' use an index on PostgreSQL.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE documents ADD COLUMN title_lower TEXT NOT NULL DEFAULT '';
ALTER TABLE sections ADD COLUMN text_search TEXT NOT NULL DEFAULT '';
ALTER TABLE sections ADD COLUMN text_lower TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN text_search TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN text_lower TEXT NOT NULL DEFAULT '';

CREATE INDEX documents_title_search_trgm ON documents USING gin (title_search gin_trgm_ops);
CREATE INDEX documents_title_lower_trgm ON documents USING gin (title_lower gin_trgm_ops);
CREATE INDEX sections_text_search_trgm ON sections USING gin (text_search gin_trgm_ops);
CREATE INDEX sections_text_lower_trgm ON sections USING gin (text_lower gin_trgm_ops);
CREATE INDEX comments_text_search_trgm ON comments USING gin (text_search gin_trgm_ops);
CREATE INDEX comments_text_lower_trgm ON comments USING gin (text_lower gin_trgm_ops);
