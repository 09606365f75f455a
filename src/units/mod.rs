//! Units: the organisation tree (Sở → Phòng …).
pub mod handlers;
pub mod service;
pub mod store;
pub mod types;
