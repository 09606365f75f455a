use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::audit_log;
use crate::pagination::PageParams;

crate::text_enum! {
    /// Every kind of event the log records.
    pub enum AuditAction {
        Login = "auth.login",
        LoginFailed = "auth.login_failed",
        LoginThrottled = "auth.login_throttled",
        AccountLocked = "auth.account_locked",
        Logout = "auth.logout",
        SessionRevoked = "auth.session_revoked",
        Activated = "auth.activated",
        PasswordChanged = "auth.password_changed",
        PasswordReset = "auth.password_reset",
        ResetRequested = "auth.reset_requested",
        ResetLimited = "auth.reset_limited",
        Unlocked = "auth.unlocked",
        UserCreated = "user.create",
        UserUpdated = "user.updated",
        RolesChanged = "user.roles_changed",
        UserDeactivated = "user.deactivated",
        UserReactivated = "user.reactivated",
        UnitCreated = "unit.create",
        UnitUpdated = "unit.update",
        DocumentCreated = "document.create",
        DocumentPublished = "document.publish",
        DocumentClosed = "document.close",
        DocumentArchived = "document.archive",
        SectionCreated = "section.create",
        DocumentImported = "document.import",
        VersionPublished = "document.version.publish",
        RoundCreated = "round.create",
        RoundUpdated = "round.update",
        CommentCreated = "comment.create",
        CommentModerated = "comment.moderate",
        CommentEdited = "comment.edit",
        CommentWithdrawn = "comment.withdraw",
        CommentResponded = "comment.respond",
        FeedbackImported = "feedback.import",
        RosterImported = "roster.import",
        MailRetried = "mail.retry",
        ScreeningTermsChanged = "screening.terms",
    }
}

crate::text_enum! {
    /// What an event is about.
    pub enum Entity {
        User = "user",
        Unit = "unit",
        Document = "document",
        Section = "section",
        Round = "round",
        Comment = "comment",
        Roster = "roster",
        Mail = "mail",
        Screening = "screening",
    }
}

impl AuditAction {
    /// The kind of thing the event's `entity_id` names.
    pub const fn entity(self) -> Entity {
        use AuditAction::*;
        match self {
            Login | LoginFailed | LoginThrottled | AccountLocked | Logout | SessionRevoked
            | Activated | PasswordChanged | PasswordReset | ResetRequested | ResetLimited
            | Unlocked | UserCreated | UserUpdated | RolesChanged | UserDeactivated
            | UserReactivated => Entity::User,
            UnitCreated | UnitUpdated => Entity::Unit,
            DocumentCreated | DocumentPublished | DocumentClosed | DocumentArchived
            | DocumentImported | VersionPublished | FeedbackImported => Entity::Document,
            RoundCreated | RoundUpdated => Entity::Round,
            SectionCreated => Entity::Section,
            CommentCreated | CommentModerated | CommentEdited | CommentWithdrawn
            | CommentResponded => Entity::Comment,
            RosterImported => Entity::Roster,
            MailRetried => Entity::Mail,
            ScreeningTermsChanged => Entity::Screening,
        }
    }
}

/// One event to record.
pub struct Event {
    pub action: AuditAction,
    pub entity_id: Option<i64>,
    /// What changed (never a password or token); `Value::Null` for nothing more.
    pub detail: Value,
}

impl Event {
    pub fn new(action: AuditAction, entity_id: Option<i64>, detail: Value) -> Self {
        Self {
            action,
            entity_id,
            detail,
        }
    }
}

/// A row as written.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditRow {
    pub actor_id: Option<i64>,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    /// Filled in by `chain::link` as the row joins the chain.
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    #[diesel(deserialize_as = String)]
    pub action: AuditAction,
    #[diesel(deserialize_as = String)]
    pub entity: Entity,
    pub entity_id: Option<i64>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub action: AuditAction,
    pub entity: Entity,
    pub entity_id: Option<i64>,
    /// What changed (never a password or token).
    #[schema(value_type = Option<Object>)]
    pub detail: Option<Value>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            id: r.id,
            actor_id: r.actor_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            detail: r.detail.and_then(|d| serde_json::from_str(&d).ok()),
            ip: r.ip,
            user_agent: r.user_agent,
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub action: Option<AuditAction>,
    pub entity: Option<Entity>,
    pub entity_id: Option<i64>,
    pub actor_id: Option<i64>,
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}
