-- Joining the audit chain took two round trips: wait for the chain's lock, then read the
-- newest row's hash. They cannot be one SELECT (its snapshot would be taken before the lock is
-- granted, and miss the row of the writer that held it); in a volatile function each statement
-- takes its own snapshot, so the read after the lock sees everything committed before it.
-- PostgreSQL only: SQLite has one writer at a time and reads the hash directly.
CREATE FUNCTION audit_chain_head(lock_key BIGINT) RETURNS TABLE (head TEXT)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT a.hash FROM audit_log a ORDER BY a.id DESC LIMIT 1;
END
$$;
