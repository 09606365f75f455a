use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

pub use crate::comments::types::Action;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    pub action: Action,
    /// Required to reject; a rejection's reason is shown to the author, other reasons only to
    /// moderators and the secretariat.
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
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}
