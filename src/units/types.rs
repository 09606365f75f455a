use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::schema::units;
use crate::input::double_option;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: r.id,
            parent_id: r.parent_id,
            name: r.name,
            active: r.active,
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// New parent unit, or null for the top of the tree.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    /// false deactivates the unit (its people keep their accounts).
    pub active: Option<bool>,
}
