//! Accounts' SQL: users and roles, sessions, mailed tokens, sign-in throttling.
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod users;
