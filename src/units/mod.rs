//! Units: the organisation tree (Sở → Phòng …).
pub mod handlers;
pub mod queries;
