//! The CSV export streamed from PostgreSQL's COPY (`copy_store`), group by group in reading
//! order, its line ends turned into CRLF on the way. One blocking thread holds one pooled
//! connection for the length of the export and hands the bytes over a short channel: memory
//! stays at a few chunks whatever the size, and a client that goes away stops the COPY (the
//! connection, left mid-COPY, is dropped from the pool).

use bytes::Bytes;
use chrono::FixedOffset;
use futures_util::Stream;
use tokio::sync::mpsc;

use crate::db::Pool;
use crate::error::AppError;
use crate::feedback::copy_store;
use crate::feedback::export::{csv_head, Options};
use crate::feedback::store::Which;

/// Bytes per chunk handed to the response.
const CHUNK: usize = 64 * 1024;

/// PostgreSQL ends its CSV records with LF; the export (as Excel expects, RFC 4180) with CRLF.
/// Line breaks inside quoted fields stay as they are, as the batch encoder leaves them.
#[derive(Default)]
struct CrLf {
    in_quotes: bool,
}

impl CrLf {
    fn convert(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let mut start = 0;
        for i in memchr::memchr2_iter(b'"', b'\n', input) {
            if input[i] == b'"' {
                self.in_quotes = !self.in_quotes;
            } else if !self.in_quotes {
                out.extend_from_slice(&input[start..i]);
                out.extend_from_slice(b"\r\n");
                start = i + 1;
            }
        }
        out.extend_from_slice(&input[start..]);
    }
}

/// The CSV export of `document_id` (the whole draft's comments, then `sections`' in order).
pub fn stream(
    pool: Pool,
    document_id: i64,
    sections: Vec<i64>,
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
    groups: impl Iterator<Item = Option<i64>>,
    options: Options,
    offset: FixedOffset,
    tx: &mpsc::Sender<Result<Bytes, AppError>>,
) -> Result<(), AppError> {
    let mut conn = crate::db::checkout(pool)?;
    let mut buf = Vec::with_capacity(2 * CHUNK);
    buf.extend_from_slice(&csv_head()?);
    let mut crlf = CrLf::default();
    for section in groups {
        let which = Which {
            status: options.status,
            round_id: options.round_id,
            section,
        };
        let mut sink = |chunk: &[u8]| {
            crlf.convert(chunk, &mut buf);
            if buf.len() < CHUNK {
                return true;
            }
            let full = std::mem::replace(&mut buf, Vec::with_capacity(2 * CHUNK));
            tx.blocking_send(Ok(full.into())).is_ok()
        };
        let copied = copy_store::copy_csv(
            &mut conn,
            document_id,
            &which,
            offset.local_minus_utc(),
            &mut sink,
        );
        match copied {
            Ok(Some(true)) => {}
            // The client went away in the middle of a COPY.
            Ok(Some(false)) => {
                conn.mark_broken();
                return Ok(());
            }
            Ok(None) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "a COPY export asked of SQLite"
                )))
            }
            Err(e) => {
                conn.mark_broken();
                return Err(e.into());
            }
        }
    }
    if let Err(e) = copy_store::copy_done(&mut conn) {
        conn.mark_broken();
        return Err(e.into());
    }
    if !buf.is_empty() {
        let _ = tx.blocking_send(Ok(buf.into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_become_crlf_but_breaks_inside_quotes_stay() {
        let mut out = Vec::new();
        let mut crlf = CrLf::default();
        // A record split across two chunks in the middle of a quoted field.
        crlf.convert(b"1,\"a \"\"b\"\"\nc", &mut out);
        crlf.convert(b" d\",x\n2,,y\n", &mut out);
        assert_eq!(out, b"1,\"a \"\"b\"\"\nc d\",x\r\n2,,y\r\n");
    }
}
