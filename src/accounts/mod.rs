//! Accounts: sign-in, sessions, passwords, users and their roles.
pub mod handlers;
pub mod pages;
pub mod policy;
pub mod service;
pub mod store;
pub mod throttle;
pub mod tokens;
pub mod types;
