//! Feedback sent upward: a body exports its approved comments (with units and responses) as a
//! bundle with a SHA-256 manifest; the body one level up imports it into the same draft, where
//! the comments land under the matching sections as contributions from that body.
pub mod bundle;
pub mod handlers;
pub mod service;
pub mod store;
