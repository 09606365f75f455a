//! gopy — góp ý dự thảo: a service for consulting staff on draft documents.
//!
//! Code is grouped by capability (accounts, units, drafts, comments, moderation, feedback,
//! mail), each with its handlers, queries and types; shared plumbing sits beside them.

pub mod accounts;
pub mod audit;
pub mod bench;
pub mod comments;
pub mod config;
pub mod db;
pub mod demo;
pub mod drafts;
pub mod error;
pub mod feedback;
pub mod http;
pub mod mail;
pub mod maintenance;
pub mod moderation;
pub mod openapi;
pub mod roster;
pub mod startup;
pub mod telemetry;
pub mod text;
pub mod units;
