//! Errors as RFC 9457 `application/problem+json`, with the stable code from `ErrorCode`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, ClaimHolder, ErrorCode, FieldErrors, RowError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; see the `ErrorCode` schema for the list.
    pub code: ErrorCode,
    /// For 422 `validation_failed`: field → messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
    /// For 422 `invalid_rows`: every bad row (line, column, reason).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowError>>,
    /// For 409 `claimed_by_other`: who holds the claim, and until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimHolder>,
    /// The request's id, as in its `X-Request-Id` header and in every log line it caused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

fn title(err: &AppError) -> &'static str {
    match err {
        AppError::Validation(_) => "Invalid input",
        AppError::BadRequest(_) => "Bad request",
        AppError::InvalidRows(_) => "Invalid rows",
        AppError::Unauthorized | AppError::InvalidCredentials => "Unauthorized",
        AppError::Forbidden => "Forbidden",
        AppError::NotFound(_) => "Not found",
        AppError::MethodNotAllowed { .. } => "Method not allowed",
        AppError::Conflict { .. } | AppError::Claimed(_) => "Conflict",
        AppError::PayloadTooLarge => "Payload too large",
        AppError::UnsupportedMediaType(_) => "Unsupported media type",
        AppError::Unprocessable { .. } => "Unprocessable content",
        AppError::Denied { .. } => "Forbidden",
        AppError::UriTooLong => "URI too long",
        AppError::TooManyAttempts { .. } => "Too many attempts",
        AppError::RateLimited { .. } => "Too many comments",
        AppError::Unavailable | AppError::Busy => "Service unavailable",
        AppError::Internal(_) => "Internal server error",
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::InvalidRows(_) | Self::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::Denied { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } | Self::Claimed(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::TooManyAttempts { .. } | Self::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
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
            title: title(self).to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: self.code(),
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
            rows: match self {
                Self::InvalidRows(rows) => Some(rows.clone()),
                _ => None,
            },
            claim: match self {
                Self::Claimed(holder) => Some((**holder).clone()),
                _ => None,
            },
            request_id: crate::http::request_id::current(),
        };
        let mut builder = HttpResponse::build(status);
        builder.content_type(PROBLEM_JSON);
        match self {
            Self::Unavailable => {
                builder.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::Busy => {
                builder.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::TooManyAttempts { retry_after } | Self::RateLimited { retry_after } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unauthorized | Self::InvalidCredentials => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed { allow, .. } => {
                builder.insert_header((header::ALLOW, allow.join(", ")));
            }
            _ => {}
        }
        builder.json(problem)
    }
}
