-- The bucket rows are an index the writer keeps beside each comment in the same transaction,
-- not facts of their own: each new comment adds ten of them. Their foreign key made
-- PostgreSQL look up and key-share-lock the comment once per row, and the index on
-- `comment_id` (used only when an edited or withdrawn comment leaves its buckets) doubled
-- every insert. Both go: a comment's buckets are found again from its text (primary key),
-- and a stale bucket is harmless, since every candidate is compared with its current text.
ALTER TABLE comment_buckets DROP CONSTRAINT comment_buckets_comment_id_fkey;
DROP INDEX comment_buckets_comment;
