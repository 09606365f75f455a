use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::text::{clean, clean_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Rejected,
    Flagged,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 4] =
        [Self::Pending, Self::Approved, Self::Rejected, Self::Flagged];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Flagged => "flagged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub document_id: i64,
    /// Absent for a comment on the whole draft.
    pub section_id: Option<i64>,
    pub section_path: Option<String>,
    pub author_id: i64,
    pub author_name: String,
    /// The author's unit when the comment was made.
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub body: String,
    /// Proposed replacement wording, if any.
    pub proposed_text: Option<String>,
    pub status: CommentStatus,
    /// Quote this number when asking about the comment.
    pub receipt: String,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModerationEvent {
    pub id: i64,
    pub action: String,
    pub from_status: CommentStatus,
    pub to_status: CommentStatus,
    pub reason: Option<String>,
    /// Internal note; shown to moderators and the secretariat only.
    pub note: Option<String>,
    pub moderator_id: i64,
    pub moderator_name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommentDetail {
    #[serde(flatten)]
    pub comment: Comment,
    /// Moderation decisions, oldest first.
    pub history: Vec<ModerationEvent>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// The section commented on; absent = the whole draft.
    pub section_id: Option<i64>,
    #[validate(length(min = 1, max = 5000, message = "must be 1–5000 characters"))]
    pub body: String,
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    pub proposed_text: Option<String>,
}

impl NewComment {
    pub fn normalize(mut self) -> Self {
        self.body = clean(&self.body);
        self.proposed_text = clean_opt(self.proposed_text.as_deref());
        self
    }
}

pub(crate) type CommentRow = (
    (
        i64,
        i64,
        Option<i64>,
        i64,
        Option<i64>,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    ),
    (
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<String>,
        String,
        Option<String>,
    ),
);

impl From<CommentRow> for Comment {
    fn from((a, b): CommentRow) -> Self {
        Comment {
            id: a.0,
            document_id: a.1,
            section_id: a.2,
            author_id: a.3,
            unit_id: a.4,
            body: a.5,
            proposed_text: a.6,
            status: CommentStatus::parse(&a.7).unwrap_or(CommentStatus::Pending),
            receipt: a.8,
            reason: a.9,
            created_at: b.0.and_utc(),
            decided_at: b.1.map(|t| t.and_utc()),
            section_path: b.2,
            author_name: b.3,
            unit_name: b.4,
        }
    }
}
