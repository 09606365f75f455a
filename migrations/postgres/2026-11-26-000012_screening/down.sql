DROP TABLE screening_terms;
ALTER TABLE comments DROP COLUMN screening;
ALTER TABLE comments DROP COLUMN screening_score;
