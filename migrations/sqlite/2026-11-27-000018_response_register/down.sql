ALTER TABLE documents DROP COLUMN archived_at;
DROP TABLE comment_response_history;
DROP TABLE comment_responses;
