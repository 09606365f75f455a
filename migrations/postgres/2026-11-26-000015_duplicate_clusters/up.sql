-- Near-duplicate clusters (issue 10 §3; src/comments/duplicates.rs). A comment that joins a
-- cluster holds the id of the cluster's first member (its anchor) in `cluster_id`; the anchor
-- holds its own id.
ALTER TABLE comments ADD COLUMN cluster_id BIGINT;
CREATE INDEX comments_cluster ON comments (cluster_id, id) WHERE cluster_id IS NOT NULL;

-- Locality-sensitive hashing: one row per band of the MinHash signature of each comment that
-- may anchor a cluster (members of a cluster add none: the anchor stands for them). A new
-- comment's candidates are the comments sharing any of its buckets in the same draft.
CREATE TABLE comment_buckets (
    document_id BIGINT NOT NULL,
    bucket      BIGINT NOT NULL,
    comment_id  BIGINT NOT NULL REFERENCES comments (id),
    PRIMARY KEY (document_id, bucket, comment_id)
);
CREATE INDEX comment_buckets_comment ON comment_buckets (comment_id);
