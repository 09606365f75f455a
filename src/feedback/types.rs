use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::comments::response::Decision;
use crate::comments::types::CommentStatus;
use crate::comments::types::Names;
use crate::db::schema::{comment_responses, comments};
use crate::db::text_enum::Maybe;

crate::text_enum! {
    /// An export's file format.
    pub enum Format {
        /// UTF-8 with BOM, RFC 4180, CRLF: opens in Excel.
        Csv = "csv",
        /// `{document_id, title, items: [...]}`.
        Json = "json",
        /// A workbook: "Góp ý", "Theo mục", "Theo đơn vị".
        Xlsx = "xlsx",
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    /// `csv` (default), `json` or `xlsx`.
    pub format: Option<Format>,
    /// Only the comments of this round (its number).
    #[param(minimum = 1)]
    pub round: Option<i32>,
    /// Comments in this state (default `approved`).
    pub status: Option<CommentStatus>,
    /// Authors' names replaced by "Người góp ý 1", "Người góp ý 2" … in order of first
    /// appearance, the same person the same number throughout this export (the mapping is not
    /// kept anywhere); units stay.
    pub pseudonymize: Option<bool>,
}

impl ExportRow {
    /// The words of `kind`: rolled up from the level below, a unit's collective opinion, a
    /// person's.
    pub const KINDS: [&'static str; 3] = ["Cấp dưới gửi lên", "Tập thể đơn vị", "Cá nhân"];

    /// Whose opinion it is, in words: a person's, a unit's collective one, or one rolled up
    /// from the level below.
    pub fn kind(&self) -> &'static str {
        Self::kind_of(self.on_behalf_of_unit, self.contributed_by.is_some())
    }

    /// `kind` of a comment made on behalf of its unit or not, rolled up from below or not.
    pub fn kind_of(on_behalf_of_unit: bool, from_below: bool) -> &'static str {
        let [rolled_up, collective, personal] = Self::KINDS;
        match (on_behalf_of_unit, from_below) {
            (_, true) => rolled_up,
            (true, false) => collective,
            (false, false) => personal,
        }
    }

    /// The unit it speaks for: the body it came from when rolled up.
    pub fn unit(&self) -> &str {
        self.contributed_by
            .as_deref()
            .or(self.names.unit_name.as_deref())
            .unwrap_or("")
    }
}

/// One approved comment as exported.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct ExportRow {
    #[diesel(select_expression = comments::id)]
    pub comment_id: i64,
    pub author_id: i64,
    pub receipt: String,
    pub section_id: Option<i64>,
    #[diesel(embed)]
    pub names: Names,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub body: String,
    pub proposed_text: Option<String>,
    pub version: i32,
    /// The near-duplicate cluster it belongs to (its first comment's id).
    pub cluster_id: Option<i64>,
    pub on_behalf_of_unit: bool,
    pub contributed_by: Option<String>,
    /// The response recorded for it (tiếp thu, giải trình), if any.
    #[diesel(select_expression = comment_responses::decision.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<comment_responses::decision>)]
    #[diesel(deserialize_as = Option<String>)]
    pub decision: Maybe<Decision>,
    #[diesel(select_expression = comment_responses::rationale.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<comment_responses::rationale>)]
    pub rationale: Option<String>,
}

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub flagged: i64,
    /// Waiting for a second moderator to confirm a rejection.
    pub reject_proposed: i64,
    /// Taken back by their authors.
    pub withdrawn: i64,
    pub total: i64,
}

impl Counts {
    pub fn add(&mut self, status: CommentStatus, n: i64) {
        match status {
            CommentStatus::Pending => self.pending += n,
            CommentStatus::Approved => self.approved += n,
            CommentStatus::Rejected => self.rejected += n,
            CommentStatus::Flagged => self.flagged += n,
            CommentStatus::RejectProposed => self.reject_proposed += n,
            CommentStatus::Withdrawn => self.withdrawn += n,
        }
        self.total += n;
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SectionSummary {
    /// Absent for comments on the whole draft.
    pub section_id: Option<i64>,
    pub path: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitSummary {
    /// Absent for authors without a unit.
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub document_id: i64,
    pub totals: Counts,
    /// The whole draft first, then every section in reading order (zeros included).
    pub sections: Vec<SectionSummary>,
    /// Units that commented, by name.
    pub units: Vec<UnitSummary>,
    /// Comments per round (đợt), in order; `round` absent for comments made without rounds.
    pub rounds: Vec<RoundSummary>,
    /// Near-duplicates: never dropped, counted here and marked in the exports.
    pub duplicates: DuplicateCounts,
}

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct DuplicateCounts {
    /// Clusters of near-duplicate comments.
    pub clusters: i64,
    /// Comments in them (withdrawn ones aside).
    pub comments: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoundSummary {
    pub round: Option<i32>,
    #[serde(flatten)]
    pub counts: Counts,
}

/// A count of comments in one status, grouped by a key (section or unit).
#[derive(Debug, Queryable)]
pub struct GroupCount {
    pub key: Option<i64>,
    #[diesel(deserialize_as = String)]
    pub status: CommentStatus,
    pub n: i64,
}
