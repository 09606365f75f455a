-- Search with or without diacritics. Each searchable text is stored twice, both computed in Rust
-- (src/text.rs) when the row is written: folded (lowercase, no diacritics, đ → d) for queries
-- typed without diacritics, and lowercase NFC for queries typed with them ("thể" is not "thế").
-- Rows written before this migration are filled in by `gopy migrate`, or by `gopy serve` when it
-- applies this migration itself.
-- (PostgreSQL also gets trigram indexes; SQLite scans, which an embedded department can afford.)
ALTER TABLE documents ADD COLUMN title_lower TEXT NOT NULL DEFAULT '';
ALTER TABLE sections ADD COLUMN text_search TEXT NOT NULL DEFAULT '';
ALTER TABLE sections ADD COLUMN text_lower TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN text_search TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN text_lower TEXT NOT NULL DEFAULT '';
