//! Draft documents and their sections (Phần / Chương / Mục / Điều / Khoản / Điểm).
pub mod handlers;
pub mod queries;
pub mod types;
