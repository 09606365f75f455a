use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{comment_response_history, comment_responses};
use crate::pagination::PageParams;

pub use crate::comments::response::Decision;

/// A response to one comment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseInput {
    pub decision: Decision,
    /// Giải trình: why (required unless accepted or noted), at most 4,000 characters.
    #[serde(default)]
    #[validate(length(max = 4000))]
    pub rationale: String,
    /// The section of the draft where the comment was taken into the text.
    pub applied_in_section_id: Option<i64>,
}

/// One response shared by many comments (a cluster, or all comments making one point).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedResponseInput {
    /// 1–1,000 approved comments of the draft.
    #[validate(length(min = 1, max = 1000))]
    pub comment_ids: Vec<i64>,
    pub decision: Decision,
    #[serde(default)]
    #[validate(length(max = 4000))]
    pub rationale: String,
    pub applied_in_section_id: Option<i64>,
}

impl SharedResponseInput {
    pub fn response(&self) -> ResponseInput {
        ResponseInput {
            decision: self.decision,
            rationale: self.rationale.clone(),
            applied_in_section_id: self.applied_in_section_id,
        }
    }
}

/// A comment's current response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Response {
    pub comment_id: i64,
    pub document_id: i64,
    pub decision: Decision,
    pub rationale: String,
    pub applied_in_section_id: Option<i64>,
    pub responded_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Earlier responses, oldest first (only when one comment's response is asked for).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ResponseChange>,
}

/// A response as it stood before a change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResponseChange {
    pub decision: Decision,
    pub rationale: String,
    pub applied_in_section_id: Option<i64>,
    pub responded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comment_responses)]
pub struct ResponseRow {
    pub comment_id: i64,
    pub document_id: i64,
    #[diesel(deserialize_as = String)]
    pub decision: Decision,
    pub rationale: String,
    pub applied_in_section_id: Option<i64>,
    pub responded_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<ResponseRow> for Response {
    fn from(r: ResponseRow) -> Self {
        Response {
            comment_id: r.comment_id,
            document_id: r.document_id,
            decision: r.decision,
            rationale: r.rationale,
            applied_in_section_id: r.applied_in_section_id,
            responded_by: r.responded_by,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            history: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comment_response_history)]
pub struct ChangeRow {
    pub comment_id: i64,
    #[diesel(deserialize_as = String)]
    pub decision: Decision,
    pub rationale: String,
    pub applied_in_section_id: Option<i64>,
    pub responded_by: i64,
    pub recorded_at: NaiveDateTime,
}

impl From<ChangeRow> for ResponseChange {
    fn from(r: ChangeRow) -> Self {
        ResponseChange {
            decision: r.decision,
            rationale: r.rationale,
            applied_in_section_id: r.applied_in_section_id,
            responded_by: r.responded_by,
            recorded_at: r.recorded_at.and_utc(),
        }
    }
}

/// A response as written: to `comment_responses` (current) and to its history.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = comment_responses)]
pub struct NewResponse<'a> {
    pub comment_id: i64,
    pub document_id: i64,
    pub decision: &'a str,
    pub rationale: &'a str,
    pub applied_in_section_id: Option<i64>,
    pub responded_by: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comment_response_history)]
pub struct NewChange<'a> {
    pub comment_id: i64,
    pub decision: &'a str,
    pub rationale: &'a str,
    pub applied_in_section_id: Option<i64>,
    pub responded_by: i64,
    pub recorded_at: NaiveDateTime,
}

/// Which responses to list (each filter optional), in comment order.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResponseQuery {
    /// Comments of this round (its number).
    pub round: Option<i32>,
    pub decision: Option<Decision>,
    /// Comments on this section.
    pub section_id: Option<i64>,
    /// Opaque cursor from a previous page's `next_cursor`.
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

impl ResponseQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}
