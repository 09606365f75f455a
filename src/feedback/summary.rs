use std::collections::HashMap;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comments, units};
use crate::db::DbConn;
use crate::drafts::queries::sections_in_order;
use crate::feedback::WHOLE_DOCUMENT;

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Counts {
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub flagged: i64,
    pub total: i64,
}

impl Counts {
    fn add(&mut self, status: &str, n: i64) {
        match CommentStatus::parse(status) {
            Some(CommentStatus::Pending) => self.pending += n,
            Some(CommentStatus::Approved) => self.approved += n,
            Some(CommentStatus::Rejected) => self.rejected += n,
            Some(CommentStatus::Flagged) => self.flagged += n,
            None => return,
        }
        self.total += n;
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SectionSummary {
    /// Absent for comments on the whole draft.
    pub section_id: Option<i64>,
    pub path: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitSummary {
    /// Absent for authors without a unit.
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub document_id: i64,
    pub totals: Counts,
    /// The whole draft first, then every section in reading order (zeros included).
    pub sections: Vec<SectionSummary>,
    /// Units that commented, by name.
    pub units: Vec<UnitSummary>,
}

pub fn summarise(conn: &mut DbConn, document_id: i64) -> QueryResult<Summary> {
    let by_section: Vec<(Option<i64>, String, i64)> = comments::table
        .filter(comments::document_id.eq(document_id))
        .group_by((comments::section_id, comments::status))
        .select((
            comments::section_id,
            comments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let by_unit: Vec<(Option<i64>, String, i64)> = comments::table
        .filter(comments::document_id.eq(document_id))
        .group_by((comments::unit_id, comments::status))
        .select((
            comments::unit_id,
            comments::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;

    let mut totals = Counts::default();
    let mut section_counts: HashMap<Option<i64>, Counts> = HashMap::new();
    for (section, status, n) in &by_section {
        totals.add(status, *n);
        section_counts.entry(*section).or_default().add(status, *n);
    }
    let mut sections = vec![SectionSummary {
        section_id: None,
        path: WHOLE_DOCUMENT.to_owned(),
        counts: section_counts.remove(&None).unwrap_or_default(),
    }];
    for s in sections_in_order(conn, document_id)? {
        sections.push(SectionSummary {
            section_id: Some(s.id),
            counts: section_counts.remove(&Some(s.id)).unwrap_or_default(),
            path: s.path,
        });
    }

    let mut unit_counts: HashMap<Option<i64>, Counts> = HashMap::new();
    for (unit, status, n) in &by_unit {
        unit_counts.entry(*unit).or_default().add(status, *n);
    }
    let ids: Vec<i64> = unit_counts.keys().flatten().copied().collect();
    let names: HashMap<i64, String> = units::table
        .filter(units::id.eq_any(&ids))
        .select((units::id, units::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let mut units: Vec<UnitSummary> = unit_counts
        .into_iter()
        .map(|(unit_id, counts)| UnitSummary {
            unit_id,
            unit_name: unit_id.and_then(|id| names.get(&id).cloned()),
            counts,
        })
        .collect();
    units.sort_by(|a, b| {
        (a.unit_name.is_none(), &a.unit_name, a.unit_id).cmp(&(
            b.unit_name.is_none(),
            &b.unit_name,
            b.unit_id,
        ))
    });
    Ok(Summary {
        document_id,
        totals,
        sections,
        units,
    })
}
