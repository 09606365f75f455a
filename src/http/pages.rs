//! The two pages mailed links open: choose a first password, or a new one after a reset, in
//! the shared page shell. The mailed token is in the URL fragment (never sent to a server), so
//! their script reads it and calls the API; the script is a file of its own, so the pages run
//! under a Content-Security-Policy that allows no inline script.

use actix_web::http::{header, StatusCode};
use actix_web::{get, HttpRequest, HttpResponse};

use crate::http::extract::Ctx;

const SCRIPT: &str = include_str!("pages/password.js");

/// Scripts, styles and requests only to this origin; no inline script; never framed.
pub const PAGE_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#[derive(askama::Template)]
#[template(path = "password.html")]
struct PasswordPage {
    shell: crate::http::page::Shell,
    endpoint: &'static str,
}

fn page(
    ctx: &Ctx,
    req: &HttpRequest,
    (vi, en): (&str, &str),
    endpoint: &'static str,
) -> HttpResponse {
    let mut shell = crate::http::page::Shell::anonymous(crate::http::page::lang(req), vi, en);
    shell.organisation = ctx.settings.ui.organisation.clone();
    crate::http::page::html(StatusCode::OK, &PasswordPage { shell, endpoint })
}

#[get("/activate")]
pub async fn activate_page(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    page(
        &ctx,
        &req,
        ("Kích hoạt tài khoản", "Activate your account"),
        "/api/v1/auth/activate",
    )
}

#[get("/reset-password")]
pub async fn reset_page(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    page(
        &ctx,
        &req,
        ("Đặt lại mật khẩu", "Choose a new password"),
        "/api/v1/auth/password-reset/confirm",
    )
}

#[get("/assets/password.js")]
pub async fn password_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(SCRIPT)
}
