//! Accounts: sign-in, sessions, users and their roles.
pub mod handlers;
pub mod password;
pub mod queries;
pub mod sessions;
pub mod types;
