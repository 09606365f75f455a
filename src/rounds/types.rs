use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::schema::rounds;
use crate::text::clean_opt;

crate::text_enum! {
    /// Where a round stands now.
    pub enum RoundStatus {
        Scheduled = "scheduled",
        Open = "open",
        Closed = "closed",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rounds)]
pub struct RoundRow {
    pub id: i64,
    pub document_id: i64,
    pub number: i32,
    pub title: Option<String>,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub version: i32,
}

impl RoundRow {
    pub fn status(&self, at: NaiveDateTime) -> RoundStatus {
        if at < self.opens_at {
            RoundStatus::Scheduled
        } else if at < self.closes_at {
            RoundStatus::Open
        } else {
            RoundStatus::Closed
        }
    }

    /// "Đợt 2" or its title.
    pub fn name(&self) -> String {
        match &self.title {
            Some(t) => format!("Đợt {}: {t}", self.number),
            None => format!("Đợt {}", self.number),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Round {
    pub id: i64,
    pub document_id: i64,
    /// 1, 2, 3 … in order of creation within the document.
    pub number: i32,
    pub title: Option<String>,
    pub opens_at: DateTime<Utc>,
    /// Exclusive.
    pub closes_at: DateTime<Utc>,
    /// Units whose whole subtree may comment; empty = everyone.
    pub audience_unit_ids: Vec<i64>,
    /// The version of the text the round consults on.
    pub version: i32,
    pub status: RoundStatus,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRound {
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(max_length = 200)]
    pub title: Option<String>,
    pub opens_at: DateTime<Utc>,
    /// After `opens_at` and in the future; exclusive.
    pub closes_at: DateTime<Utc>,
    /// Units whose whole subtree may comment; empty or absent = everyone.
    #[validate(length(max = 1000, message = "at most 1000 units"))]
    #[schema(max_items = 1000)]
    pub audience_unit_ids: Option<Vec<i64>>,
}

impl NewRound {
    pub fn normalize(mut self) -> Self {
        self.title = clean_opt(self.title.as_deref());
        self.opens_at = self.opens_at.trunc_subsecs(6);
        self.closes_at = self.closes_at.trunc_subsecs(6);
        if let Some(ids) = self.audience_unit_ids.as_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        self
    }
}

/// Changes to a round that has not opened; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundPatch {
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(max_length = 200)]
    pub title: Option<String>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    #[validate(length(max = 1000, message = "at most 1000 units"))]
    #[schema(max_items = 1000)]
    pub audience_unit_ids: Option<Vec<i64>>,
}
