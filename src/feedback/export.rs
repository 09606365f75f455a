//! Streamed exports. An encoder owns everything a format writes — its head, its rows and its
//! tail — and the driver feeds it batches read from a pool (keyset on comment id, group by
//! group in reading order), so memory does not grow with the number of comments. XLSX and
//! DOCX encoders plug in beside CSV and JSON.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;
use chrono::FixedOffset;
use futures_util::Stream;

use crate::comments::types::CommentStatus;
use crate::context::blocking;
use crate::db::Pool;
use crate::drafts::types::Document;
use crate::error::AppError;
use crate::feedback::csv_file::Csv;
use crate::feedback::store;
use crate::feedback::types::{ExportRow, Format};
use crate::feedback::WHOLE_DOCUMENT;

/// Rows per database round trip: large enough to amortise it, small enough (~1.5 MB) that
/// memory stays flat whatever the size of the export.
pub const BATCH: i64 = 5000;

/// What one output format writes.
pub trait Encoder: Send {
    fn head(&mut self) -> Result<Bytes, AppError>;
    fn rows(&mut self, rows: &[ExportRow]) -> Result<Bytes, AppError>;
    fn tail(&mut self) -> Result<Bytes, AppError>;
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// The encoder of this format for `doc`, writing times at `offset`; None for a workbook,
    /// which is a zip written whole (`feedback::xlsx`).
    pub fn encoder(self, doc: &Document, offset: FixedOffset) -> Option<Box<dyn Encoder>> {
        match self {
            Format::Csv => Some(Box::new(Csv { offset })),
            Format::Json => Some(Box::new(Json {
                document_id: doc.id,
                title: doc.title.clone(),
                wrote_row: false,
            })),
            Format::Xlsx => None,
        }
    }
}

/// `{"document_id":…,"title":…,"items":[…]}`, items written as they come.
struct Json {
    document_id: i64,
    title: String,
    wrote_row: bool,
}

impl Encoder for Json {
    fn head(&mut self) -> Result<Bytes, AppError> {
        let mut h = serde_json::to_vec(
            &serde_json::json!({ "document_id": self.document_id, "title": self.title }),
        )
        .map_err(anyhow::Error::from)?;
        h.pop(); // reopen the object to append the items array
        h.extend_from_slice(br#","items":["#);
        Ok(h.into())
    }

    fn rows(&mut self, rows: &[ExportRow]) -> Result<Bytes, AppError> {
        let mut out = Vec::with_capacity(rows.len() * 256);
        for r in rows {
            if self.wrote_row {
                out.push(b',');
            }
            self.wrote_row = true;
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({
                    "comment_id": r.comment_id,
                    "receipt": r.receipt,
                    "section_id": r.section_id,
                    "section_path": r.names.section_path.as_deref().unwrap_or(WHOLE_DOCUMENT),
                    "author_name": r.names.author_name,
                    "unit_name": r.names.unit_name,
                    "on_behalf_of_unit": r.on_behalf_of_unit,
                    "contributed_by": r.contributed_by,
                    "created_at": r.created_at.and_utc(),
                    "decided_at": r.decided_at.map(|t| t.and_utc()),
                    "body": r.body,
                    "proposed_text": r.proposed_text,
                    "round": r.names.round,
                    "version": r.version,
                    "cluster_id": r.cluster_id,
                    "decision": r.decision.0,
                    "rationale": r.rationale,
                }),
            )
            .map_err(anyhow::Error::from)?;
        }
        Ok(out.into())
    }

    fn tail(&mut self) -> Result<Bytes, AppError> {
        Ok(Bytes::from_static(b"]}"))
    }
}

enum Stage {
    Head,
    Rows,
    Done,
}

/// Which comments an export holds and how it names their authors.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub status: CommentStatus,
    /// Only the comments of this round (its id).
    pub round_id: Option<i64>,
    pub pseudonymize: bool,
}

/// Where an export stands.
struct Export {
    pool: Pool,
    document_id: i64,
    options: Options,
    encoder: Box<dyn Encoder>,
    /// Groups still to read: `None` = comments on the whole draft, then each section.
    groups: VecDeque<Option<i64>>,
    after: i64,
    stage: Stage,
    /// Authors' pseudonyms so far (when the export pseudonymises).
    pseudonyms: Option<Pseudonyms>,
}

/// The export of `doc`'s approved comments, grouped as `sections` (in reading order) after
/// the comments on the whole draft.
pub fn stream(
    pool: Pool,
    doc: &Document,
    sections: Vec<i64>,
    encoder: Box<dyn Encoder>,
    options: Options,
) -> impl Stream<Item = Result<Bytes, AppError>> + 'static {
    let mut groups = VecDeque::with_capacity(sections.len() + 1);
    groups.push_back(None);
    groups.extend(sections.into_iter().map(Some));
    let export = Export {
        pool,
        document_id: doc.id,
        encoder,
        groups,
        after: 0,
        stage: Stage::Head,
        pseudonyms: options.pseudonymize.then(Pseudonyms::default),
        options,
    };
    futures_util::stream::unfold(export, next_chunk)
}

/// The next chunk of the export, or `None` when it is complete.
async fn next_chunk(mut ex: Export) -> Option<(Result<Bytes, AppError>, Export)> {
    loop {
        match ex.stage {
            Stage::Done => return None,
            Stage::Head => {
                ex.stage = Stage::Rows;
                let head = ex.encoder.head();
                return Some((head, ex));
            }
            Stage::Rows => {}
        }
        let Some(&group) = ex.groups.front() else {
            ex.stage = Stage::Done;
            let tail = ex.encoder.tail();
            return Some((tail, ex));
        };
        let (document_id, after, options) = (ex.document_id, ex.after, ex.options);
        let batch = blocking(&ex.pool, move |conn| {
            let which = store::Which {
                status: options.status,
                round_id: options.round_id,
                section: group,
            };
            Ok(store::export_batch(conn, document_id, which, after, BATCH)?)
        })
        .await;
        let mut rows = match batch {
            Ok(rows) => rows,
            Err(e) => {
                ex.stage = Stage::Done;
                return Some((Err(e), ex));
            }
        };
        if (rows.len() as i64) < BATCH {
            ex.groups.pop_front();
            ex.after = 0;
        } else if let Some(last) = rows.last() {
            ex.after = last.comment_id;
        }
        if rows.is_empty() {
            continue;
        }
        if let Some(names) = ex.pseudonyms.as_mut() {
            pseudonymise(names, &mut rows);
        }
        let chunk = ex.encoder.rows(&rows);
        return Some((chunk, ex));
    }
}

/// The names a pseudonymised export gives authors: "Người góp ý N", N by first appearance,
/// the same person the same number throughout the export (the mapping is kept nowhere else).
#[derive(Default)]
pub struct Pseudonyms(HashMap<i64, usize>);

impl Pseudonyms {
    pub fn of(&mut self, author_id: i64) -> String {
        let next = self.0.len() + 1;
        format!("Người góp ý {}", self.0.entry(author_id).or_insert(next))
    }
}

/// Each row's author named by `names`.
pub(crate) fn pseudonymise(names: &mut Pseudonyms, rows: &mut [ExportRow]) {
    for r in rows {
        r.names.author_name = names.of(r.author_id);
    }
}
