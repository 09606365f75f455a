//! Counts of a consultation grouped as the secretariat asks (`group_by=section,unit,…`), with
//! participation per unit over the unit's whole subtree.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::comments::response::Decision;
use crate::comments::types::CommentStatus;
use crate::db::DbConn;
use crate::drafts::service as drafts;
use crate::error::AppError;
use crate::feedback::stats_store::{self as store, GroupRow, Grouping};
use crate::feedback::WHOLE_DOCUMENT;
use crate::identity::Actor;

crate::text_enum! {
    /// What a row of statistics is per.
    pub enum Dimension {
        Section = "section",
        /// The author's unit, counting everything in its subtree.
        Unit = "unit",
        Round = "round",
        Status = "status",
        Decision = "decision",
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// One or several of `section`, `unit`, `round`, `status`, `decision`, comma separated.
    #[param(
        example = "unit",
        pattern = "^(section|unit|round|status|decision)(,(section|unit|round|status|decision))*$"
    )]
    pub group_by: String,
    /// Only the comments of this round (its number).
    #[param(minimum = 1)]
    pub round: Option<i32>,
}

/// One group. The fields of the dimensions not grouped by are null.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StatRow {
    pub section_id: Option<i64>,
    /// The section's path ("Toàn bộ dự thảo" for the whole draft) when grouped by section.
    pub section_path: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub round: Option<i32>,
    pub status: Option<CommentStatus>,
    /// The recorded response; null (with `decision` grouped) for none yet.
    pub decision: Option<Decision>,
    /// Comments, withdrawn ones aside.
    pub comments: i64,
    /// Of which a unit representative's, for the unit.
    pub collective: i64,
    /// People who made them.
    pub people: i64,
    /// Grouped by unit: active staff who may comment in the unit's subtree.
    pub staff: Option<i64>,
    /// Grouped by unit: `people` per 100 `staff`, one decimal.
    pub participation: Option<f64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub document_id: i64,
    pub group_by: Vec<Dimension>,
    pub round: Option<i32>,
    pub rows: Vec<StatRow>,
}

