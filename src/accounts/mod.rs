//! Accounts: sign-in, sessions, passwords, users and their roles.
pub mod admin;
pub mod auth_handlers;
pub mod me_handlers;
pub mod password;
pub mod policy;
pub mod queries;
pub mod service;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod types;
pub mod user_handlers;
