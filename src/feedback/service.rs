//! What the secretariat reads out of a consultation: exports and counts.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::Stream;

use crate::context::Context;
use crate::db::DbConn;
use crate::drafts::service as drafts;
use crate::drafts::types::Document;
use crate::error::AppError;
use crate::feedback::types::{Counts, Format, RoundSummary, SectionSummary, Summary, UnitSummary};
use crate::feedback::{copy_export, export, store, workbook, WHOLE_DOCUMENT};
use crate::identity::Actor;
use futures_util::future::Either;

/// An export ready to stream: the document it is of, and its bytes.
pub struct Download<S> {
    pub document: Document,
    pub format: Format,
    pub body: S,
}

/// What an export asks for (from the query).
pub struct Wanted {
    pub format: Format,
    pub round: Option<i32>,
    pub status: crate::comments::types::CommentStatus,
    pub pseudonymize: bool,
}

/// Export the comments of a document (approved ones unless asked otherwise), grouped by
/// section in reading order.
pub async fn export(
    ctx: &Context,
    viewer: &Actor,
    document_id: i64,
    wanted: Wanted,
) -> Result<Download<impl Stream<Item = Result<Bytes, AppError>> + 'static>, AppError> {
    let (reader, viewer) = (viewer.clone(), viewer.clone());
    let round = wanted.round;
    let (document, sections, round_id) = ctx
        .db(move |conn| {
            let doc = drafts::get(conn, document_id, &viewer)?;
            let sections = drafts::commentable_history(conn, document_id)?;
            let round_id = match round {
                Some(n) => Some(
                    crate::rounds::store::for_document(conn, document_id)?
                        .into_iter()
                        .find(|r| r.number == n)
                        .ok_or(AppError::NotFound("round"))?
                        .id,
                ),
                None => None,
            };
            Ok((doc, sections, round_id))
        })
        .await?;
    let offset = ctx.settings.display.offset();
    let options = export::Options {
        status: wanted.status,
        round_id,
        pseudonymize: wanted.pseudonymize,
    };
    // On PostgreSQL, CSV comes faster from a binary COPY.
    let copy = wanted.format == Format::Csv && crate::db::is_postgres(&ctx.settings.database.url);
    let body = match wanted.format.encoder(&document, offset) {
        Some(_) if copy => Either::Left(Either::Right(copy_export::stream(
            ctx.read_pool(reader.id).await,
            document_id,
            sections,
            options,
            offset,
        ))),
        Some(encoder) => Either::Left(Either::Left(export::stream(
            ctx.read_pool(reader.id).await,
            &document,
            sections.into_iter().map(|(id, _)| id).collect(),
            encoder,
            options,
        ))),
        None => {
            let scope = workbook::Scope {
                document_id,
                round,
                options,
                offset,
            };
            let file = ctx
                .db(move |conn| {
                    let ids = sections.into_iter().map(|(id, _)| id).collect();
                    workbook::write(conn, &reader, ids, scope)
                })
                .await?;
            Either::Right(workbook::stream_file(file))
        }
    };
    Ok(Download {
        document,
        format: wanted.format,
        body,
    })
}

/// Counts per section (the whole draft first, then every section in reading order, zeros
/// included) and per unit that commented.
pub fn summary(conn: &mut DbConn, viewer: &Actor, document_id: i64) -> Result<Summary, AppError> {
    drafts::get(conn, document_id, viewer)?;
    let mut totals = Counts::default();
    let mut section_counts: HashMap<Option<i64>, Counts> = HashMap::new();
    for g in store::count_by_section(conn, document_id)? {
        totals.add(g.status, g.n);
        section_counts.entry(g.key).or_default().add(g.status, g.n);
    }
    let mut sections = vec![SectionSummary {
        section_id: None,
        path: WHOLE_DOCUMENT.to_owned(),
        counts: section_counts.remove(&None).unwrap_or_default(),
    }];
    for (id, path) in drafts::commentable_history(conn, document_id)? {
        sections.push(SectionSummary {
            section_id: Some(id),
            counts: section_counts.remove(&Some(id)).unwrap_or_default(),
            path,
        });
    }
    let numbers: HashMap<i64, i32> = crate::rounds::store::for_document(conn, document_id)?
        .into_iter()
        .map(|r| (r.id, r.number))
        .collect();
    let mut round_counts: std::collections::BTreeMap<Option<i32>, Counts> = Default::default();
    for g in store::count_by_round(conn, document_id)? {
        let round = g.key.and_then(|id| numbers.get(&id).copied());
        round_counts.entry(round).or_default().add(g.status, g.n);
    }
    let rounds = round_counts
        .into_iter()
        .map(|(round, counts)| RoundSummary { round, counts })
        .collect();
    let mut unit_counts: HashMap<Option<i64>, Counts> = HashMap::new();
    for g in store::count_by_unit(conn, document_id)? {
        unit_counts.entry(g.key).or_default().add(g.status, g.n);
    }
    let ids: Vec<i64> = unit_counts.keys().flatten().copied().collect();
    let names = crate::units::store::names(conn, &ids)?;
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
    let (clusters, clustered) = store::count_duplicates(conn, document_id)?;
    Ok(Summary {
        document_id,
        totals,
        sections,
        units,
        rounds,
        duplicates: crate::feedback::types::DuplicateCounts {
            clusters,
            comments: clustered,
        },
    })
}
