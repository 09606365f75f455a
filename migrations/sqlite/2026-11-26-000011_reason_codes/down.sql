ALTER TABLE moderation_events DROP COLUMN reason_code;
ALTER TABLE comments DROP COLUMN reason_code;
