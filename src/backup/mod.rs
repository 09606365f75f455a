//! Copies of the embedded (SQLite) database: `gopy backup FILE` while the service runs,
//! `gopy restore FILE` while nothing has the database open. PostgreSQL has its own tools
//! (`pg_dump`, `pg_restore`), which these commands point to instead of imitating.

pub mod service;
mod store;
