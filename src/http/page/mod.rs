//! What every HTML page shares: the signed-in person from the session cookie (the same
//! server-side session a bearer token names), the CSRF token of that session, the page shell
//! (organisation, navigation, language), and errors shown as pages.

pub mod assets;
pub mod paging;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::http::extract::Ctx;
use crate::http::pages::PAGE_CSP;
use crate::identity::{Actor, Lang, Role};

/// The cookie that carries the session token to pages.
pub const COOKIE: &str = "gopy_session";

/// The per-session CSRF token: derived from the session token, which the page's own origin
/// holds only in an HttpOnly cookie, so another site can neither read nor compute it.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("gopy csrf\0{session_token}").as_bytes());
    hex::encode(&digest[..16])
}

/// The session cookie (HttpOnly, SameSite=Lax, Secure when the service is served over https).
pub fn session_cookie(ctx: &Ctx, token: &str) -> Cookie<'static> {
    Cookie::build(COOKIE, token.to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(ctx.settings.server.public_url.starts_with("https://"))
        .finish()
}

/// The cookie that ends the session in the browser.
pub fn cleared_cookie() -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, "").path("/").http_only(true).finish();
    c.make_removal();
    c
}

/// The language a page was asked in: `?lang=en` or `?lang=vi`.
pub fn asked_lang(req: &HttpRequest) -> Option<Lang> {
    req.query_string().split('&').find_map(|p| match p {
        "lang=en" => Some(Lang::En),
        "lang=vi" => Some(Lang::Vi),
        _ => None,
    })
}

/// The language of a page before sign-in: as asked, else Vietnamese.
pub fn lang(req: &HttpRequest) -> Lang {
    asked_lang(req).unwrap_or(Lang::Vi)
}

/// Someone signed in through the session cookie, with the CSRF token of that session.
pub struct Visitor {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
}

impl Visitor {
    /// 403 page unless the visitor holds `role`.
    pub fn require(&self, role: Role) -> Result<(), PageError> {
        if self.actor.has(role) {
            Ok(())
        } else {
            Err(PageError::App(AppError::Forbidden, self.lang))
        }
    }

    /// A form's unsafe request: it carries this session's token and the visitor holds `role`.
    pub fn may(&self, form: &CsrfForm, role: Role) -> Result<(), PageError> {
        self.check_csrf(&form.csrf)?;
        self.require(role)
    }

    /// Run `f` on a database connection; its error shown as a page in the visitor's language.
    pub async fn db<T, F>(&self, ctx: &Ctx, f: F) -> Result<T, PageError>
    where
        F: FnOnce(&mut crate::db::DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let lang = self.lang;
        ctx.db(f).await.map_err(|e| PageError::App(e, lang))
    }

    /// `db` for a read that may lag: from the replica, if one is configured and the visitor
    /// wrote nothing through this node lately (`Context::read`).
    pub async fn read<T, F>(&self, ctx: &Ctx, f: F) -> Result<T, PageError>
    where
        F: Fn(&mut crate::db::DbConn) -> Result<T, AppError> + Send + Sync + 'static,
        T: Send + 'static,
    {
        let lang = self.lang;
        ctx.read(self.actor.id, f)
            .await
            .map_err(|e| PageError::App(e, lang))
    }

    /// Refuse an unsafe request whose form does not carry this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if constant_time_eq(sent.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(PageError::App(AppError::Forbidden, self.lang))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Unsafe requests from pages must come from this origin: `Sec-Fetch-Site` same-origin (or
/// none, typed by the person) or, from browsers that do not send it, a matching `Origin`.
pub fn same_origin(req: &HttpRequest, ctx: &Ctx) -> bool {
    if req.method().is_safe() {
        return true;
    }
    let h = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match h("sec-fetch-site") {
        Some(site) => site == "same-origin" || site == "none",
        None => match h("origin") {
            Some(origin) => {
                let own = ctx.settings.server.public_url.trim_end_matches('/');
                let host = req.connection_info().host().to_owned();
                origin == own || origin.ends_with(&format!("://{host}"))
            }
            // No Origin and no Sec-Fetch-Site: not a browser's cross-site form.
            None => true,
        },
    }
}

/// A form with nothing but the session's CSRF token (a button that does one thing).
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// What a page answers when it cannot show itself.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session ended): to the sign-in page, then back here.
    SignIn(Option<String>),
    App(AppError, Lang),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::App(e, Lang::Vi)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::SignIn(_) => write!(f, "sign-in required"),
            PageError::App(e, _) => write!(f, "{e}"),
        }
    }
}

