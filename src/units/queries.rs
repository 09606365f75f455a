use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Entry};
use crate::db::schema::units;
use crate::db::{now, DbConn};
use crate::error::AppError;
use crate::http::ClientInfo;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

type UnitRow = (i64, Option<i64>, String, bool, NaiveDateTime);

impl From<UnitRow> for Unit {
    fn from((id, parent_id, name, active, created_at): UnitRow) -> Self {
        Unit {
            id,
            parent_id,
            name,
            active,
            created_at: created_at.and_utc(),
        }
    }
}

const COLUMNS: (
    units::id,
    units::parent_id,
    units::name,
    units::active,
    units::created_at,
) = (
    units::id,
    units::parent_id,
    units::name,
    units::active,
    units::created_at,
);

/// 422 on `field` unless the unit exists.
pub fn require_unit(conn: &mut DbConn, id: i64, field: &str) -> Result<(), AppError> {
    let found = units::table
        .filter(units::id.eq(id))
        .count()
        .get_result::<i64>(conn)?;
    if found == 0 {
        return Err(AppError::field(field, "no such unit"));
    }
    Ok(())
}

pub fn get_unit(conn: &mut DbConn, id: i64) -> Result<Unit, AppError> {
    units::table
        .find(id)
        .select(COLUMNS)
        .first::<UnitRow>(conn)
        .optional()?
        .map(Unit::from)
        .ok_or(AppError::NotFound("unit"))
}

/// 409 if another unit under `parent` (other than `except`) already has `name`.
fn ensure_name_free(
    conn: &mut DbConn,
    name: &str,
    parent: Option<i64>,
    except: Option<i64>,
) -> Result<(), AppError> {
    let mut siblings = units::table.filter(units::name.eq(name)).into_boxed();
    siblings = match parent {
        Some(p) => siblings.filter(units::parent_id.eq(p)),
        None => siblings.filter(units::parent_id.is_null()),
    };
    if let Some(id) = except {
        siblings = siblings.filter(units::id.ne(id));
    }
    if siblings.count().get_result::<i64>(conn)? > 0 {
        return Err(AppError::conflict(
            "unit_exists",
            "a unit with this name already exists at this place in the tree",
        ));
    }
    Ok(())
}

/// Create a unit under `parent_id` with its audit row; sibling names are unique.
pub fn create_unit(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    name: &str,
    parent_id: Option<i64>,
    client: &ClientInfo,
) -> Result<i64, AppError> {
    crate::db::write_tx(conn, |conn| {
        if let Some(parent) = parent_id {
            require_unit(conn, parent, "parent_id")?;
        }
        ensure_name_free(conn, name, parent_id, None)?;
        let at = now();
        let id: i64 = diesel::insert_into(units::table)
            .values((
                units::name.eq(name),
                units::parent_id.eq(parent_id),
                units::created_at.eq(at),
                units::updated_at.eq(at),
            ))
            .returning(units::id)
            .get_result(conn)?;
        audit::record(
            conn,
            Entry {
                actor_id,
                action: "unit.create",
                entity: "unit",
                entity_id: Some(id),
                detail: serde_json::json!({ "name": name, "parent_id": parent_id }),
            },
            client,
        )?;
        Ok(id)
    })
}

pub fn list_units(conn: &mut DbConn, after: Option<i64>, limit: i64) -> QueryResult<Vec<Unit>> {
    let mut query = units::table
        .select(COLUMNS)
        .order(units::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(units::id.gt(after));
    }
    Ok(query
        .load::<UnitRow>(conn)?
        .into_iter()
        .map(Unit::from)
        .collect())
}

/// Ids of `id` and every unit below it.
fn subtree(conn: &mut DbConn, id: i64) -> QueryResult<Vec<i64>> {
    let all: Vec<(i64, Option<i64>)> = units::table
        .select((units::id, units::parent_id))
        .load(conn)?;
    let mut out = vec![id];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|(_, p)| *p == Some(parent))
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    Ok(out)
}

pub struct UnitChange {
    pub name: Option<String>,
    pub parent_id: Option<Option<i64>>,
    pub active: Option<bool>,
}

/// Rename, move (never under itself or its own descendants) or (de)activate a unit.
pub fn update_unit(
    conn: &mut DbConn,
    actor: i64,
    id: i64,
    change: &UnitChange,
    client: &ClientInfo,
) -> Result<(), AppError> {
    crate::db::write_tx(conn, |conn| {
        let before = get_unit(conn, id)?;
        let parent = change.parent_id.unwrap_or(before.parent_id);
        if let Some(p) = parent.filter(|_| change.parent_id.is_some()) {
            require_unit(conn, p, "parent_id")?;
            if subtree(conn, id)?.contains(&p) {
                return Err(AppError::conflict(
                    "unit_cycle",
                    "a unit cannot be moved under itself or one of its own sub-units",
                ));
            }
        }
        let name = change.name.clone().unwrap_or(before.name.clone());
        if name != before.name || parent != before.parent_id {
            ensure_name_free(conn, &name, parent, Some(id))?;
        }
        let active = change.active.unwrap_or(before.active);
        diesel::update(units::table.find(id))
            .set((
                units::name.eq(&name),
                units::parent_id.eq(parent),
                units::active.eq(active),
                units::updated_at.eq(now()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Entry {
                actor_id: Some(actor),
                action: "unit.update",
                entity: "unit",
                entity_id: Some(id),
                detail: serde_json::json!({
                    "from": { "name": before.name, "parent_id": before.parent_id, "active": before.active },
                    "to": { "name": name, "parent_id": parent, "active": active },
                }),
            },
            client,
        )?;
        Ok(())
    })
}