/// `section,unit` → the dimensions, each once, in the order given.
pub fn parse_dimensions(list: &str) -> Result<Vec<Dimension>, AppError> {
    let mut out = Vec::new();
    for part in list.split(',').map(str::trim) {
        let d: Dimension = part.parse().map_err(|_| {
            AppError::field(
                "group_by",
                "one or several of section, unit, round, status, decision",
            )
        })?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Counts of `document_id`'s comments (of round `round`) per group.
pub fn stats(
    conn: &mut DbConn,
    viewer: &Actor,
    document_id: i64,
    group_by: Vec<Dimension>,
    round: Option<i32>,
) -> Result<Stats, AppError> {
    drafts::get(conn, document_id, viewer)?;
    let rounds = crate::rounds::store::for_document(conn, document_id)?;
    let round_id = match round {
        Some(n) => Some(
            rounds
                .iter()
                .find(|r| r.number == n)
                .ok_or(AppError::NotFound("round"))?
                .id,
        ),
        None => None,
    };
    let has = |d| group_by.contains(&d);
    let by = Grouping {
        section: has(Dimension::Section),
        unit: has(Dimension::Unit),
        round: has(Dimension::Round),
        status: has(Dimension::Status),
        decision: has(Dimension::Decision),
    };
    let groups = store::grouped(conn, document_id, round_id, by)?;
    let numbers: HashMap<i64, i32> = rounds.iter().map(|r| (r.id, r.number)).collect();
    let order: Vec<(i64, String)> = drafts::commentable_history(conn, document_id)?;
    let sections: HashMap<i64, (usize, String)> = order
        .into_iter()
        .enumerate()
        .map(|(i, (id, path))| (id, (i + 1, path)))
        .collect();
    let mut rows = Vec::with_capacity(groups.len());
    for g in groups {
        rows.push(row_of(g, by, &numbers, &sections)?);
    }
    if by.unit {
        rows = per_subtree(conn, rows, group_by.len() == 1)?;
    }
    let place = |r: &StatRow| {
        r.section_id
            .and_then(|s| sections.get(&s).map(|p| p.0))
            .unwrap_or(0)
    };
    rows.sort_by(|a, b| {
        (place(a), &a.unit_name, a.round, a.status, a.decision).cmp(&(
            place(b),
            &b.unit_name,
            b.round,
            b.status,
            b.decision,
        ))
    });
    Ok(Stats {
        document_id,
        group_by,
        round,
        rows,
    })
}

fn row_of(
    g: GroupRow,
    by: Grouping,
    numbers: &HashMap<i64, i32>,
    sections: &HashMap<i64, (usize, String)>,
) -> Result<StatRow, AppError> {
    let internal = |e: crate::db::text_enum::UnknownValue| AppError::Internal(e.into());
    Ok(StatRow {
        section_id: g.section_id,
        section_path: by.section.then(|| {
            g.section_id
                .and_then(|s| sections.get(&s).map(|p| p.1.clone()))
                .unwrap_or_else(|| WHOLE_DOCUMENT.to_owned())
        }),
        unit_id: g.unit_id,
        unit_name: None,
        round: g.round_id.and_then(|r| numbers.get(&r).copied()),
        status: g.status.map(|s| s.parse()).transpose().map_err(internal)?,
        decision: g
            .decision
            .map(|s| s.parse())
            .transpose()
            .map_err(internal)?,
        comments: g.comments,
        collective: g.collective,
        people: g.people,
        staff: None,
        participation: None,
    })
}

/// Rows per unit over each unit's subtree: a unit's row adds up its own and every unit's
/// below it (an author belongs to one unit, so people add up too), with the subtree's staff.
/// `all_units`: list units nobody commented from as well (grouped by unit alone).
fn per_subtree(
    conn: &mut DbConn,
    rows: Vec<StatRow>,
    all_units: bool,
) -> Result<Vec<StatRow>, AppError> {
    let units = crate::units::store::all(conn)?;
    let staff: HashMap<Option<i64>, i64> = store::staff_by_unit(conn)?.into_iter().collect();
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    // Each unit with every unit above it (itself first).
    let chain = |mut id: i64| {
        let mut out = vec![id];
        while let Some(Some(p)) = parent.get(&id) {
            if out.contains(p) {
                break; // a loop in the tree would be a bug elsewhere; never spin on it
            }
            out.push(*p);
            id = *p;
        }
        out
    };
    let mut subtree_staff: HashMap<Option<i64>, i64> = HashMap::new();
    for (unit, n) in &staff {
        match unit {
            Some(u) => {
                for a in chain(*u) {
                    *subtree_staff.entry(Some(a)).or_default() += n;
                }
            }
            None => *subtree_staff.entry(None).or_default() += n,
        }
    }
    // Key: the unit, then the other dimensions of the row.
    type Key = (
        Option<i64>,
        Option<i64>,
        Option<i32>,
        Option<CommentStatus>,
        Option<Decision>,
    );
    let mut sums: BTreeMap<Key, StatRow> = BTreeMap::new();
    for r in rows {
        let targets: Vec<Option<i64>> = match r.unit_id {
            Some(u) => chain(u).into_iter().map(Some).collect(),
            None => vec![None],
        };
        for unit in targets {
            let key = (unit, r.section_id, r.round, r.status, r.decision);
            let sum = sums.entry(key).or_insert_with(|| StatRow {
                unit_id: unit,
                comments: 0,
                collective: 0,
                people: 0,
                ..r.clone()
            });
            sum.comments += r.comments;
            sum.collective += r.collective;
            sum.people += r.people;
        }
    }
    if all_units {
        for u in &units {
            sums.entry((Some(u.id), None, None, None, None))
                .or_insert_with(|| StatRow {
                    unit_id: Some(u.id),
                    ..StatRow::default()
                });
        }
    }
    let names: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    Ok(sums
        .into_values()
        .map(|mut r| {
            r.unit_name = r
                .unit_id
                .and_then(|u| names.get(&u).map(|n| (*n).to_owned()));
            let staff = subtree_staff.get(&r.unit_id).copied().unwrap_or(0);
            r.staff = Some(staff);
            r.participation = Some(rate(r.people, staff));
            r
        })
        .collect())
}

/// `people` per 100 `staff`, one decimal; 0 without staff.
pub fn rate(people: i64, staff: i64) -> f64 {
    if staff <= 0 {
        return 0.0;
    }
    (people as f64 * 1000.0 / staff as f64).round() / 10.0
}
