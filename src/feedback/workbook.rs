//! The feedback workbook, put together: the comments read in batches as the other exports
//! read them, the per-section and per-unit numbers from the statistics, written to an
//! anonymous temporary file off the async workers and then streamed from it.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use chrono::FixedOffset;
use futures_util::Stream;

use crate::comments::response::Decision;
use crate::db::DbConn;
use crate::drafts::service as drafts;
use crate::error::AppError;
use crate::feedback::export::{self, Options, BATCH};
use crate::feedback::stats::{self, Dimension};
use crate::feedback::xlsx::{Book, SectionLine, STATUSES};
use crate::feedback::{store, WHOLE_DOCUMENT};
use crate::identity::Actor;

/// What the workbook is of.
pub struct Scope {
    pub document_id: i64,
    /// The round's number (for the numbers sheets) — `options.round_id` is its id.
    pub round: Option<i32>,
    pub options: Options,
    pub offset: FixedOffset,
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(e.into())
}

/// Write the workbook of `scope` (sections in reading order) to a temporary file, rewound.
pub fn write(
    conn: &mut DbConn,
    viewer: &Actor,
    sections: Vec<i64>,
    scope: Scope,
) -> Result<File, AppError> {
    let (doc, options) = (scope.document_id, scope.options);
    let mut book = Book::new(scope.offset, options.status)?;
    let mut names = options.pseudonymize.then(export::Pseudonyms::default);
    for group in std::iter::once(None).chain(sections.into_iter().map(Some)) {
        let mut after = 0;
        loop {
            let which = store::Which {
                status: options.status,
                round_id: options.round_id,
                section: group,
            };
            let mut rows = store::export_batch(conn, doc, which, after, BATCH)?;
            if let Some(n) = names.as_mut() {
                export::pseudonymise(n, &mut rows);
            }
            book.rows(&rows)?;
            match rows.last() {
                Some(last) if rows.len() as i64 == BATCH => after = last.comment_id,
                _ => break,
            }
        }
    }
    book.sections(&section_lines(conn, viewer, doc, scope.round)?)?;
    let units = stats::stats(conn, viewer, doc, vec![Dimension::Unit], scope.round)?;
    book.units(&units.rows)?;
    let mut file = tempfile::tempfile().map_err(io)?;
    book.finish(&mut file)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(file)
}

/// Per section in reading order (the whole draft first): counts by status and by response.
fn section_lines(
    conn: &mut DbConn,
    viewer: &Actor,
    doc: i64,
    round: Option<i32>,
) -> Result<Vec<SectionLine>, AppError> {
    let mut lines = vec![SectionLine {
        path: WHOLE_DOCUMENT.to_owned(),
        ..SectionLine::default()
    }];
    let mut at: HashMap<Option<i64>, usize> = HashMap::from([(None, 0)]);
    for (id, path) in drafts::commentable_history(conn, doc)? {
        at.insert(Some(id), lines.len());
        lines.push(SectionLine {
            path,
            ..SectionLine::default()
        });
    }
    let by = |d| vec![Dimension::Section, d];
    for r in stats::stats(conn, viewer, doc, by(Dimension::Status), round)?.rows {
        let (Some(&i), Some(status)) = (at.get(&r.section_id), r.status) else {
            continue;
        };
        lines[i].total += r.comments;
        if let Some(col) = STATUSES.iter().position(|s| *s == status) {
            lines[i].by_status[col] += r.comments;
        }
    }
    for r in stats::stats(conn, viewer, doc, by(Dimension::Decision), round)?.rows {
        let (Some(&i), Some(decision)) = (at.get(&r.section_id), r.decision) else {
            continue;
        };
        if let Some(col) = Decision::ALL.iter().position(|d| *d == decision) {
            lines[i].by_decision[col] += r.comments;
        }
    }
    for line in &mut lines {
        let answered: i64 = line.by_decision.iter().sum();
        line.unanswered = (line.by_status[1] - answered).max(0);
    }
    Ok(lines)
}

/// The file's bytes, 256 KiB at a time, each read on the blocking pool.
pub fn stream_file(file: File) -> impl Stream<Item = Result<Bytes, AppError>> + 'static {
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = vec![0; 256 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((Ok(Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(io(e)), None)),
            Err(e) => Some((Err(AppError::Internal(e.into())), None)),
        }
    })
}
