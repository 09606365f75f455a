//! The audit log: one row per state change or authentication event, written in the same
//! transaction as the change, with who, what, when, from where.
pub mod chain;
pub mod handlers;
pub mod service;
pub mod store;
pub mod types;

pub use service::record;
pub use types::{AuditAction, Entity, Event};
