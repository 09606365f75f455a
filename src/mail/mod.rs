//! Mail through a transactional outbox: events write rows in their own transaction, a worker
//! sends them with lettre (file transport by default, SMTP in production).
pub mod handlers;
pub mod notices;
pub mod service;
pub mod store;
pub mod templates;
pub mod transport;
pub mod types;
pub mod worker;
