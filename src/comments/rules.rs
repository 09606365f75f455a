//! The rules a submission must pass: a document the author may see, open for comments now
//! (its own window, or — once it has rounds — the round open now, for the author's unit), and a
//! section of that document's current text.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::comments::writer::Submission;
use crate::db::DbConn;
use crate::drafts::service::visible_to;
use crate::drafts::store::SectionOwner;
use crate::drafts::types::{DocumentRow, DocumentStatus};
use crate::error::{AppError, ErrorCode};
use crate::rounds::gate::{Gate, UnitTree};

/// Where an accepted submission goes: the version of the text and the round, if any.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub version: i32,
    pub round: Option<(i64, i32)>,
}

/// What a batch's rules need to know, read once per batch.
pub struct Rules {
    docs: HashMap<i64, Option<DocumentRow>>,
    gates: HashMap<i64, Gate>,
    sections: HashMap<i64, SectionOwner>,
    units: Option<UnitTree>,
}

impl Rules {
    pub fn load(conn: &mut DbConn, jobs: &[Submission]) -> QueryResult<Self> {
        let mut docs: HashMap<i64, Option<DocumentRow>> = HashMap::new();
        let mut gates = HashMap::new();
        for job in jobs {
            if let std::collections::hash_map::Entry::Vacant(slot) = docs.entry(job.document_id) {
                let doc = crate::drafts::store::find(conn, job.document_id)?;
                if doc.is_some() {
                    gates.insert(job.document_id, Gate::load(conn, job.document_id)?);
                }
                slot.insert(doc);
            }
        }
        let mut section_ids: Vec<i64> = jobs.iter().filter_map(|j| j.new.section_id).collect();
        section_ids.sort_unstable();
        section_ids.dedup();
        let sections = crate::drafts::store::owners(conn, &section_ids)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let units = if gates.values().any(Gate::needs_units) {
            let mut units: Vec<i64> = jobs.iter().filter_map(|j| j.author.unit_id).collect();
            units.sort_unstable();
            units.dedup();
            Some(UnitTree::above(conn, &units)?)
        } else {
            None
        };
        Ok(Self {
            docs,
            gates,
            sections,
            units,
        })
    }

    pub fn section(&self, id: i64) -> Option<&SectionOwner> {
        self.sections.get(&id)
    }

    pub fn check(&self, job: &Submission, at: NaiveDateTime) -> Result<Placement, AppError> {
        let doc = visible_to(
            self.docs.get(&job.document_id).cloned().flatten(),
            &job.author,
        )?;
        let gate = self.gates.get(&job.document_id).filter(|g| g.has_rounds());
        let round = match gate {
            Some(gate) => {
                check_open(doc.status, None, None, at)?;
                let r = gate.admit(job.author.unit_id, self.units.as_ref(), at)?;
                Some((r.id, r.number))
            }
            None => {
                check_open(
                    doc.status,
                    doc.opens_at.map(|t| t.naive_utc()),
                    doc.closes_at.map(|t| t.naive_utc()),
                    at,
                )?;
                None
            }
        };
        if let Some(s) = job.new.section_id {
            if self
                .sections
                .get(&s)
                .is_none_or(|o| o.document_id != job.document_id)
            {
                return Err(AppError::field(
                    "section_id",
                    "no such section in this document",
                ));
            }
        }
        Ok(Placement {
            version: doc.current_version,
            round,
        })
    }
}

/// 409 unless a document in `status` with this window takes comments at `at`.
pub fn check_open(
    status: DocumentStatus,
    opens_at: Option<NaiveDateTime>,
    closes_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    match status {
        DocumentStatus::Draft => Err(AppError::conflict(
            ErrorCode::ConsultationNotOpen,
            "the draft has not been published for consultation",
        )),
        DocumentStatus::Closed => Err(AppError::conflict(
            ErrorCode::ConsultationClosed,
            "the consultation has closed",
        )),
        DocumentStatus::Published if opens_at.is_some_and(|o| at < o) => Err(AppError::conflict(
            ErrorCode::ConsultationNotStarted,
            "the consultation has not opened yet",
        )),
        DocumentStatus::Published if closes_at.is_some_and(|c| at >= c) => Err(AppError::conflict(
            ErrorCode::ConsultationClosed,
            "the consultation has closed",
        )),
        DocumentStatus::Published => Ok(()),
    }
}
