DROP TABLE moderation_digests;
ALTER TABLE users DROP COLUMN moderation_digest;
