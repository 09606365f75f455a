//! What a comment's author and its readers see of the drafting body's response to it (the
//! register itself is `crate::responses`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

crate::text_enum! {
    /// How the drafting body handled a comment.
    pub enum Decision {
        /// Tiếp thu: the text follows the comment.
        Accepted = "accepted",
        /// Tiếp thu một phần.
        PartlyAccepted = "partly_accepted",
        /// Không tiếp thu (the rationale says why).
        NotAccepted = "not_accepted",
        /// Ghi nhận: taken note of, nothing to change.
        Noted = "noted",
    }
}

impl Decision {
    /// The words of the report.
    pub fn label(self) -> &'static str {
        match self {
            Decision::Accepted => "Tiếp thu",
            Decision::PartlyAccepted => "Tiếp thu một phần",
            Decision::NotAccepted => "Không tiếp thu",
            Decision::Noted => "Ghi nhận",
        }
    }

    /// The same in English (mail to English-speaking accounts).
    pub fn label_en(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::PartlyAccepted => "partly accepted",
            Decision::NotAccepted => "not accepted",
            Decision::Noted => "noted",
        }
    }

    /// Not (fully) followed: the law asks for the reason.
    pub fn needs_rationale(self) -> bool {
        matches!(self, Decision::PartlyAccepted | Decision::NotAccepted)
    }
}

/// The response to a comment as its author sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SeenResponse {
    pub decision: Decision,
    /// The decision in the report's words ("Tiếp thu một phần").
    pub label: String,
    pub rationale: String,
    pub applied_in_section_id: Option<i64>,
    pub updated_at: DateTime<Utc>,
}
