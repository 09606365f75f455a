//! The unit tree: sibling names are unique, and a unit never moves under itself.

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::error::{AppError, ErrorCode};
use crate::identity::{actor_id, Actor, RequestMeta};
use crate::input::validated;
use crate::pagination::{Page, PageParams};
use crate::units::store;
use crate::units::types::{NewUnit, Unit, UnitPatch};

/// 422 on `field` unless the unit exists.
pub fn require_unit(conn: &mut DbConn, id: i64, field: &str) -> Result<(), AppError> {
    if !store::exists(conn, id)? {
        return Err(AppError::field(field, "no such unit"));
    }
    Ok(())
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Unit, AppError> {
    Ok(store::get(conn, id)?
        .ok_or(AppError::NotFound("unit"))?
        .into())
}

fn ensure_name_free(
    conn: &mut DbConn,
    name: &str,
    parent: Option<i64>,
    except: Option<i64>,
) -> Result<(), AppError> {
    if store::name_taken(conn, name, parent, except)? {
        return Err(AppError::conflict(
            ErrorCode::UnitExists,
            "a unit with this name already exists at this place in the tree",
        ));
    }
    Ok(())
}

/// Create a unit with its audit row; `actor` None is the system (CLI, roster, seed).
pub fn create(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    meta: &RequestMeta,
    new: NewUnit,
) -> Result<Unit, AppError> {
    let new = validated(new, |n| NewUnit {
        name: crate::text::clean(&n.name),
        ..n
    })?;
    write_tx(conn, |conn| {
        if let Some(parent) = new.parent_id {
            require_unit(conn, parent, "parent_id")?;
        }
        ensure_name_free(conn, &new.name, new.parent_id, None)?;
        let id = store::insert(conn, &new.name, new.parent_id, now())?;
        let detail = serde_json::json!({ "name": new.name, "parent_id": new.parent_id });
        audit::record(
            conn,
            actor_id(actor),
            meta,
            Event::new(AuditAction::UnitCreated, Some(id), detail),
        )?;
        get(conn, id)
    })
}

pub fn list(conn: &mut DbConn, page: PageParams) -> Result<Page<Unit>, AppError> {
    let page = page.keyset()?;
    let rows = store::list(conn, page)?;
    Ok(Page::from_rows(
        rows.into_iter().map(Unit::from).collect(),
        page.limit,
        |u| u.id,
    ))
}

/// Ids of `id` and every unit below it.
pub fn subtree(conn: &mut DbConn, id: i64) -> Result<Vec<i64>, AppError> {
    let all = store::all(conn)?;
    let mut out = vec![id];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|u| u.parent_id == Some(parent))
                .map(|u| u.id),
        );
        i += 1;
    }
    Ok(out)
}

/// Rename, move (never under itself or its own descendants) or (de)activate a unit.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    id: i64,
    patch: UnitPatch,
) -> Result<Unit, AppError> {
    let patch = validated(patch, |p| UnitPatch {
        name: p.name.map(|n| crate::text::clean(&n)),
        ..p
    })?;
    write_tx(conn, |conn| {
        let before = get(conn, id)?;
        let parent = patch.parent_id.unwrap_or(before.parent_id);
        if let Some(p) = parent.filter(|_| patch.parent_id.is_some()) {
            require_unit(conn, p, "parent_id")?;
            if subtree(conn, id)?.contains(&p) {
                return Err(AppError::conflict(
                    ErrorCode::UnitCycle,
                    "a unit cannot be moved under itself or one of its own sub-units",
                ));
            }
        }
        let name = patch.name.clone().unwrap_or(before.name.clone());
        if name != before.name || parent != before.parent_id {
            ensure_name_free(conn, &name, parent, Some(id))?;
        }
        let active = patch.active.unwrap_or(before.active);
        store::update(conn, id, &name, parent, active, now())?;
        let detail = serde_json::json!({
            "from": { "name": before.name, "parent_id": before.parent_id, "active": before.active },
            "to": { "name": name, "parent_id": parent, "active": active },
        });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::UnitUpdated, Some(id), detail),
        )?;
        get(conn, id)
    })
}
