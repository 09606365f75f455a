DROP INDEX comments_queue;
