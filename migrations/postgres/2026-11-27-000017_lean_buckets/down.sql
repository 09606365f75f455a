CREATE INDEX comment_buckets_comment ON comment_buckets (comment_id);
ALTER TABLE comment_buckets
    ADD CONSTRAINT comment_buckets_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments (id);
