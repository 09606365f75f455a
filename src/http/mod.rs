//! Shared HTTP plumbing: application state, running diesel off the async workers, pagination,
//! request-metadata for the audit log, and extractor error handlers that answer problem+json.

pub mod auth;
pub mod health;
pub mod lang;
pub mod pages;
pub mod session_cache;

use std::sync::Arc;

use actix_web::{error::JsonPayloadError, web, HttpRequest};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::password::Hasher;
use crate::config::Settings;
use crate::db::{DbConn, Pool};
use crate::error::{AppError, FieldErrors};

pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub hasher: Hasher,
    pub sessions: session_cache::SessionCache,
    pub batcher: crate::comments::batch::Batcher,
}

pub type State = web::Data<AppState>;

/// Run a closure on a pooled connection on actix's blocking thread pool.
pub async fn db<T, F>(state: &AppState, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        let result = f(&mut conn);
        if matches!(result, Err(AppError::Unavailable)) {
            conn.mark_broken();
        }
        result
    })
    .await?
}

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, AppError> {
        match self.limit {
            None => Ok(DEFAULT_PAGE),
            Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
            Some(_) => Err(AppError::field("limit", "must be between 1 and 200")),
        }
    }

    /// The id after which the page starts (keyset pagination).
    pub fn after(&self) -> Result<Option<i64>, AppError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

/// `(after, limit)` from a list's `cursor` and `limit` parameters.
pub fn keyset(cursor: Option<String>, limit: Option<i64>) -> Result<(Option<i64>, i64), AppError> {
    let page = PageParams { cursor, limit };
    Ok((page.after()?, page.limit()?))
}

fn decode_cursor(raw: &str) -> Result<i64, AppError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("id:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::field("cursor", "is not a cursor this service issued"))
}

pub fn encode_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("id:{id}"))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Build a page from up to `limit + 1` rows fetched in key order.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> i64) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(key(r)))
        } else {
            None
        };
        Page {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// Who made a request, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn from_request(req: &HttpRequest) -> Self {
        Self {
            ip: req.peer_addr().map(|a| a.ip().to_string()),
            user_agent: req
                .headers()
                .get(actix_web::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect()),
        }
    }
}

/// Malformed JSON is a 400; well-formed JSON of the wrong shape is a 422 naming the field.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app = match &err {
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            let msg = e.to_string();
            let field = msg
                .split('`')
                .nth(1)
                .filter(|_| msg.starts_with("missing field") || msg.starts_with("unknown field"))
                .unwrap_or("$")
                .to_owned();
            let mut errors = FieldErrors::new();
            errors.insert(field, vec![msg]);
            AppError::Validation(errors)
        }
        JsonPayloadError::Deserialize(e) => AppError::BadRequest(format!("malformed JSON: {e}")),
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            AppError::BadRequest("Content-Type must be application/json".into())
        }
        other => AppError::BadRequest(other.to_string()),
    };
    app.into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &HttpRequest,
) -> actix_web::Error {
    AppError::field("query", err.to_string()).into()
}

pub fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    let _ = err;
    AppError::NotFound("resource").into()
}
