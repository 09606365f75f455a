//! Accounts' rules: who may sign in, how sessions end, passwords, and the accounts admins keep.
pub mod login;
pub mod passwords;
pub mod sessions;
pub mod users;
