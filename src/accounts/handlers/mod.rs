//! Accounts over HTTP: sign-in and mailed links, your own sessions, accounts for admins.
pub mod auth;
pub mod extract;
pub mod me;
pub mod users;
