use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::schema::{comments, rounds, sections, units, users};

pub use crate::comments::history::{
    CommentDetail, EventAction, EventRow, ModerationEvent, Revision,
};
use crate::db::text_enum::Maybe;
use crate::text::{clean, clean_opt};

crate::text_enum! {
    /// Where a comment stands in moderation.
    pub enum CommentStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Flagged = "flagged",
        /// A moderator proposed to reject it; a second moderator confirms or overturns.
        /// Its author still sees it as pending.
        RejectProposed = "reject_proposed",
        /// Its author took it back before a decision.
        Withdrawn = "withdrawn",
    }
}

crate::text_enum! {
    /// A moderator's decision. With four-eyes (`moderation.second_review`), `reject` proposes a
    /// rejection that another moderator confirms (`confirm_reject`) or overturns (`approve`).
    pub enum Action {
        Approve = "approve",
        Reject = "reject",
        Flag = "flag",
        ConfirmReject = "confirm_reject",
    }
}

crate::text_enum! {
    /// Why a comment was rejected (or flagged), as a code a team can count.
    pub enum ReasonCode {
        OffTopic = "off_topic",
        Abusive = "abusive",
        Spam = "spam",
        Duplicate = "duplicate",
        PersonalData = "personal_data",
        /// Free text required.
        Other = "other",
    }
}

impl ReasonCode {
    /// (Vietnamese, English) labels.
    pub const fn labels(self) -> (&'static str, &'static str) {
        match self {
            ReasonCode::OffTopic => ("Không liên quan đến dự thảo", "Off topic"),
            ReasonCode::Abusive => ("Ngôn từ xúc phạm, thù địch", "Abusive or hostile"),
            ReasonCode::Spam => ("Quảng cáo, rác", "Spam"),
            ReasonCode::Duplicate => ("Trùng lặp", "Duplicate"),
            ReasonCode::PersonalData => ("Chứa thông tin cá nhân", "Personal data"),
            ReasonCode::Other => ("Lý do khác", "Other"),
        }
    }
}

impl Action {
    /// The state machine: pending → approved | rejected | flagged; flagged → approved |
    /// rejected; with `second_review`, a rejection goes to reject_proposed first, which
    /// `confirm_reject` makes rejected and `approve` overturns.
    pub fn apply(self, from: CommentStatus, second_review: bool) -> Option<CommentStatus> {
        use CommentStatus::*;
        match (self, from) {
            (Action::Approve, Pending | Flagged | RejectProposed) => Some(Approved),
            (Action::Reject, Pending | Flagged) if second_review => Some(RejectProposed),
            (Action::Reject, Pending | Flagged) => Some(Rejected),
            (Action::Flag, Pending) => Some(Flagged),
            (Action::ConfirmReject, RejectProposed) => Some(Rejected),
            _ => None,
        }
    }
}

impl CommentStatus {
    /// (Vietnamese, English) labels as an author reads them.
    pub const fn labels(self) -> (&'static str, &'static str) {
        match self {
            CommentStatus::Pending => ("Chờ duyệt", "Pending"),
            CommentStatus::Approved => ("Đã duyệt", "Approved"),
            CommentStatus::Rejected => ("Không được chấp nhận", "Not accepted"),
            CommentStatus::Flagged => ("Đang xem xét", "Under review"),
            CommentStatus::RejectProposed => ("Đề xuất từ chối", "Rejection proposed"),
            CommentStatus::Withdrawn => ("Đã rút", "Withdrawn"),
        }
    }

    /// Still waiting for a decision (what an author may withdraw).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            CommentStatus::Pending | CommentStatus::Flagged | CommentStatus::RejectProposed
        )
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
    /// The round (đợt) it was made in, if the document has rounds.
    pub round: Option<i32>,
    /// The version of the text it was made on.
    pub version: i32,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The rejection's reason as a code.
    pub reason_code: Option<ReasonCode>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The moderator working on it, while their claim lasts.
    pub claimed_by: Option<i64>,
    pub claimed_until: Option<DateTime<Utc>>,
    /// Who proposed rejecting it, while the rejection waits for a second moderator.
    pub proposed_by: Option<i64>,
    /// The near-duplicate cluster it belongs to (the id of the cluster's first comment).
    pub cluster_id: Option<i64>,
    /// Made by a unit representative as the unit's collective opinion.
    pub on_behalf_of_unit: bool,
    /// The body one level below it was rolled up from ("Sở Nội vụ tỉnh …"), if imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributed_by: Option<String>,
    /// How the drafting body handled it, once recorded (on "my comments").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<crate::comments::response::SeenResponse>,
}

/// What every reader of a draft sees of an approved comment: its text and the author's unit,
/// never the author.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct PublicComment {
    pub id: i64,
    pub section_id: Option<i64>,
    pub body: String,
    pub proposed_text: Option<String>,
    #[diesel(select_expression = units::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<units::name>)]
    pub unit_name: Option<String>,
}

