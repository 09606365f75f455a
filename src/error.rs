//! One error type for the whole service, rendered as RFC 9457 `application/problem+json`
//! with a stable machine-readable `code`.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request body or parameters are invalid")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("the file has {} bad row(s); nothing was applied", .0.len())]
    InvalidRows(Vec<crate::roster::RowError>),
    #[error("authentication required")]
    Unauthorized,
    #[error("email or password is incorrect")]
    InvalidCredentials,
    #[error("you do not have permission for this action")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("too many failed attempts; try again in {retry_after} seconds")]
    TooManyAttempts { retry_after: i64 },
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("too many sign-ins are being processed; try again in a moment")]
    Busy,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    /// A single-field validation failure.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Self::Validation(errors)
    }

    /// One line for people reading a terminal: the message plus any field errors.
    pub fn describe(&self) -> String {
        match self {
            Self::Validation(errors) => {
                let fields: Vec<String> = errors
                    .iter()
                    .map(|(field, messages)| format!("{field}: {}", messages.join("; ")))
                    .collect();
                format!("{self} ({})", fields.join(", "))
            }
            Self::Internal(err) => format!("{self}: {err:#}"),
            Self::InvalidRows(rows) => {
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| format!("line {}, {}: {}", r.line, r.column, r.reason))
                    .collect();
                format!("{self}\n  {}", lines.join("\n  "))
            }
            _ => self.to_string(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation_failed",
            Self::BadRequest(_) => "bad_request",
            Self::InvalidRows(_) => "invalid_rows",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict { code, .. } => code,
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::Unavailable => "unavailable",
            Self::Busy => "busy",
            Self::Internal(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::Validation(_) => "Invalid input",
            Self::BadRequest(_) => "Bad request",
            Self::InvalidRows(_) => "Invalid rows",
            Self::Unauthorized | Self::InvalidCredentials => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound(_) => "Not found",
            Self::Conflict { .. } => "Conflict",
            Self::PayloadTooLarge => "Payload too large",
            Self::TooManyAttempts { .. } => "Too many attempts",
            Self::Unavailable | Self::Busy => "Service unavailable",
            Self::Internal(_) => "Internal server error",
        }
    }
}

/// The problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `consultation_closed`.
    pub code: String,
    /// For 422: field → messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    /// For a rejected roster: every bad row (line, column, reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<crate::roster::RowError>>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::InvalidRows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if let Self::Internal(err) = self {
            tracing::error!(error = ?err, "internal error");
        }
        let problem = Problem {
            kind: format!("https://gopy.local/problems/{}", self.code()),
            title: self.title().to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code().to_owned(),
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
            rows: match self {
                Self::InvalidRows(rows) => Some(rows.clone()),
                _ => None,
            },
        };
        let mut builder = HttpResponse::build(status);
        builder.content_type("application/problem+json");
        match self {
            Self::Unavailable => {
                builder.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::Busy => {
                builder.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::TooManyAttempts { retry_after } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unauthorized | Self::InvalidCredentials => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        builder.json(problem)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match err {
            E::NotFound => Self::NotFound("resource"),
            E::DatabaseError(K::UniqueViolation, _) => Self::conflict(
                "already_exists",
                "a record with the same key already exists",
            ),
            E::DatabaseError(K::SerializationFailure, _) => Self::Unavailable,
            // A connection that is gone (or left in a state it cannot be reused in): 503, and
            // `http::db` drops it from the pool.
            e if crate::db::is_connection_lost(&e) => Self::Unavailable,
            other => Self::Internal(other.into()),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(err: r2d2::Error) -> Self {
        tracing::warn!(error = %err, "database connection unavailable");
        Self::Unavailable
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut out = FieldErrors::new();
        for (field, list) in errs.field_errors() {
            let messages = list
                .iter()
                .map(|e| {
                    e.message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| e.code.to_string())
                })
                .collect();
            out.insert(field.to_string(), messages);
        }
        Self::Validation(out)
    }
}
