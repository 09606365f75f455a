DROP TABLE comment_buckets;
DROP INDEX comments_cluster;
ALTER TABLE comments DROP COLUMN cluster_id;
