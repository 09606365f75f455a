DROP INDEX comments_proposed;
DROP TABLE comment_revisions;
UPDATE comments SET status = 'pending' WHERE status IN ('reject_proposed', 'withdrawn');
DELETE FROM moderation_events WHERE action NOT IN ('approve', 'reject', 'flag') OR actor_id IS NULL;
ALTER TABLE moderation_events DROP CONSTRAINT moderation_events_action_check;
ALTER TABLE moderation_events ADD CONSTRAINT moderation_events_action_check CHECK (
    action IN ('approve', 'reject', 'flag'));
ALTER TABLE moderation_events ALTER COLUMN actor_id SET NOT NULL;
ALTER TABLE moderation_events RENAME COLUMN actor_id TO moderator_id;
ALTER TABLE comments DROP COLUMN proposed_by;
ALTER TABLE comments DROP CONSTRAINT comments_status_check;
ALTER TABLE comments ADD CONSTRAINT comments_status_check CHECK (
    status IN ('pending', 'approved', 'rejected', 'flagged'));
