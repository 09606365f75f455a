-- The moderators' daily digest (issue 10 §4): each moderator may opt out, and each day's
-- digest is queued once, by whichever process marks the day first.
ALTER TABLE users ADD COLUMN moderation_digest BOOLEAN NOT NULL DEFAULT TRUE;
CREATE TABLE moderation_digests (
    day       TEXT PRIMARY KEY,
    queued_at TIMESTAMP NOT NULL
);
