//! Draft documents and their sections (Phần / Chương / Mục / Điều / Khoản / Điểm).
pub mod handlers;
pub mod import;
pub mod service;
pub mod store;
pub mod types;
