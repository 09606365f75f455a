//! The two pages mailed links open: choose a first password, or a new one after a reset.
//! Served from the binary; they post to the API and show its answer.

use actix_web::{get, HttpResponse};

const TEMPLATE: &str = include_str!("pages/password.html");

fn page(title: &str, endpoint: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'"))
        .body(TEMPLATE.replace("{{TITLE}}", title).replace("{{ENDPOINT}}", endpoint))
}

#[get("/activate")]
pub async fn activate_page() -> HttpResponse {
    page("Kích hoạt tài khoản", "/api/v1/auth/activate")
}

#[get("/reset-password")]
pub async fn reset_page() -> HttpResponse {
    page("Đặt lại mật khẩu", "/api/v1/auth/password-reset/confirm")
}
