//! HTTP-level tests: each test starts gopy on a random port with a fresh database.
//! SQLite by default; `GOPY_TEST_DATABASE_URL=postgres://…/postgres` runs the same suite on
//! PostgreSQL (one database per test, cloned from a migrated template).

mod db;
mod diff;
mod digest;
mod docx;
mod helpers;
mod mailbox;
mod workbook;
mod world;

mod accounts;
mod admin;
mod audit_chain;
mod auth;
mod claims;
mod cli;
mod cli_draft;
mod cluster;
mod collective;
mod comments;
mod contract;
mod documents;
mod duplicates;
mod edits;
mod escalation;
mod faults;
mod feedback;
mod four_eyes;
mod health;
mod idempotency;
mod import;
mod layout;
mod mail;
mod matrix;
mod matrix_table;
mod moderation;
mod pages;
mod probe;
mod process;
mod proxies;
mod rate_limit;
mod reasons;
mod report;
mod responses;
mod rollup;
mod roster;
mod rounds;
mod samples;
mod screening;
mod search;
mod sessions;
mod smtp;
mod stats;
mod upgrade;
mod versions;
