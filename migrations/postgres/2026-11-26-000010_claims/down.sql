DROP INDEX comments_claimed_by;
ALTER TABLE comments DROP COLUMN claimed_until;
ALTER TABLE comments DROP COLUMN claimed_by;
