//! Comments (góp ý) on a section or on a whole draft.
pub mod batch;
mod bulk;
pub mod handlers;
pub mod idempotency;
pub mod queries;
pub mod types;
