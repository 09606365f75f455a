//! gopy — góp ý dự thảo: a service for consulting staff on draft documents.
//!
//! Code is grouped by capability (accounts, units, drafts, comments, moderation, feedback,
//! roster, audit, mail). Inside each: `handlers` (HTTP) → `service` (rules, transactions,
//! audit and outbox rows; takes an `Actor`) → `store` (SQL only). Shared plumbing beside
//! them: `config`, `context`, `db`, `error`, `identity`, `pagination`, `text`, and `http`.

pub mod accounts;
pub mod administration;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod cli;
pub mod comments;
pub mod config;
pub mod consultation;
pub mod context;
pub mod db;
pub mod demo;
pub mod drafts;
pub mod error;
pub mod feedback;
pub mod http;
pub mod identity;
pub mod input;
pub mod mail;
pub mod maintenance;
pub mod moderation;
pub mod pagination;
pub mod responses;
pub mod rollup;
pub mod roster;
pub mod rounds;
pub mod routes;
pub mod search;
pub mod startup;
pub mod telemetry;
pub mod text;
pub mod units;
