//! Rounds: scheduling them (never overlapping within a document), changing one that has not
//! opened, listing them.

use chrono::NaiveDateTime;

use crate::audit::{self, AuditAction, Event};
use crate::db::{now, write_tx, DbConn};
use crate::drafts::service as drafts;
use crate::drafts::types::DocumentStatus;
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::rounds::store::{self, RoundInsert};
use crate::rounds::types::{NewRound, Round, RoundPatch, RoundRow};

fn view(conn: &mut DbConn, r: RoundRow, at: NaiveDateTime) -> Result<Round, AppError> {
    let audience_unit_ids = store::audience(conn, r.id)?;
    Ok(Round {
        id: r.id,
        document_id: r.document_id,
        number: r.number,
        status: r.status(at),
        title: r.title,
        opens_at: r.opens_at.and_utc(),
        closes_at: r.closes_at.and_utc(),
        audience_unit_ids,
        version: r.version,
    })
}

pub fn list(conn: &mut DbConn, viewer: &Actor, document_id: i64) -> Result<Vec<Round>, AppError> {
    let doc = drafts::get(conn, document_id, viewer)?;
    of_document(conn, &doc)
}

/// The rounds of a document already checked to be visible (`drafts::service::get`).
pub fn of_document(
    conn: &mut DbConn,
    doc: &crate::drafts::types::Document,
) -> Result<Vec<Round>, AppError> {
    let document_id = doc.id;
    let at = now();
    store::for_document(conn, document_id)?
        .into_iter()
        .map(|r| view(conn, r, at))
        .collect()
}

/// 422 unless the period ends after it starts and in the future; 409 if it overlaps another
/// round of the document.
fn check_period(
    conn: &mut DbConn,
    document_id: i64,
    except: Option<i64>,
    (opens_at, closes_at): (NaiveDateTime, NaiveDateTime),
    at: NaiveDateTime,
) -> Result<(), AppError> {
    if closes_at <= opens_at {
        return Err(AppError::field("closes_at", "must be after opens_at"));
    }
    if closes_at <= at {
        return Err(AppError::field("closes_at", "must be in the future"));
    }
    let other = store::for_document(conn, document_id)?
        .into_iter()
        .filter(|r| Some(r.id) != except)
        .find(|r| r.opens_at < closes_at && opens_at < r.closes_at);
    if let Some(r) = other {
        return Err(AppError::conflict(
            ErrorCode::RoundsOverlap,
            format!(
                "the period overlaps {} ({} – {})",
                r.name(),
                r.opens_at.and_utc().to_rfc3339(),
                r.closes_at.and_utc().to_rfc3339()
            ),
        ));
    }
    Ok(())
}

fn check_units(conn: &mut DbConn, ids: &[i64]) -> Result<(), AppError> {
    for id in ids {
        if !crate::units::store::exists(conn, *id)? {
            return Err(AppError::field(
                "audience_unit_ids",
                format!("no unit with id {id}"),
            ));
        }
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    new: NewRound,
) -> Result<Round, AppError> {
    let new = validated(new, NewRound::normalize)?;
    write_tx(conn, |conn| {
        let doc = drafts::get(conn, document_id, actor)?;
        if doc.status == DocumentStatus::Closed {
            return Err(AppError::conflict(
                ErrorCode::InvalidDocumentState,
                "the consultation has closed",
            ));
        }
        let at = now();
        let period = (new.opens_at.naive_utc(), new.closes_at.naive_utc());
        check_period(conn, document_id, None, period, at)?;
        let audience = new.audience_unit_ids.clone().unwrap_or_default();
        check_units(conn, &audience)?;
        let number = store::next_number(conn, document_id)?;
        let id = store::insert(
            conn,
            &RoundInsert {
                document_id,
                number,
                title: new.title.as_deref(),
                opens_at: period.0,
                closes_at: period.1,
                version: doc.current_version,
                by: actor.id,
                at,
            },
        )?;
        store::set_audience(conn, id, &audience)?;
        let detail = serde_json::json!({ "document_id": document_id, "number": number });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::RoundCreated, Some(id), detail),
        )?;
        let row = store::find(conn, document_id, id)?.ok_or(AppError::NotFound("round"))?;
        view(conn, row, at)
    })
}

/// Change a round that has not opened yet (409 `round_started` otherwise).
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    (document_id, round_id): (i64, i64),
    patch: RoundPatch,
) -> Result<Round, AppError> {
    let patch = validated(patch, |mut p: RoundPatch| {
        p.title = crate::text::clean_opt(p.title.as_deref());
        p.opens_at = p.opens_at.map(|t| chrono::SubsecRound::trunc_subsecs(t, 6));
        p.closes_at = p
            .closes_at
            .map(|t| chrono::SubsecRound::trunc_subsecs(t, 6));
        p
    })?;
    write_tx(conn, |conn| {
        drafts::get(conn, document_id, actor)?;
        let round = store::find(conn, document_id, round_id)?.ok_or(AppError::NotFound("round"))?;
        let at = now();
        if round.opens_at <= at {
            return Err(AppError::conflict(
                ErrorCode::RoundStarted,
                format!("{} has opened; it can no longer be changed", round.name()),
            ));
        }
        let opens_at = patch.opens_at.map_or(round.opens_at, |t| t.naive_utc());
        let closes_at = patch.closes_at.map_or(round.closes_at, |t| t.naive_utc());
        check_period(conn, document_id, Some(round_id), (opens_at, closes_at), at)?;
        let title = patch.title.clone().or(round.title.clone());
        store::update(conn, round_id, title.as_deref(), (opens_at, closes_at), at)?;
        if let Some(units) = &patch.audience_unit_ids {
            let mut units = units.clone();
            units.sort_unstable();
            units.dedup();
            check_units(conn, &units)?;
            store::set_audience(conn, round_id, &units)?;
        }
        let detail = serde_json::json!({ "document_id": document_id, "number": round.number });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::RoundUpdated, Some(round_id), detail),
        )?;
        let row = store::find(conn, document_id, round_id)?.ok_or(AppError::NotFound("round"))?;
        view(conn, row, at)
    })
}
