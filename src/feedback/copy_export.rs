//! The CSV export streamed from PostgreSQL's binary COPY (`copy_store`), group by group in
//! reading order, each comment written by `csv_file::CsvRows` as it arrives. One blocking
//! thread holds one pooled connection for the length of the export and hands the bytes over a
//! short channel: memory stays at a few chunks whatever the size, and a client that goes away
//! stops the COPY (the connection, left mid-COPY, is dropped from the pool).

use std::io;

use bytes::Bytes;
use chrono::FixedOffset;
use futures_util::Stream;
use tokio::sync::mpsc;

use crate::db::Pool;
use crate::error::AppError;
use crate::feedback::copy_store;
use crate::feedback::csv_file::{csv_head, CsvRows, Record};
use crate::feedback::export::{Options, Pseudonyms};
use crate::feedback::store::Which;

/// Bytes per chunk handed to the response.
const CHUNK: usize = 64 * 1024;

/// The response's end of the channel as a writer: bytes go out a chunk at a time, and a
/// client that went away makes every write fail (`gone`).
struct Chunks<'a> {
    buf: Vec<u8>,
    tx: &'a mpsc::Sender<Result<Bytes, AppError>>,
    gone: bool,
}

impl Chunks<'_> {
    fn send(&mut self) -> io::Result<()> {
        let full = std::mem::replace(&mut self.buf, Vec::with_capacity(2 * CHUNK));
        if self.tx.blocking_send(Ok(full.into())).is_err() {
            self.gone = true;
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        Ok(())
    }
}

impl io::Write for Chunks<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

/// The CSV export of `document_id` (the whole draft's comments, then `sections`' in order,
/// each with its path).
pub fn stream(
    pool: Pool,
    document_id: i64,
    sections: Vec<(i64, String)>,
    options: Options,
    offset: FixedOffset,
) -> impl Stream<Item = Result<Bytes, AppError>> + 'static {
    let (tx, rx) = mpsc::channel(4);
    tokio::task::spawn_blocking(move || {
        let groups = std::iter::once(None).chain(sections.into_iter().map(Some));
        if let Err(e) = run(&pool, document_id, groups, options, offset, &tx) {
            // The answer has begun (200): the client sees it cut short, the log says why.
            tracing::error!(error = ?e, document_id, "CSV export stopped");
            let _ = tx.blocking_send(Err(e));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

fn run(
    pool: &Pool,
    document_id: i64,
    groups: impl Iterator<Item = Option<(i64, String)>>,
    options: Options,
    offset: FixedOffset,
    tx: &mpsc::Sender<Result<Bytes, AppError>>,
) -> Result<(), AppError> {
    let mut conn = crate::db::checkout(pool)?;
    let rounds = copy_store::round_numbers(&mut conn, document_id)?;
    let mut head = Vec::with_capacity(2 * CHUNK);
    head.extend_from_slice(&csv_head()?);
    let chunks = Chunks {
        buf: head,
        tx,
        gone: false,
    };
    let mut out = CsvRows::new(chunks, offset);
    // Authors' pseudonyms so far (when the export pseudonymises).
    let mut pseudonyms = options.pseudonymize.then(Pseudonyms::default);
    for group in groups {
        let which = Which {
            status: options.status,
            round_id: options.round_id,
            section: group.as_ref().map(|(id, _)| *id),
        };
        let path = group.as_ref().map(|(_, path)| path.as_str());
        let mut each = |author: i64, r: &Record<'_>| {
            let written = match pseudonyms.as_mut() {
                None => out.write(r),
                Some(names) => {
                    let name = names.of(author);
                    out.write(&Record {
                        author_name: name.as_bytes(),
                        ..*r
                    })
                }
            };
            written.map_err(io::Error::other)
        };
        match copy_store::copy_records(&mut conn, document_id, &which, path, &rounds, &mut each) {
            Ok(Some(())) => {}
            Ok(None) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "a COPY export asked of SQLite"
                )))
            }
            Err(e) => {
                // Left mid-COPY: the connection goes. A client that went away is no error.
                conn.mark_broken();
                return if out.output().gone {
                    Ok(())
                } else {
                    Err(e.into())
                };
            }
        }
    }
    if let Err(e) = copy_store::copy_done(&mut conn) {
        conn.mark_broken();
        return Err(e.into());
    }
    // What is left to write out can fail only because the client went away.
    if let Ok(mut chunks) = out.finish() {
        let _ = io::Write::flush(&mut chunks);
    }
    Ok(())
}