/// A comment joined with its author, unit and section.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub document_id: i64,
    pub section_id: Option<i64>,
    pub author_id: i64,
    pub unit_id: Option<i64>,
    pub body: String,
    pub proposed_text: Option<String>,
    #[diesel(deserialize_as = String)]
    pub status: CommentStatus,
    pub receipt: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub version: i32,
    pub claimed_by: Option<i64>,
    pub claimed_until: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Option<String>)]
    pub reason_code: Maybe<ReasonCode>,
    pub proposed_by: Option<i64>,
    pub cluster_id: Option<i64>,
    pub on_behalf_of_unit: bool,
    pub contributed_by: Option<String>,
    #[diesel(embed)]
    pub names: Names,
}

/// What a comment row is joined for: the path of its section, its author's and unit's names
/// (comments joined with users, and left-joined with units and sections).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct Names {
    #[diesel(select_expression = sections::path.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<sections::path>)]
    pub section_path: Option<String>,
    #[diesel(select_expression = users::full_name)]
    #[diesel(select_expression_type = users::full_name)]
    pub author_name: String,
    #[diesel(select_expression = units::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<units::name>)]
    pub unit_name: Option<String>,
    #[diesel(select_expression = rounds::number.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<rounds::number>)]
    pub round: Option<i32>,
}

impl From<CommentRow> for Comment {
    fn from(r: CommentRow) -> Self {
        Comment {
            id: r.id,
            document_id: r.document_id,
            section_id: r.section_id,
            section_path: r.names.section_path,
            author_id: r.author_id,
            author_name: r.names.author_name,
            unit_id: r.unit_id,
            unit_name: r.names.unit_name,
            body: r.body,
            proposed_text: r.proposed_text,
            status: r.status,
            receipt: r.receipt,
            round: r.names.round,
            version: r.version,
            reason: r.reason,
            reason_code: r.reason_code.0,
            created_at: r.created_at.and_utc(),
            decided_at: r.decided_at.map(|t| t.and_utc()),
            claimed_by: r.claimed_by,
            claimed_until: r.claimed_until.map(|t| t.and_utc()),
            proposed_by: r.proposed_by,
            cluster_id: r.cluster_id,
            on_behalf_of_unit: r.on_behalf_of_unit,
            contributed_by: r.contributed_by,
            response: None,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// The section commented on; absent = the whole draft.
    pub section_id: Option<i64>,
    /// Something visible: text of only spaces or invisible characters is refused.
    #[validate(length(min = 1, max = 5000, message = "must be 1–5000 characters"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: String,
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    #[schema(max_length = 20000)]
    pub proposed_text: Option<String>,
    /// The unit's collective opinion rather than the author's own (role
    /// `unit_representative`, with a unit): shown as the unit's and counted apart.
    #[serde(default)]
    pub on_behalf_of_unit: bool,
}

impl NewComment {
    pub fn normalize(mut self) -> Self {
        self.body = clean(&self.body);
        self.proposed_text = clean_opt(self.proposed_text.as_deref());
        self
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    /// Only comments on this section.
    pub section_id: Option<i64>,
    /// Only comments in this state (employees see approved ones and their own).
    pub status: Option<CommentStatus>,
    /// Only comments made on this version of the text.
    #[param(minimum = 1)]
    pub version: Option<i32>,
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Which comments a list reads.
pub struct CommentFilter {
    pub document_id: Option<i64>,
    /// Must be a section of `document_id` when both are given.
    pub section_id: Option<i64>,
    pub author_id: Option<i64>,
    pub statuses: Option<Vec<CommentStatus>>,
    pub version: Option<i32>,
    /// Non-privileged viewers: approved comments plus this user's own.
    pub approved_or_own: Option<i64>,
    /// Nothing while `document_id` is an unpublished draft (viewers who may not see drafts).
    pub hide_drafts: bool,
    pub newest_first: bool,
}

/// The terms screening looks for (admins keep the list).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningTerms {
    /// Each matched as whole words; written without diacritics, or with letters set apart
    /// ("d.m"), a comment still matches. At most 1,000 terms of 1–100 characters.
    #[validate(length(max = 1000, message = "at most 1000 terms"))]
    #[schema(max_items = 1000)]
    pub terms: Vec<String>,
}

/// An author's change to a pending comment: fields left out stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    #[validate(length(min = 1, max = 5000, message = "must be 1–5000 characters"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub body: Option<String>,
    /// `null` or empty removes the proposed wording.
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    #[schema(max_length = 20000, value_type = Option<String>)]
    pub proposed_text: Option<Option<String>>,
}

/// A comment's new text with its search forms.
pub struct NewText {
    pub body: String,
    pub proposed_text: Option<String>,
    pub text_search: String,
    pub text_lower: String,
}

/// A receipt number such as `GY-7K3QM-9XA2D` (Crockford base32, ~50 random bits).
pub fn new_receipt() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let mut part = || -> String {
        (0..5)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!("GY-{}-{}", part(), part())
}
