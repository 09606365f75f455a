//! Keyset pagination: every list answers `{items, next_cursor}`; the cursor is opaque to clients.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;

pub const DEFAULT_PAGE: i64 = 50;
pub const MAX_PAGE: i64 = 200;

/// The `cursor` and `limit` of a list request (flattened into each list's query).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Opaque cursor from a previous page's `next_cursor`.
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Where a page starts and how long it is, checked.
#[derive(Debug, Clone, Copy)]
pub struct Keyset {
    /// The id after which (or before which, for newest-first lists) the page starts.
    pub after: Option<i64>,
    pub limit: i64,
}

impl PageParams {
    /// The one entry point: check `limit` and decode `cursor`.
    pub fn keyset(&self) -> Result<Keyset, AppError> {
        let limit = match self.limit {
            None => DEFAULT_PAGE,
            Some(n) if (1..=MAX_PAGE).contains(&n) => n,
            Some(_) => return Err(AppError::field("limit", "must be between 1 and 200")),
        };
        let after = self.cursor.as_deref().map(decode_cursor).transpose()?;
        Ok(Keyset { after, limit })
    }
}

/// A cursor is the key the next page starts after: 1–18 digits. Any such string is a
/// cursor (past the end it gives an empty page), so the document can say exactly which
/// strings are accepted.
fn decode_cursor(raw: &str) -> Result<i64, AppError> {
    let digits = (1..=18).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| raw.parse().ok())
        .flatten()
        .ok_or_else(|| AppError::field("cursor", "must be the next_cursor of an earlier page"))
}

pub fn encode_cursor(id: i64) -> String {
    id.to_string()
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[schema(pattern = r"^[0-9]{1,18}$")]
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
}
