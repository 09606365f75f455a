//! Search with or without diacritics over drafts, sections and comments.
pub mod handlers;
pub mod service;
pub mod store;
pub mod types;
