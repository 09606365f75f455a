-- Back to the earlier shape: the new states become pending again, author and system events go.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE comment_revisions;
DROP INDEX comments_proposed;
UPDATE comments SET status = 'pending' WHERE status IN ('reject_proposed', 'withdrawn');
DELETE FROM moderation_events WHERE action NOT IN ('approve', 'reject', 'flag') OR actor_id IS NULL;
-- The CHECK constraints stay wider; the columns keep working with the older code.
ALTER TABLE moderation_events RENAME COLUMN actor_id TO moderator_id;
-- comments.proposed_by stays (SQLite cannot drop a column that references another table).
UPDATE comments SET proposed_by = NULL;
COMMIT;
PRAGMA foreign_keys = ON;
