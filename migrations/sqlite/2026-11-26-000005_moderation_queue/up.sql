-- The moderation queue: the comments waiting for a decision, in id order. They are the newest
-- few among many decided ones, so a scan of all comments in id order (which the planner
-- chose, expecting them spread evenly) read through every decided comment first: 250 ms with
-- a million in the table. The queue query names these statuses literally (moderation/queries.rs,
-- QUEUE_CONDITION) so that both databases can prove it matches this index.
CREATE INDEX comments_queue ON comments (id) WHERE status IN ('pending', 'flagged');
