//! Search with or without diacritics over drafts, sections and comments.
pub mod service;
pub mod store;
