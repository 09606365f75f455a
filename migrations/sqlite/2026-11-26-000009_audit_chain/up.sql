-- The audit log as a hash chain: each row keeps the SHA-256 of its own content and of the row
-- before it (audit/chain.rs), so an edited, deleted or slipped-in row shows. Rows written
-- before this migration are chained, oldest first, by the first gopy that starts on it.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
