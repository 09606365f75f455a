use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Employee,
    Moderator,
    Secretariat,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Employee,
        Role::Moderator,
        Role::Secretariat,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Moderator => "moderator",
            Role::Secretariat => "secretariat",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 320, message = "email is required"))]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "password is required"))]
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[validate(email(message = "must be a valid email address"), length(max = 320))]
    pub email: String,
    #[validate(length(min = 1, max = 200, message = "must be 1–200 characters"))]
    pub full_name: String,
    pub unit_id: Option<i64>,
    #[validate(length(min = 1, message = "at least one role is required"))]
    pub roles: Vec<Role>,
    /// Optional: without one, the person gets an activation mail to choose it.
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
