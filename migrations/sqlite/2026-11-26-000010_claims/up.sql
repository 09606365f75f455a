-- Claims: a moderator takes a batch of the queue for some minutes, so two moderators never work
-- on the same comment. An expired claim is simply ignored (the comment is back in the queue).
ALTER TABLE comments ADD COLUMN claimed_by BIGINT REFERENCES users (id);
ALTER TABLE comments ADD COLUMN claimed_until TIMESTAMP;
CREATE INDEX comments_claimed_by ON comments (claimed_by) WHERE claimed_by IS NOT NULL;
