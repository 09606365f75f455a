//! The response register ("tiếp thu, giải trình"): how the drafting body handled each approved
//! comment and why, changed until the draft is archived, each change kept.
pub mod handlers;
pub mod pages;
pub mod service;
pub mod store;
pub mod types;
