//! Who may comment when, once a document has rounds: the round open at that moment decides,
//! and its audience (units with their sub-units) limits who.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConn;
use crate::error::{AppError, ErrorCode};
use crate::rounds::store;
use crate::rounds::types::RoundRow;
use crate::units::store as units;

/// A document's rounds, read once for a batch of submissions.
pub struct Gate {
    rounds: Vec<(RoundRow, HashSet<i64>)>,
}

/// Each unit's parent, to find the units above someone's.
pub struct UnitTree {
    parent: HashMap<i64, Option<i64>>,
}

impl UnitTree {
    /// The branches of the tree that `units` sit on (each of them and every unit above).
    pub fn above(conn: &mut DbConn, units: &[i64]) -> QueryResult<Self> {
        Ok(Self {
            parent: units::branches(conn, units)?.into_iter().collect(),
        })
    }

    pub fn load(conn: &mut DbConn) -> QueryResult<Self> {
        Ok(Self {
            parent: units::all(conn)?
                .into_iter()
                .map(|u| (u.id, u.parent_id))
                .collect(),
        })
    }

    /// `unit` and every unit above it.
    pub fn ancestors(&self, unit: i64) -> Vec<i64> {
        let mut out = vec![unit];
        let mut at = unit;
        while let Some(Some(p)) = self.parent.get(&at) {
            if out.contains(p) {
                break;
            }
            out.push(*p);
            at = *p;
        }
        out
    }

    /// Whether `unit` is one of `audience` or below one of them (an empty audience: everyone).
    pub fn within(&self, unit: Option<i64>, audience: &HashSet<i64>) -> bool {
        audience.is_empty()
            || unit.is_some_and(|u| self.ancestors(u).iter().any(|a| audience.contains(a)))
    }
}

impl Gate {
    pub fn load(conn: &mut DbConn, document_id: i64) -> QueryResult<Self> {
        let mut rounds = Vec::new();
        for r in store::for_document(conn, document_id)? {
            let audience = store::audience(conn, r.id)?.into_iter().collect();
            rounds.push((r, audience));
        }
        Ok(Self { rounds })
    }

    /// Whether the document has rounds (without, its own window applies).
    pub fn has_rounds(&self) -> bool {
        !self.rounds.is_empty()
    }

    /// Whether some round restricts its audience (then units must be looked up).
    pub fn needs_units(&self) -> bool {
        self.rounds.iter().any(|(_, a)| !a.is_empty())
    }

    /// The round someone in `unit` comments in at `at`: 409 when none is open (naming the
    /// next opening), 403 `not_in_audience` when the open one consults other units.
    pub fn admit(
        &self,
        unit: Option<i64>,
        tree: Option<&UnitTree>,
        at: NaiveDateTime,
    ) -> Result<&RoundRow, AppError> {
        let open = self
            .rounds
            .iter()
            .find(|(r, _)| r.opens_at <= at && at < r.closes_at);
        let Some((round, audience)) = open else {
            let next = self
                .rounds
                .iter()
                .filter(|(r, _)| r.opens_at > at)
                .min_by_key(|(r, _)| r.opens_at);
            let detail = match next {
                Some((r, _)) => format!(
                    "no round of this consultation is open; {} opens at {}",
                    r.name(),
                    r.opens_at.and_utc().to_rfc3339()
                ),
                None => "the consultation has closed: its last round has ended".to_owned(),
            };
            return Err(AppError::conflict(ErrorCode::ConsultationClosed, detail));
        };
        let admitted = match tree {
            Some(t) => t.within(unit, audience),
            None => audience.is_empty(),
        };
        if !admitted {
            return Err(AppError::denied(
                ErrorCode::NotInAudience,
                format!(
                    "{} consults other units; you may read the draft but not comment in this round",
                    round.name()
                ),
            ));
        }
        Ok(round)
    }
}
