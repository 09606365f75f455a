//! The nouns of accounts: roles, the views of a user and a session, and validated inputs.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::input::double_option;
use utoipa::ToSchema;
use validator::Validate;

use crate::db::schema::{sessions, units, users};

pub use crate::identity::{Locale, Role};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// Moderators: whether the daily digest of the queue is mailed to them.
    pub moderation_digest: bool,
    pub created_at: DateTime<Utc>,
}

/// A user row joined with its unit (roles are read apart).
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    #[diesel(select_expression = units::name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<units::name>)]
    pub unit_name: Option<String>,
    pub active: bool,
    pub moderation_digest: bool,
    pub created_at: NaiveDateTime,
}

impl UserRow {
    pub fn into_view(self, mut roles: Vec<Role>) -> UserView {
        roles.sort();
        UserView {
            id: self.id,
            email: self.email,
            full_name: self.full_name,
            unit_id: self.unit_id,
            unit_name: self.unit_name,
            roles,
            active: self.active,
            moderation_digest: self.moderation_digest,
            created_at: self.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 320, message = "email is required"))]
    #[schema(min_length = 1, max_length = 320)]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "password is required"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenPassword {
    /// The token from the mailed link.
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    /// 12–128 characters, not easy to guess.
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[validate(length(min = 1, max = 320, message = "email is required"))]
    #[schema(min_length = 1, max_length = 320)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(max_length = 1024)]
    pub current: String,
    /// 12–128 characters, not easy to guess.
    #[schema(min_length = 12, max_length = 128)]
    pub new: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[validate(email(message = "must be a valid email address"), length(max = 320))]
    #[schema(format = "email", max_length = 320)]
    pub email: String,
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    pub unit_id: Option<i64>,
    #[validate(length(min = 1, message = "at least one role is required"))]
    #[schema(min_items = 1)]
    pub roles: Vec<Role>,
    /// Optional: without one, the person gets an activation mail to choose it (12–128 characters).
    #[schema(min_length = 12, max_length = 128)]
    pub password: Option<String>,
}

impl NewUser {
    pub fn normalize(mut self) -> Self {
        self.email = self.email.trim().to_owned();
        self.full_name = crate::text::clean(&self.full_name);
        self.roles.sort();
        self.roles.dedup();
        self
    }
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: Option<String>,
    /// A unit id, or null for none.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub unit_id: Option<Option<i64>>,
    #[validate(length(min = 1, message = "at least one role is required"))]
    #[schema(min_items = 1)]
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    /// Language of mails.
    pub locale: Option<Locale>,
}

impl UserPatch {
    pub fn normalize(mut self) -> Self {
        self.full_name = self.full_name.map(|n| crate::text::clean(&n));
        if let Some(r) = self.roles.as_mut() {
            r.sort();
            r.dedup();
        }
        self
    }
}

/// What every path that creates an account (HTTP, CLI, roster, demo seed) hands over.
pub struct UserRecord {
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub roles: Vec<Role>,
    pub password_hash: Option<String>,
}

pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What you may change about your own account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeUpdate {
    /// Moderators: `false` stops the daily digest mail.
    pub moderation_digest: Option<bool>,
}
