//! Signing in and out from the pages: the same sign-in service as the API (throttling, locks,
//! audit), its session carried in an HttpOnly cookie.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::service::login;
use crate::accounts::service::sessions::{self, Ending};
use crate::accounts::types::LoginRequest;
use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::http::page::{
    cleared_cookie, html, lang, safe_next, see_other, session_cookie, CsrfForm, PageError, Shell,
    Visitor,
};
use crate::identity::{Lang, RequestMeta};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    shell: Shell,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

fn login_page(
    ctx: &Ctx,
    lang: Lang,
    email: String,
    next: String,
    error: Option<String>,
) -> LoginPage {
    let mut shell = Shell::anonymous(lang, "Đăng nhập", "Sign in");
    shell.organisation = ctx.settings.ui.organisation.clone();
    LoginPage {
        shell,
        email,
        next,
        error,
    }
}

#[get("/login")]
pub async fn login_form(ctx: Ctx, req: HttpRequest, query: web::Query<NextQuery>) -> HttpResponse {
    let next = safe_next(query.next.as_deref());
    html(
        actix_web::http::StatusCode::OK,
        &login_page(&ctx, lang(&req), String::new(), next, None),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// What a failed sign-in tells the person, as the API does.
fn failure(e: &AppError, lang: Lang) -> String {
    match e {
        AppError::InvalidCredentials => lang
            .pick(
                "Email hoặc mật khẩu không đúng.",
                "Email or password is incorrect.",
            )
            .to_owned(),
        AppError::TooManyAttempts { retry_after } => match lang {
            Lang::Vi => {
                format!("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry_after} giây.")
            }
            Lang::En => format!("Too many failed attempts. Try again in {retry_after} seconds."),
        },
        AppError::Validation(_) => lang
            .pick(
                "Vui lòng nhập email và mật khẩu.",
                "Enter your email and password.",
            )
            .to_owned(),
        AppError::Busy | AppError::Unavailable => lang
            .pick(
                "Hệ thống đang bận, vui lòng thử lại sau ít phút.",
                "The service is busy; try again in a moment.",
            )
            .to_owned(),
        other => other.to_string(),
    }
}

#[post("/login")]
pub async fn login_submit(
    ctx: Ctx,
    req: HttpRequest,
    meta: RequestMeta,
    form: web::Form<LoginForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let lang = lang(&req);
    if !crate::http::page::same_origin(&req, &ctx) {
        return actix_web::ResponseError::error_response(&PageError::App(
            AppError::Forbidden,
            lang,
        ));
    }
    let next = safe_next(form.next.as_deref());
    let request = LoginRequest {
        email: form.email.clone(),
        password: form.password,
    };
    match login::login(&ctx, &meta, request).await {
        Ok(signed_in) => {
            let mut res = see_other(&next);
            let _ = res.add_cookie(&session_cookie(&ctx, &signed_in.token));
            res
        }
        Err(e) => {
            let status = actix_web::ResponseError::status_code(&e);
            let page = login_page(&ctx, lang, form.email, next, Some(failure(&e, lang)));
            let mut res = html(status, &page);
            if let AppError::TooManyAttempts { retry_after } = e {
                if let Ok(v) =
                    actix_web::http::header::HeaderValue::from_str(&retry_after.to_string())
                {
                    res.headers_mut()
                        .insert(actix_web::http::header::RETRY_AFTER, v);
                }
            }
            res
        }
    }
}

#[post("/logout")]
pub async fn logout(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.check_csrf(&form.csrf)?;
    sessions::end(&ctx, &visitor.actor, &meta, Ending::This).await?;
    let mut res = see_other("/login");
    let _ = res.add_cookie(&cleared_cookie());
    Ok(res)
}

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    shell: Shell,
    sent: bool,
    email: String,
}

fn forgot_page(ctx: &Ctx, lang: Lang, sent: bool, email: String) -> ForgotPage {
    let mut shell = Shell::anonymous(lang, "Quên mật khẩu", "Forgot password");
    shell.organisation = ctx.settings.ui.organisation.clone();
    ForgotPage { shell, sent, email }
}

#[get("/forgot-password")]
pub async fn forgot_form(ctx: Ctx, req: HttpRequest) -> HttpResponse {
    html(
        actix_web::http::StatusCode::OK,
        &forgot_page(&ctx, lang(&req), false, String::new()),
    )
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

/// Always the same answer, whether or not the email has an account (as the API).
#[post("/forgot-password")]
pub async fn forgot_submit(
    ctx: Ctx,
    req: HttpRequest,
    meta: RequestMeta,
    form: web::Form<ForgotForm>,
) -> HttpResponse {
    let lang = lang(&req);
    if !crate::http::page::same_origin(&req, &ctx) {
        return actix_web::ResponseError::error_response(&PageError::App(
            AppError::Forbidden,
            lang,
        ));
    }
    let email = form.into_inner().email;
    let request = crate::accounts::types::ResetRequest {
        email: email.clone(),
    };
    match crate::accounts::service::passwords::request_reset(
        &ctx.clone().into_inner(),
        &meta,
        request,
    ) {
        Ok(()) => html(
            actix_web::http::StatusCode::OK,
            &forgot_page(&ctx, lang, true, String::new()),
        ),
        Err(e) => actix_web::ResponseError::error_response(&PageError::App(e, lang)),
    }
}
