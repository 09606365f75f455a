//! Applying a checked roster: missing units are created along each path, people are added
//! (with an activation mail) or updated by email; nobody is deleted. One transaction.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::service::users as accounts;
use crate::accounts::store::users as user_store;
use crate::accounts::types::{normalize_email, Role, UserRecord};
use crate::audit::{self, AuditAction, Event};
use crate::config::Settings;
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::identity::{actor_id, Actor, RequestMeta};
use crate::roster::{err, parse, RosterRow};
use crate::units::service as units;
use crate::units::types::NewUnit;

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// Nothing was written: this is what the import would do.
    pub dry_run: bool,
    pub rows: usize,
    pub units_created: Vec<String>,
    /// Emails of the accounts created (each gets an activation mail).
    pub created: Vec<String>,
    /// Emails of the accounts whose name, unit or roles changed.
    pub updated: Vec<String>,
    pub unchanged: usize,
}

enum Stop {
    DryRun(Report),
    Failed(AppError),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Failed(e.into())
    }
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Stop::Failed(e)
    }
}

/// Who imports, how, and what to tell about progress.
pub struct Import<'a> {
    /// None: the system (the CLI).
    pub actor: Option<&'a Actor>,
    pub meta: &'a RequestMeta,
    pub settings: &'a Settings,
    pub dry_run: bool,
}

/// Check a roster file and apply it all or nothing; `progress` is told how many rows are done.
pub fn import(
    conn: &mut DbConn,
    data: &[u8],
    how: &Import<'_>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report, AppError> {
    let rows = parse(data).map_err(AppError::InvalidRows)?;
    // An admin cannot take their own admin role away here either (the last admin could
    // lock everyone out).
    if let Some(actor) = how.actor.filter(|a| a.has(Role::Admin)) {
        let own = normalize_email(&actor.email);
        let bad: Vec<_> = rows
            .iter()
            .filter(|r| normalize_email(&r.email) == own && !r.roles.contains(&Role::Admin))
            .map(|r| err(r.line, "roles", "you cannot remove your own admin role"))
            .collect();
        if !bad.is_empty() {
            return Err(AppError::InvalidRows(bad));
        }
    }
    let result = write_tx(conn, |conn| {
        let report = apply(conn, &rows, how, progress)?;
        if how.dry_run {
            Err(Stop::DryRun(report))
        } else {
            Ok(report)
        }
    });
    match result {
        Ok(report) | Err(Stop::DryRun(report)) => Ok(report),
        Err(Stop::Failed(e)) => Err(e),
    }
}

struct Existing {
    id: i64,
    full_name: String,
    unit_id: Option<i64>,
    roles: Vec<Role>,
}

fn apply(
    conn: &mut DbConn,
    rows: &[RosterRow],
    how: &Import<'_>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report, Stop> {
    let mut report = Report {
        dry_run: how.dry_run,
        rows: rows.len(),
        ..Report::default()
    };
    // The unit tree, by (parent, name).
    let mut tree: HashMap<(Option<i64>, String), i64> = crate::units::store::all(conn)?
        .into_iter()
        .map(|u| ((u.parent_id, u.name), u.id))
        .collect();
    // Everyone already known, by normalised email.
    let mut roles = user_store::all_roles(conn)?;
    let mut existing: HashMap<String, Existing> = user_store::all(conn)?
        .into_iter()
        .map(|u| {
            let known = Existing {
                id: u.id,
                full_name: u.full_name,
                unit_id: u.unit_id,
                roles: roles.remove(&u.id).unwrap_or_default(),
            };
            (u.email_normalized, known)
        })
        .collect();

    for (done, row) in rows.iter().enumerate() {
        let mut parent: Option<i64> = None;
        let mut path = String::new();
        for name in &row.unit_path {
            path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}/{name}")
            };
            let key = (parent, name.clone());
            let id = match tree.get(&key) {
                Some(id) => *id,
                None => {
                    let new = NewUnit {
                        name: name.clone(),
                        parent_id: parent,
                    };
                    let id = units::create(conn, how.actor, how.meta, new)?.id;
                    tree.insert(key, id);
                    report.units_created.push(path.clone());
                    id
                }
            };
            parent = Some(id);
        }
        let unit_id = parent;
        let email = normalize_email(&row.email);
        match existing.get_mut(&email) {
            None => {
                let rec = UserRecord {
                    email: row.email.clone(),
                    full_name: row.full_name.clone(),
                    unit_id,
                    roles: row.roles.clone(),
                    password_hash: None,
                };
                let id = accounts::insert(conn, how.actor, how.meta, &rec, how.settings)?;
                let known = Existing {
                    id,
                    full_name: rec.full_name,
                    unit_id,
                    roles: rec.roles,
                };
                existing.insert(email, known);
                report.created.push(row.email.clone());
            }
            Some(user) => {
                if user.full_name == row.full_name
                    && user.unit_id == unit_id
                    && user.roles == row.roles
                {
                    report.unchanged += 1;
                } else {
                    update(conn, user, row, unit_id, how)?;
                    report.updated.push(row.email.clone());
                }
            }
        }
        progress(done + 1);
    }
    let detail = serde_json::json!({
        "rows": report.rows,
        "created": report.created.len(),
        "updated": report.updated.len(),
        "unchanged": report.unchanged,
        "units_created": report.units_created.len(),
    });
    audit::record(
        conn,
        actor_id(how.actor),
        how.meta,
        Event::new(AuditAction::RosterImported, None, detail),
    )?;
    Ok(report)
}

fn update(
    conn: &mut DbConn,
    user: &mut Existing,
    row: &RosterRow,
    unit_id: Option<i64>,
    how: &Import<'_>,
) -> Result<(), Stop> {
    let at = now();
    user_store::set_name(conn, user.id, &row.full_name, at)?;
    user_store::set_unit(conn, user.id, unit_id, at)?;
    let roles_changed = user.roles != row.roles;
    if roles_changed {
        user_store::replace_roles(conn, user.id, &row.roles)?;
    }
    let action = if roles_changed {
        AuditAction::RolesChanged
    } else {
        AuditAction::UserUpdated
    };
    let detail = serde_json::json!({
        "source": "roster",
        "full_name": { "from": user.full_name, "to": row.full_name },
        "unit_id": { "from": user.unit_id, "to": unit_id },
        "roles": { "from": user.roles, "to": row.roles },
    });
    audit::record(
        conn,
        actor_id(how.actor),
        how.meta,
        Event::new(action, Some(user.id), detail),
    )?;
    user.full_name = row.full_name.clone();
    user.unit_id = unit_id;
    user.roles = row.roles.clone();
    Ok(())
}

/// `import` for a request: run on the pool, then drop this process's cached sessions (roles
/// may have changed for anyone).
pub async fn import_now(
    ctx: &crate::context::Context,
    actor: &Actor,
    meta: &RequestMeta,
    data: bytes::BytesMut,
    dry_run: bool,
) -> Result<Report, AppError> {
    let (actor, meta, settings) = (actor.clone(), meta.clone(), ctx.settings.clone());
    let report = ctx
        .db(move |conn| {
            let how = Import {
                actor: Some(&actor),
                meta: &meta,
                settings: &settings,
                dry_run,
            };
            import(conn, &data, &how, &mut |_| {})
        })
        .await?;
    ctx.sessions.clear();
    Ok(report)
}
