-- The bucket rows are an index the writer keeps beside each comment in the same transaction,
-- not facts of their own (see the PostgreSQL migration): without the foreign key and the
-- index on `comment_id`, and clustered on the primary key (WITHOUT ROWID), since nothing
-- else reads them. Nothing references this table, so it is simply rebuilt.
CREATE TABLE comment_buckets_new (
    document_id BIGINT NOT NULL,
    bucket      BIGINT NOT NULL,
    comment_id  BIGINT NOT NULL,
    PRIMARY KEY (document_id, bucket, comment_id)
) WITHOUT ROWID;
INSERT INTO comment_buckets_new (document_id, bucket, comment_id)
    SELECT document_id, bucket, comment_id FROM comment_buckets;
DROP TABLE comment_buckets;
ALTER TABLE comment_buckets_new RENAME TO comment_buckets;
