//! One error type for the whole service, with a stable machine-readable code from one list.
//! It knows nothing of HTTP: `http::problem` renders it as RFC 9457 problem+json.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub type FieldErrors = BTreeMap<String, Vec<String>>;

crate::text_enum! {
    /// Every code a problem can carry. Clients may rely on these; they never change meaning.
    pub enum ErrorCode {
        ValidationFailed = "validation_failed",
        BadRequest = "bad_request",
        InvalidRows = "invalid_rows",
        Unauthorized = "unauthorized",
        InvalidCredentials = "invalid_credentials",
        Forbidden = "forbidden",
        NotFound = "not_found",
        MethodNotAllowed = "method_not_allowed",
        PayloadTooLarge = "payload_too_large",
        UriTooLong = "uri_too_long",
        TooManyAttempts = "too_many_attempts",
        Unavailable = "unavailable",
        Busy = "busy",
        InternalError = "internal_error",
        AlreadyExists = "already_exists",
        EmailTaken = "email_taken",
        CannotChangeOwnAccess = "cannot_change_own_access",
        UnitExists = "unit_exists",
        UnitCycle = "unit_cycle",
        InvalidDocumentState = "invalid_document_state",
        DocumentNotDraft = "document_not_draft",
        ConsultationNotOpen = "consultation_not_open",
        ConsultationNotStarted = "consultation_not_started",
        ConsultationClosed = "consultation_closed",
        InvalidTransition = "invalid_transition",
        ClaimedByOther = "claimed_by_other",
        UnderReview = "under_review",
        RateLimited = "rate_limited",
        AlreadySent = "already_sent",
        UnsupportedMediaType = "unsupported_media_type",
        LegacyEncoding = "legacy_encoding",
        UnreadableFile = "unreadable_file",
        RoundsOverlap = "rounds_overlap",
        RoundStarted = "round_started",
        NotInAudience = "not_in_audience",
        VersionNotDraft = "version_not_draft",
        NotApproved = "not_approved",
        DocumentArchived = "document_archived",
        BundleMismatch = "bundle_mismatch",
        BundleTampered = "bundle_tampered",
    }
}

impl ErrorCode {
    /// What the code means, for the OpenAPI document.
    pub const fn meaning(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ValidationFailed => "422: the body or parameters are invalid; `errors` maps each field to its messages",
            BadRequest => "400: the request could not be read (malformed JSON, wrong content type)",
            InvalidRows => "422: an uploaded file has bad rows; `rows` lists line, column and reason, nothing was applied",
            Unauthorized => "401: no valid bearer token (absent, expired, idle too long or revoked)",
            InvalidCredentials => "401: unknown email or wrong password (indistinguishable)",
            Forbidden => "403: signed in, but your roles do not allow this",
            NotFound => "404: no such resource, or one you may not see",
            MethodNotAllowed => "405: the path exists but not with this method; see `Allow`",
            PayloadTooLarge => "413: the body is larger than this operation accepts",
            UriTooLong => "414: the request line or headers are too long",
            TooManyAttempts => "429: too many failed attempts; see `Retry-After`",
            Unavailable => "503: the database is unreachable or overloaded; retry after `Retry-After`",
            Busy => "503: too many sign-ins are being processed; retry after `Retry-After`",
            InternalError => "500: a fault on our side (never caused by input alone)",
            AlreadyExists => "409: a record with the same key already exists",
            EmailTaken => "409: an account with this email already exists",
            CannotChangeOwnAccess => "409: admins cannot deactivate themselves or drop their own admin role",
            UnitExists => "409: a unit with this name already exists under the same parent",
            UnitCycle => "409: a unit cannot be moved under itself or its own sub-units",
            InvalidDocumentState => "409: the document is not in the state this action starts from",
            DocumentNotDraft => "409: the document's text can no longer change (the consultation has closed)",
            ConsultationNotOpen => "409: the draft has not been published for comments",
            ConsultationNotStarted => "409: the consultation window has not opened yet",
            ConsultationClosed => "409: the consultation has closed",
            InvalidTransition => "409: the comment's current state does not allow this decision",
            RateLimited => "429: more comments in an hour than one person may make (`comments.max_per_hour`); `Retry-After` says when there is room again",
            ClaimedByOther => "409: another moderator has claimed the comment (the problem's `claim` says who and until when)",
            UnderReview => "409: a moderator is reviewing the comment; it can no longer be edited (it can still be withdrawn)",
            AlreadySent => "409: this mail has already been sent",
            UnsupportedMediaType => "415: the body's Content-Type is not one this operation reads",
            LegacyEncoding => "422: the file is typed in a legacy Vietnamese encoding (TCVN3/.VnTime, VNI) or is not UTF-8; convert it to Unicode first",
            UnreadableFile => "422: the file is damaged or not in the format its Content-Type names",
            RoundsOverlap => "409: the round's period overlaps another round of the same document",
            RoundStarted => "409: a round that has opened can no longer be changed",
            NotInAudience => "403: this round consults other units; you may read but not comment",
            VersionNotDraft => "409: only a draft version can be published",
            NotApproved => "409: only an approved comment gets a response (tiếp thu, giải trình)",
            DocumentArchived => "409: the draft is archived; its comments and responses can no longer change",
            BundleMismatch => "409: the feedback bundle is of another draft, another version of its text, or sections this draft does not have",
            BundleTampered => "422: the feedback bundle does not match its manifest: it was changed after export",
        }
    }
}

