ALTER TABLE comments DROP COLUMN text_lower;
ALTER TABLE comments DROP COLUMN text_search;
ALTER TABLE sections DROP COLUMN text_lower;
ALTER TABLE sections DROP COLUMN text_search;
ALTER TABLE documents DROP COLUMN title_lower;