/// Where a sign-in may send someone back: a path on this site only.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn(_) => StatusCode::SEE_OTHER,
            PageError::App(e, _) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            PageError::SignIn(next) => {
                let next = safe_next(next.as_deref());
                let target = format!(
                    "/login?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish()
            }
            PageError::App(e, lang) => {
                if let AppError::Internal(err) = e {
                    tracing::error!(error = ?err, "internal error on a page");
                }
                let status = e.status_code();
                let page = crate::http::page::ErrorPage {
                    shell: Shell::anonymous(*lang, "Lỗi", "Error"),
                    status: status.as_u16(),
                    message: error_message(e, *lang),
                };
                html(status, &page)
            }
        }
    }
}

/// What a person reads for an error, in their language.
fn error_message(e: &AppError, lang: Lang) -> String {
    let vi = match e {
        AppError::NotFound(_) => "Không tìm thấy trang hoặc dự thảo này.".to_owned(),
        AppError::Forbidden | AppError::Denied { .. } => {
            "Anh/Chị không có quyền thực hiện thao tác này.".to_owned()
        }
        AppError::Unavailable | AppError::Busy => {
            "Hệ thống đang bận, vui lòng thử lại sau ít phút.".to_owned()
        }
        AppError::Internal(_) => "Đã có lỗi xảy ra. Vui lòng thử lại.".to_owned(),
        other => other.to_string(),
    };
    lang.pick(&vi, &e.to_string()).to_owned()
}

use crate::http::page::templates::ErrorPage;
pub use templates::Shell;

mod templates;

/// Render a template as a page response with the page CSP.
pub fn html<T: askama::Template>(status: StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Đã có lỗi xảy ra.")
        }
    }
}

/// Times as people here read them: "17:00 30/11/2026", on the configured clock.
pub fn local(t: chrono::DateTime<chrono::Utc>, ctx: &Ctx) -> String {
    t.with_timezone(&ctx.settings.display.offset())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

/// 303 to `to` (after a form: the next page is a GET).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// A posted form whose fields may repeat (a checkbox per item), read as its pairs.
pub struct Pairs(Vec<(String, String)>);

impl Pairs {
    pub fn parse(body: &[u8]) -> Self {
        Pairs(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of `name`, unless absent or blank.
    pub fn one(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A field's messages as the page's reader reads them: the services speak English (as the API
/// does); pages in Vietnamese translate the messages they know.
pub fn field_message(
    errors: &crate::error::FieldErrors,
    field: &str,
    lang: Lang,
) -> Option<String> {
    errors.get(field).map(|m| {
        m.iter()
            .map(|x| say(x, lang))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn say(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_owned();
    }
    if let Some(range) = message
        .strip_prefix("must be ")
        .and_then(|r| r.strip_suffix(" characters"))
    {
        return match range.strip_prefix("at most ") {
            Some(n) => format!("tối đa {n} ký tự"),
            None => format!("cần {range} ký tự"),
        };
    }
    match message {
        "a reason is required to reject a comment" => "Cần ghi lý do khi từ chối góp ý.",
        "a section needs a label, a heading or a body" => {
            "Một phần cần có nhãn, tiêu đề hoặc nội dung."
        }
        "no such section in this document" => "Không có phần này trong dự thảo.",
        "no such unit" => "Không có đơn vị này.",
        "at least one role is required" => "Cần chọn ít nhất một vai trò.",
        "must be a valid email address" => "Email không hợp lệ.",
        "email is required" => "Cần nhập email.",
        "choose how the comments were handled" => "Cần chọn hình thức tiếp thu.",
        "tick at least one comment" => "Cần chọn ít nhất một ý kiến.",
        other => other,
    }
    .to_owned()
}
