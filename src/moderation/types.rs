use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::comments::screening::{Label, Screening};
use crate::comments::types::Comment;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

pub use crate::comments::types::{Action, ReasonCode};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    pub action: Action,
    /// Why, as a code (`GET /moderation/reasons`): a rejection needs a code or a reason; with
    /// `other` the reason is required. A reason without a code counts as `other`.
    pub reason_code: Option<ReasonCode>,
    /// Required to reject with the code `other`; a rejection's reason is shown to the author,
    /// other reasons only to moderators and the secretariat.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Internal note for other moderators and the secretariat.
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    pub document_id: Option<i64>,
    /// Only comments screening gave this label.
    pub label: Option<Label>,
    /// Only comments screening scored at least this (0–100).
    #[param(minimum = 0, maximum = 100)]
    pub min_score: Option<i32>,
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// Only comments on this draft.
    pub document_id: Option<i64>,
    /// How many to take, 1–50 (default 10).
    #[schema(minimum = 1, maximum = 50)]
    pub limit: Option<i64>,
}

/// The comments claimed, oldest first, and when the claim ends.
#[derive(Debug, Serialize, ToSchema)]
pub struct Claimed {
    pub items: Vec<Comment>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Released {
    /// Comments that went back to the queue.
    pub released: usize,
}

/// A reason code with its labels, for lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    pub code: ReasonCode,
    pub vi: &'static str,
    pub en: &'static str,
}

/// A comment in the queue, with what screening found in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedComment {
    #[serde(flatten)]
    pub comment: Comment,
    /// Absent for comments written before screening existed.
    pub screening: Option<Screening>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClusterQuery {
    pub document_id: Option<i64>,
    /// Only clusters of at least this many comments (default 2).
    #[param(minimum = 2)]
    pub min_size: Option<i64>,
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// Comments that say (nearly) the same thing: exact and near-duplicates of the cluster's first
/// comment, whose id is the cluster's.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cluster {
    pub id: i64,
    pub document_id: i64,
    /// Members, withdrawn ones aside.
    pub size: usize,
    /// The first comment's text.
    pub sample: String,
    /// Every member's id, oldest first.
    pub members: Vec<i64>,
    /// Members still waiting for a decision (pending, flagged, or a rejection proposed).
    pub waiting: Vec<i64>,
    /// The least Jaccard similarity (word shingles, 0–1) of a member to the first comment.
    pub min_similarity: f64,
}

/// One decision for every member of a cluster still waiting for it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterDecisionRequest {
    pub action: Action,
    pub reason_code: Option<ReasonCode>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Members left out of this decision (a campaign's edit that carries a real point).
    #[serde(default)]
    #[validate(length(max = 10000, message = "at most 10000 ids"))]
    pub except: Vec<i64>,
}

/// A member the decision was not applied to, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Skipped {
    pub id: i64,
    pub code: crate::error::ErrorCode,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterDecided {
    /// Members decided, each with its own history row and its author's notice.
    pub decided: Vec<i64>,
    /// Members in `except`, and waiting ones that could not take the decision (your own, or
    /// claimed by another moderator, or in a state the action does not start from).
    pub skipped: Vec<Skipped>,
}
