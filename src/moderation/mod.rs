//! Moderation: the queue of pending and flagged comments, and decisions on them.
pub mod clusters;
pub mod decisions;
pub mod digest;
pub mod handlers;
pub mod pages;
pub mod service;
pub mod store;
pub mod team_pages;
pub mod types;
