//! Applying a checked roster: missing units are created along each path, people are added
//! (with an activation mail) or updated by email; nobody is deleted. One transaction.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::queries::{insert_user_row, normalize_email, UserRecord};
use crate::accounts::service::activation_for;
use crate::accounts::types::Role;
use crate::audit::{self, Entry};
use crate::config::Settings;
use crate::db::schema::{units, user_roles, users};
use crate::db::{now, write_tx, DbConn};
use crate::error::AppError;
use crate::http::ClientInfo;
use crate::mail::notices::Recipient;
use crate::roster::RosterRow;
use crate::units::queries::create_unit;

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

pub struct ImportContext<'a> {
    pub actor: Option<i64>,
    pub settings: &'a Settings,
    pub client: &'a ClientInfo,
    pub dry_run: bool,
}

/// Apply `rows` all or nothing; `progress` is told how many rows are done.
pub fn apply(
    conn: &mut DbConn,
    rows: &[RosterRow],
    ctx: &ImportContext<'_>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report, AppError> {
    let result = write_tx(conn, |conn| {
        let report = apply_in_tx(conn, rows, ctx, progress)?;
        if ctx.dry_run {
            Err(Stop::DryRun(report))
        } else {
            Ok(report)
        }
    });
    match result {
        Ok(report) => Ok(report),
        Err(Stop::DryRun(report)) => Ok(report),
        Err(Stop::Failed(e)) => Err(e),
    }
}

struct Existing {
    id: i64,
    full_name: String,
    unit_id: Option<i64>,
    roles: Vec<Role>,
}

fn apply_in_tx(
    conn: &mut DbConn,
    rows: &[RosterRow],
    ctx: &ImportContext<'_>,
    progress: &mut dyn FnMut(usize),
) -> Result<Report, Stop> {
    let mut report = Report {
        dry_run: ctx.dry_run,
        rows: rows.len(),
        ..Report::default()
    };
    // The unit tree, by (parent, name).
    let mut tree: HashMap<(Option<i64>, String), i64> = units::table
        .select((units::id, units::parent_id, units::name))
        .load::<(i64, Option<i64>, String)>(conn)?
        .into_iter()
        .map(|(id, parent, name)| ((parent, name), id))
        .collect();
    // Everyone already known, by normalised email.
    let mut existing: HashMap<String, Existing> = users::table
        .select((
            users::id,
            users::email_normalized,
            users::full_name,
            users::unit_id,
        ))
        .load::<(i64, String, String, Option<i64>)>(conn)?
        .into_iter()
        .map(|(id, email, full_name, unit_id)| {
            (
                email,
                Existing {
                    id,
                    full_name,
                    unit_id,
                    roles: Vec::new(),
                },
            )
        })
        .collect();
    let mut by_id: HashMap<i64, String> = existing.iter().map(|(e, u)| (u.id, e.clone())).collect();
    for (uid, role) in user_roles::table
        .select((user_roles::user_id, user_roles::role))
        .load::<(i64, String)>(conn)?
    {
        if let (Some(email), Some(role)) = (by_id.get(&uid), Role::parse(&role)) {
            if let Some(u) = existing.get_mut(email) {
                u.roles.push(role);
            }
        }
    }
    by_id.clear();

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
                    let id = create_unit(conn, ctx.actor, name, parent, ctx.client)?;
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
                let id = insert_user_row(conn, ctx.actor, &rec, ctx.client)?;
                let to = Recipient {
                    email: rec.email.clone(),
                    name: rec.full_name.clone(),
                    locale: "vi".into(),
                };
                activation_for(conn, id, &to, true, ctx.settings)?;
                existing.insert(
                    email,
                    Existing {
                        id,
                        full_name: rec.full_name,
                        unit_id,
                        roles: rec.roles,
                    },
                );
                report.created.push(row.email.clone());
            }
            Some(user) => {
                let mut roles = user.roles.clone();
                roles.sort();
                if user.full_name == row.full_name && user.unit_id == unit_id && roles == row.roles
                {
                    report.unchanged += 1;
                } else {
                    update(conn, user, row, unit_id, ctx)?;
                    report.updated.push(row.email.clone());
                }
            }
        }
        progress(done + 1);
    }
    audit::record(
        conn,
        Entry {
            actor_id: ctx.actor,
            action: "roster.import",
            entity: "roster",
            entity_id: None,
            detail: serde_json::json!({
                "rows": report.rows,
                "created": report.created.len(),
                "updated": report.updated.len(),
                "unchanged": report.unchanged,
                "units_created": report.units_created.len(),
            }),
        },
        ctx.client,
    )?;
    Ok(report)
}

fn update(
    conn: &mut DbConn,
    user: &mut Existing,
    row: &RosterRow,
    unit_id: Option<i64>,
    ctx: &ImportContext<'_>,
) -> Result<(), Stop> {
    diesel::update(users::table.find(user.id))
        .set((
            users::full_name.eq(&row.full_name),
            users::name_search.eq(crate::text::fold(&row.full_name)),
            users::unit_id.eq(unit_id),
            users::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let mut old_roles = user.roles.clone();
    old_roles.sort();
    if old_roles != row.roles {
        diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user.id))).execute(conn)?;
        for role in &row.roles {
            diesel::insert_into(user_roles::table)
                .values((
                    user_roles::user_id.eq(user.id),
                    user_roles::role.eq(role.as_str()),
                ))
                .execute(conn)?;
        }
    }
    audit::record(
        conn,
        Entry {
            actor_id: ctx.actor,
            action: if old_roles != row.roles {
                "user.roles_changed"
            } else {
                "user.updated"
            },
            entity: "user",
            entity_id: Some(user.id),
            detail: serde_json::json!({
                "source": "roster",
                "full_name": { "from": user.full_name, "to": row.full_name },
                "unit_id": { "from": user.unit_id, "to": unit_id },
                "roles": { "from": old_roles, "to": row.roles },
            }),
        },
        ctx.client,
    )?;
    user.full_name = row.full_name.clone();
    user.unit_id = unit_id;
    user.roles = row.roles.clone();
    Ok(())
}
