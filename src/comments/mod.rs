//! Comments (góp ý) on a section or on a whole draft: submitted through the group-committing
//! writer, read by who may see them.
pub mod cluster_store;
pub mod duplicates;
pub mod edits;
pub mod events;
pub mod handlers;
pub mod history;
pub mod idempotency;
pub mod intake;
pub mod limit;
pub mod page_cache;
pub mod page_store;
pub mod pages;
pub mod response;
pub mod rules;
pub mod screening;
pub mod service;
pub mod store;
pub mod terms;
pub mod types;
pub mod writer;
