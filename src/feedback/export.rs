//! Export rows are read in batches (keyset on comment id, group by group in reading order)
//! and written out as they come, so memory does not grow with the number of comments.

use std::collections::VecDeque;

use bytes::Bytes;
use chrono::{FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comments, sections, units, users};
use crate::db::DbConn;
use crate::error::AppError;
use crate::feedback::WHOLE_DOCUMENT;
use crate::http::{db, AppState};

/// Rows per database round trip: large enough to amortise it, small enough (~1.5 MB) that
/// memory stays flat whatever the size of the export.
pub const BATCH: i64 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Serialize)]
pub struct ExportRow {
    pub comment_id: i64,
    pub receipt: String,
    pub section_id: Option<i64>,
    pub section_path: String,
    pub author_name: String,
    pub unit_name: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub body: String,
    pub proposed_text: Option<String>,
}

type Row = (
    i64,
    String,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    String,
    Option<String>,
);

/// Approved comments of one group (a section, or the whole draft when `section` is `None`).
pub fn fetch_batch(
    conn: &mut DbConn,
    document_id: i64,
    section: Option<i64>,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    let mut query = comments::table
        .inner_join(users::table.on(users::id.eq(comments::author_id)))
        .left_join(units::table.on(units::id.nullable().eq(comments::unit_id)))
        .left_join(sections::table.on(sections::id.nullable().eq(comments::section_id)))
        .filter(comments::document_id.eq(document_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .filter(comments::id.gt(after))
        .order(comments::id.asc())
        .limit(limit)
        .select((
            comments::id,
            comments::receipt,
            comments::section_id,
            sections::path.nullable(),
            users::full_name,
            units::name.nullable(),
            comments::created_at,
            comments::decided_at,
            comments::body,
            comments::proposed_text,
        ))
        .into_boxed();
    query = match section {
        Some(s) => query.filter(comments::section_id.eq(s)),
        None => query.filter(comments::section_id.is_null()),
    };
    Ok(query
        .load::<Row>(conn)?
        .into_iter()
        .map(|r| ExportRow {
            comment_id: r.0,
            receipt: r.1,
            section_id: r.2,
            section_path: r.3.unwrap_or_else(|| WHOLE_DOCUMENT.to_owned()),
            author_name: r.4,
            unit_name: r.5,
            created_at: r.6,
            decided_at: r.7,
            body: r.8,
            proposed_text: r.9,
        })
        .collect())
}

pub const CSV_HEADER: [&str; 9] = [
    "Mã góp ý",
    "Số biên nhận",
    "Vị trí trong dự thảo",
    "Người góp ý",
    "Đơn vị",
    "Thời điểm gửi",
    "Thời điểm duyệt",
    "Nội dung góp ý",
    "Đề xuất sửa đổi",
];

/// Spreadsheet formula injection guard (OWASP, ASVS 1.2.10): a cell that starts with
/// `= + - @`, tab or carriage return is prefixed with `'` so Excel shows it as text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new())
}

pub fn csv_head() -> Result<Bytes, AppError> {
    let mut w = csv_writer();
    w.write_record(CSV_HEADER).map_err(anyhow::Error::from)?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    Ok(out.into())
}

/// `2026-11-26 12:30:05` in the display time zone, into `buf`. Written out field by field:
/// chrono's `format` parses its pattern again for every call, which was a fifth of an export.
fn write_local(buf: &mut String, t: NaiveDateTime, offset: FixedOffset) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let l = t.and_utc().with_timezone(&offset).naive_local();
    buf.clear();
    let _ = write!(
        buf,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        l.year(),
        l.month(),
        l.day(),
        l.hour(),
        l.minute(),
        l.second()
    );
}

pub fn csv_rows(rows: &[ExportRow], offset: FixedOffset) -> Result<Bytes, AppError> {
    use std::fmt::Write;
    let (mut id, mut created, mut decided) = (String::new(), String::new(), String::new());
    let mut w = csv_writer();
    for r in rows {
        id.clear();
        let _ = write!(id, "{}", r.comment_id);
        write_local(&mut created, r.created_at, offset);
        match r.decided_at {
            Some(t) => write_local(&mut decided, t, offset),
            None => decided.clear(),
        }
        w.write_record([
            id.as_str(),
            &neutralise(&r.receipt),
            &neutralise(&r.section_path),
            &neutralise(&r.author_name),
            &neutralise(r.unit_name.as_deref().unwrap_or("")),
            &created,
            &decided,
            &neutralise(&r.body),
            &neutralise(r.proposed_text.as_deref().unwrap_or("")),
        ])
        .map_err(anyhow::Error::from)?;
    }
    Ok(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?.into())
}

pub fn json_rows(rows: &[ExportRow], first: bool) -> Result<Bytes, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 256);
    for (i, r) in rows.iter().enumerate() {
        if !(first && i == 0) {
            out.push(b',');
        }
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "comment_id": r.comment_id,
                "receipt": r.receipt,
                "section_id": r.section_id,
                "section_path": r.section_path,
                "author_name": r.author_name,
                "unit_name": r.unit_name,
                "created_at": r.created_at.and_utc(),
                "decided_at": r.decided_at.map(|t| t.and_utc()),
                "body": r.body,
                "proposed_text": r.proposed_text,
            }),
        )
        .map_err(anyhow::Error::from)?;
    }
    Ok(out.into())
}

/// Where the export stream stands.
pub struct ExportState {
    pub app: actix_web::web::Data<AppState>,
    pub document_id: i64,
    pub format: Format,
    /// Groups still to read: `None` = comments on the whole draft, then each section.
    pub groups: VecDeque<Option<i64>>,
    pub after: i64,
    pub wrote_row: bool,
    pub finished: bool,
}

/// The next chunk of the export, or `None` when it is complete.
pub async fn next_chunk(mut st: ExportState) -> Option<(Result<Bytes, AppError>, ExportState)> {
    if st.finished {
        return None;
    }
    loop {
        let Some(&group) = st.groups.front() else {
            st.finished = true;
            let tail = match st.format {
                Format::Json => Bytes::from_static(b"]}"),
                Format::Csv => Bytes::new(),
            };
            return Some((Ok(tail), st));
        };
        let (document_id, after) = (st.document_id, st.after);
        let batch = db(&st.app, move |conn| {
            Ok(fetch_batch(conn, document_id, group, after, BATCH)?)
        })
        .await;
        let rows = match batch {
            Ok(rows) => rows,
            Err(e) => {
                st.finished = true;
                return Some((Err(e), st));
            }
        };
        if (rows.len() as i64) < BATCH {
            st.groups.pop_front();
            st.after = 0;
        } else if let Some(last) = rows.last() {
            st.after = last.comment_id;
        }
        if rows.is_empty() {
            continue;
        }
        let chunk = match st.format {
            Format::Csv => csv_rows(&rows, st.app.settings.display.offset()),
            Format::Json => json_rows(&rows, !st.wrote_row),
        };
        st.wrote_row = true;
        return Some((chunk, st));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_the_display_zone_across_midnight() {
        let utc = chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
            .and_then(|d| d.and_hms_opt(17, 3, 9))
            .unwrap();
        let mut buf = String::from("left over");
        write_local(&mut buf, utc, FixedOffset::east_opt(7 * 3600).unwrap());
        assert_eq!(buf, "2027-01-01 00:03:09");
        write_local(&mut buf, utc, FixedOffset::west_opt(3600).unwrap());
        assert_eq!(buf, "2026-12-31 16:03:09");
    }
}
