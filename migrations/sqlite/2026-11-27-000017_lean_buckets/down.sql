CREATE TABLE comment_buckets_old (
    document_id BIGINT NOT NULL,
    bucket      BIGINT NOT NULL,
    comment_id  BIGINT NOT NULL REFERENCES comments (id),
    PRIMARY KEY (document_id, bucket, comment_id)
);
INSERT INTO comment_buckets_old (document_id, bucket, comment_id)
    SELECT document_id, bucket, comment_id FROM comment_buckets;
DROP TABLE comment_buckets;
ALTER TABLE comment_buckets_old RENAME TO comment_buckets;
CREATE INDEX comment_buckets_comment ON comment_buckets (comment_id);
