//! The two pages mailed links open: choose a first password, or a new one after a reset.
//! Served from the binary; their script and style are files of their own, so the pages run
//! under a Content-Security-Policy that allows no inline script.

use actix_web::http::header;
use actix_web::{get, HttpResponse};

const TEMPLATE: &str = include_str!("pages/password.html");
const SCRIPT: &str = include_str!("pages/password.js");
const STYLE: &str = include_str!("pages/password.css");

/// Scripts, styles and requests only to this origin; no inline script; never framed.
pub const PAGE_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn page(title: &str, endpoint: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .body(
            TEMPLATE
                .replace("{{TITLE}}", title)
                .replace("{{ENDPOINT}}", endpoint),
        )
}

#[get("/activate")]
pub async fn activate_page() -> HttpResponse {
    page("Kích hoạt tài khoản", "/api/v1/auth/activate")
}

#[get("/reset-password")]
pub async fn reset_page() -> HttpResponse {
    page("Đặt lại mật khẩu", "/api/v1/auth/password-reset/confirm")
}

#[get("/assets/password.js")]
pub async fn password_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(SCRIPT)
}

#[get("/assets/password.css")]
pub async fn password_style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLE)
}
