//! Headers every answer carries, and a refusal of over-long request lines as problem+json.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};

use crate::error::AppError;

/// Longest request target (path and query) served; longer ones answer 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Nothing may be framed, sniffed or referred; API answers are never cached (tokens, personal
/// data); a strict Content-Security-Policy unless a page set its own.
pub const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The interactive API page: scripts only from here, inline style attributes (the page's
/// framework writes them), its icons as data URIs.
pub const DOCS_CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'none'";

pub async fn headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let docs = req.path().starts_with("/docs");
    let target_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let mut res = if target_len > MAX_URI_BYTES {
        let refused = AppError::UriTooLong.error_response();
        req.into_response(refused).map_into_right_body()
    } else {
        next.call(req).await?.map_into_left_body()
    };
    let defaults: [(header::HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::CACHE_CONTROL,
            if docs { "no-cache" } else { "no-store" },
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            if docs { DOCS_CSP } else { DEFAULT_CSP },
        ),
    ];
    let h = res.headers_mut();
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    Ok(res)
}