/// One bad row of an uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct RowError {
    /// Line in the file (the header is line 1).
    pub line: u64,
    pub column: String,
    pub reason: String,
}

/// Who holds a claim on a comment, and until when (in a 409 `claimed_by_other`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimHolder {
    pub moderator_id: i64,
    pub moderator_name: String,
    pub until: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request body or parameters are invalid")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("the file has {} bad row(s); nothing was applied", .0.len())]
    InvalidRows(Vec<RowError>),
    #[error("authentication required")]
    Unauthorized,
    #[error("email or password is incorrect")]
    InvalidCredentials,
    #[error("you do not have permission for this action")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("this path does not accept the method {method}")]
    MethodNotAllowed { method: String, allow: Vec<String> },
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String },
    /// 409: another moderator holds a claim on the comment.
    #[error("{} is working on this comment until {}", .0.moderator_name, .0.until.format("%Y-%m-%d %H:%M UTC"))]
    Claimed(Box<ClaimHolder>),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422 with a code of its own (a file that cannot be read, …).
    #[error("{detail}")]
    Unprocessable { code: ErrorCode, detail: String },
    /// 403 with a code of its own and an explanation.
    #[error("{detail}")]
    Denied { code: ErrorCode, detail: String },
    #[error("the request line or its headers are too long")]
    UriTooLong,
    #[error("too many failed attempts; try again in {retry_after} seconds")]
    TooManyAttempts { retry_after: i64 },
    #[error("too many comments in an hour; try again in {retry_after} seconds")]
    RateLimited { retry_after: i64 },
    #[error("the service is temporarily unavailable")]
    Unavailable,
    #[error("too many sign-ins are being processed; try again in a moment")]
    Busy,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn conflict(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn unprocessable(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Unprocessable {
            code,
            detail: detail.into(),
        }
    }

    pub fn denied(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Denied {
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

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::InvalidRows(_) => ErrorCode::InvalidRows,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            Self::Conflict { code, .. } => *code,
            Self::Claimed(_) => ErrorCode::ClaimedByOther,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::Unprocessable { code, .. } | Self::Denied { code, .. } => *code,
            Self::UriTooLong => ErrorCode::UriTooLong,
            Self::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Unavailable => ErrorCode::Unavailable,
            Self::Busy => ErrorCode::Busy,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match err {
            E::NotFound => Self::NotFound("resource"),
            E::DatabaseError(K::UniqueViolation, _) => Self::conflict(
                ErrorCode::AlreadyExists,
                "a record with the same key already exists",
            ),
            E::DatabaseError(K::SerializationFailure, _) => Self::Unavailable,
            // A connection that is gone (or left in a state it cannot be reused in): 503, and
            // the caller drops it from the pool.
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
