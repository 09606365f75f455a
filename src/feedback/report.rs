//! The Word report of a consultation: the approved comments in the reading order of the
//! sections, a cluster's members given once with their count, each with its response.

use std::collections::HashMap;

use chrono::{FixedOffset, NaiveDateTime};

use crate::comments::response::Decision;
use crate::db::DbConn;
use crate::drafts::service as drafts;
use crate::drafts::types::Document;
use crate::error::AppError;
use crate::feedback::docx::{self, Item, Numbers, Report};
use crate::feedback::{store, WHOLE_DOCUMENT};
use crate::identity::Actor;
use crate::rounds::store as rounds;

/// What the report is of, and who signs it.
pub struct Scope {
    pub document_id: i64,
    /// A round's number; None: the whole consultation.
    pub round: Option<i32>,
    pub organisation: String,
    pub offset: FixedOffset,
}

fn day(t: NaiveDateTime, offset: FixedOffset) -> String {
    t.and_utc()
        .with_timezone(&offset)
        .format("%d/%m/%Y")
        .to_string()
}

/// Whose opinion a row is, as the report names it: a unit's collective opinion, a body's
/// rolled-up contribution, or a person's of a unit.
pub fn speaker(row: &store::ReportRow) -> Option<String> {
    match (&row.contributed_by, &row.unit) {
        (Some(body), _) => Some(body.clone()),
        (None, Some(unit)) if row.on_behalf_of_unit => Some(format!("{unit} (ý kiến tập thể)")),
        (None, unit) => unit.clone(),
    }
}

/// Build the report (secretariat): the document it is of, and the DOCX bytes.
pub fn build(
    conn: &mut DbConn,
    viewer: &Actor,
    scope: Scope,
) -> Result<(Document, Vec<u8>), AppError> {
    let doc = drafts::get(conn, scope.document_id, viewer)?;
    let (round_id, period) = match scope.round {
        Some(n) => {
            let r = rounds::for_document(conn, doc.id)?
                .into_iter()
                .find(|r| r.number == n)
                .ok_or(AppError::NotFound("round"))?;
            let period = format!(
                "Đợt {n} (từ {} đến {})",
                day(r.opens_at, scope.offset),
                // `closes_at` is exclusive: the last day is the one before.
                day(r.closes_at - chrono::TimeDelta::seconds(1), scope.offset)
            );
            (Some(r.id), period)
        }
        None => (None, "Toàn bộ các đợt lấy ý kiến".to_owned()),
    };
    let tally = store::report_numbers(conn, doc.id, round_id)?;
    let staff = store::active_staff(conn)?;
    // Reading order: the whole draft first, then each section as the draft runs.
    let order: Vec<(i64, String)> = drafts::commentable_history(conn, doc.id)?;
    let position: HashMap<i64, (usize, String)> = order
        .into_iter()
        .enumerate()
        .map(|(i, (id, path))| (id, (i + 1, path)))
        .collect();
    // Each row with its section's place in the reading order.
    let mut groups: Vec<(usize, Item)> = Vec::new();
    let mut index: HashMap<(usize, i64, String, String), usize> = HashMap::new();
    for row in store::report_rows(conn, doc.id, round_id)? {
        let (pos, section) = match row.section_id.and_then(|s| position.get(&s)) {
            Some((p, path)) => (*p, path.clone()),
            None => (0, WHOLE_DOCUMENT.to_owned()),
        };
        let response = match row.decision.as_deref() {
            Some(d) => d
                .parse::<Decision>()
                .map_err(|e| AppError::Internal(e.into()))?
                .label()
                .to_owned(),
            None => "Chưa xử lý".to_owned(),
        };
        let rationale = row.rationale.clone().unwrap_or_default();
        // Members of one cluster with one response are one row.
        if let Some(c) = row.cluster_id {
            let key = (pos, c, response.clone(), rationale.clone());
            if let Some(&at) = index.get(&key) {
                groups[at].1.similar += 1;
                continue;
            }
            index.insert(key, groups.len());
        }
        let comment = match speaker(&row) {
            Some(who) => format!("{who}: {}", row.body),
            None => row.body,
        };
        groups.push((
            pos,
            Item {
                section,
                comment,
                similar: 0,
                response,
                rationale,
            },
        ));
    }
    // Stable: within a section, comments stay in the order they came.
    groups.sort_by_key(|g| g.0);
    let report = Report {
        organisation: scope.organisation,
        title: doc.title.clone(),
        period,
        numbers: Numbers { tally, staff },
        items: groups.into_iter().map(|g| g.1).collect(),
    };
    let bytes = docx::render(&report).map_err(AppError::Internal)?;
    Ok((doc, bytes))
}
