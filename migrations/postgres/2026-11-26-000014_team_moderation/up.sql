-- Moderation as a team does it (issue 10):
-- * four-eyes: a rejection is first `reject_proposed` by one moderator (`proposed_by`) and
--   confirmed (`confirm_reject`) or overturned by another;
-- * authors edit (`edit`, the earlier text kept in `comment_revisions`) or withdraw
--   (`withdrawn`) a comment still waiting;
-- * screening flags a comment on its own: such an event has no actor (the system).
-- So `moderation_events.moderator_id` becomes `actor_id` (the author for edits and
-- withdrawals, NULL for the system).
ALTER TABLE comments DROP CONSTRAINT comments_status_check;
ALTER TABLE comments ADD CONSTRAINT comments_status_check CHECK (
    status IN ('pending', 'approved', 'rejected', 'flagged', 'reject_proposed', 'withdrawn'));
ALTER TABLE comments ADD COLUMN proposed_by BIGINT REFERENCES users (id);

ALTER TABLE moderation_events RENAME COLUMN moderator_id TO actor_id;
ALTER TABLE moderation_events ALTER COLUMN actor_id DROP NOT NULL;
ALTER TABLE moderation_events DROP CONSTRAINT moderation_events_action_check;
ALTER TABLE moderation_events ADD CONSTRAINT moderation_events_action_check CHECK (
    action IN ('approve', 'reject', 'flag', 'confirm_reject', 'edit', 'withdraw'));

-- The text a comment had before each of its author's edits.
CREATE TABLE comment_revisions (
    id            BIGSERIAL PRIMARY KEY,
    comment_id    BIGINT NOT NULL REFERENCES comments (id),
    body          TEXT NOT NULL,
    proposed_text TEXT,
    written_at    TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP NOT NULL
);
CREATE INDEX comment_revisions_comment ON comment_revisions (comment_id, id);

-- Rejections waiting for a second moderator.
CREATE INDEX comments_proposed ON comments (id) WHERE status = 'reject_proposed';
