//! Moderation: the queue of pending and flagged comments, and decisions on them.
pub mod handlers;
pub mod queries;
