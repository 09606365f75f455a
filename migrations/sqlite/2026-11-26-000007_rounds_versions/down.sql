DROP INDEX comments_round;
ALTER TABLE comments DROP COLUMN version;
ALTER TABLE comments DROP COLUMN round_id;
DROP TABLE round_audience;
DROP TABLE rounds;
DROP TABLE section_versions;
DROP TABLE document_versions;
ALTER TABLE sections DROP COLUMN current;
ALTER TABLE documents DROP COLUMN current_version;
