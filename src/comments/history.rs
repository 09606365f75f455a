//! A comment's history as read: moderation decisions, the author's edits and withdrawal, and
//! the text before each edit.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::comments::types::{Action, Comment, CommentStatus, ReasonCode};
use crate::db::schema::{moderation_events, users};
use crate::db::text_enum::Maybe;

crate::text_enum! {
    /// What happened to a comment, in its history: a moderator's decision, or its author's
    /// edit or withdrawal.
    pub enum EventAction {
        Approve = "approve",
        Reject = "reject",
        Flag = "flag",
        ConfirmReject = "confirm_reject",
        Edit = "edit",
        Withdraw = "withdraw",
    }
}

impl EventAction {
    /// (Vietnamese, English) labels for a history line.
    pub const fn labels(self) -> (&'static str, &'static str) {
        match self {
            EventAction::Approve => ("Duyệt", "Approved"),
            EventAction::Reject => ("Từ chối", "Rejected"),
            EventAction::Flag => ("Đánh dấu", "Flagged"),
            EventAction::ConfirmReject => ("Xác nhận từ chối", "Rejection confirmed"),
            EventAction::Edit => ("Tác giả sửa", "Edited by the author"),
            EventAction::Withdraw => ("Tác giả rút", "Withdrawn by the author"),
        }
    }
}

impl From<Action> for EventAction {
    fn from(a: Action) -> Self {
        match a {
            Action::Approve => EventAction::Approve,
            Action::Reject => EventAction::Reject,
            Action::Flag => EventAction::Flag,
            Action::ConfirmReject => EventAction::ConfirmReject,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModerationEvent {
    pub id: i64,
    pub action: EventAction,
    pub from_status: CommentStatus,
    pub to_status: CommentStatus,
    /// The reason given: shown to the author for a rejection; other reasons only to
    /// moderators and the secretariat.
    pub reason: Option<String>,
    pub reason_code: Option<ReasonCode>,
    /// Internal note; shown to moderators and the secretariat only.
    pub note: Option<String>,
    /// Who did it: a moderator, the secretariat, or the author (edit, withdraw); absent when
    /// screening flagged the comment by itself.
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = moderation_events)]
pub struct EventRow {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub action: EventAction,
    #[diesel(deserialize_as = String)]
    pub from_status: CommentStatus,
    #[diesel(deserialize_as = String)]
    pub to_status: CommentStatus,
    pub reason: Option<String>,
    #[diesel(deserialize_as = Option<String>)]
    pub reason_code: Maybe<ReasonCode>,
    pub note: Option<String>,
    pub actor_id: Option<i64>,
    #[diesel(select_expression = users::full_name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<users::full_name>)]
    pub actor_name: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommentDetail {
    #[serde(flatten)]
    pub comment: Comment,
    /// Moderation decisions and the author's edits, oldest first.
    pub history: Vec<ModerationEvent>,
    /// The text before each of the author's edits, oldest first (author and moderators only).
    pub revisions: Vec<Revision>,
}

/// A comment's text as it was before one of its author's edits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Revision {
    pub body: String,
    pub proposed_text: Option<String>,
    /// When this text was written (the comment, or the edit before).
    pub written_at: DateTime<Utc>,
    /// When the author's next edit replaced it.
    pub replaced_at: DateTime<Utc>,
}
