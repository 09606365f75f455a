-- New comments per person per clock hour (UTC), for `comments.max_per_hour`: one row read and
-- one written per author and batch, however many comments they have written.
CREATE TABLE comment_counts (
    author_id BIGINT NOT NULL REFERENCES users (id),
    hour      TIMESTAMP NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (author_id, hour)
);
