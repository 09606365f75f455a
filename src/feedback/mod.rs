//! Feedback for the secretariat: streamed exports of approved comments and per-section /
//! per-unit summaries.
pub mod copy_export;
pub mod copy_store;
pub mod csv_file;
pub mod docx;
pub mod export;
pub mod handlers;
pub mod pages;
pub mod report;
pub mod service;
pub mod stats;
pub mod stats_store;
pub mod store;
pub mod types;
pub mod workbook;
pub mod xlsx;

/// How a comment on the whole draft is labelled where a section path would stand.
pub const WHOLE_DOCUMENT: &str = "Toàn bộ dự thảo";
