-- Screening, computed when a comment is written (moderation/screening.rs): a score to sort the
-- queue by and the labels with their spans (JSON), for moderators only.
ALTER TABLE comments ADD COLUMN screening_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN screening TEXT;

-- The terms admins block (as typed; matched whole-word, see screening.rs).
CREATE TABLE screening_terms (
    term       TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL
);
