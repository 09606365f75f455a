//! The CSV export's bytes: UTF-8 with a BOM (so that Excel reads it as UTF-8), RFC 4180
//! quoting, CRLF, times in the display zone, every text cell guarded against formula
//! injection. One writer, `CsvRows`, for both ways the rows arrive — read in batches
//! (`export`, on SQLite) or streamed from PostgreSQL's binary COPY (`copy_export`) — so the
//! two cannot write a comment differently.

use std::io;

use bytes::Bytes;
use chrono::{FixedOffset, NaiveDateTime};

use crate::comments::response::Decision;
use crate::error::AppError;
use crate::feedback::export::Encoder;
use crate::feedback::types::ExportRow;
use crate::feedback::WHOLE_DOCUMENT;

pub const CSV_HEADER: [&str; 15] = [
    "Mã góp ý",
    "Số biên nhận",
    "Vị trí trong dự thảo",
    "Người góp ý",
    "Đơn vị",
    "Loại ý kiến",
    "Thời điểm gửi",
    "Thời điểm duyệt",
    "Nội dung góp ý",
    "Đề xuất sửa đổi",
    "Đợt",
    "Phiên bản dự thảo",
    "Nhóm trùng lặp",
    "Tiếp thu",
    "Giải trình",
];

/// One exported comment as the CSV writes it, borrowed from wherever it was read.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    pub comment_id: i64,
    pub receipt: &'a [u8],
    /// None: a comment on the whole draft.
    pub section_path: Option<&'a [u8]>,
    pub author_name: &'a [u8],
    pub unit: &'a [u8],
    pub kind: &'static str,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub body: &'a [u8],
    pub proposed_text: Option<&'a [u8]>,
    pub round: Option<i32>,
    pub version: i32,
    pub cluster_id: Option<i64>,
    pub decision: Option<Decision>,
    pub rationale: Option<&'a [u8]>,
}

impl<'a> From<&'a ExportRow> for Record<'a> {
    fn from(r: &'a ExportRow) -> Self {
        Record {
            comment_id: r.comment_id,
            receipt: r.receipt.as_bytes(),
            section_path: r.names.section_path.as_deref().map(str::as_bytes),
            author_name: r.names.author_name.as_bytes(),
            unit: r.unit().as_bytes(),
            kind: r.kind(),
            created_at: r.created_at,
            decided_at: r.decided_at,
            body: r.body.as_bytes(),
            proposed_text: r.proposed_text.as_deref().map(str::as_bytes),
            round: r.names.round,
            version: r.version,
            cluster_id: r.cluster_id,
            decision: r.decision.0,
            rationale: r.rationale.as_deref().map(str::as_bytes),
        }
    }
}

/// `2026-11-26 12:30:05` in the display time zone. Written digit by digit: chrono's `format`
/// parses its pattern again for every call, which was a fifth of an export.
fn local_time(t: NaiveDateTime, offset: FixedOffset) -> [u8; 19] {
    use chrono::{Datelike, Timelike};
    let l = t.and_utc().with_timezone(&offset).naive_local();
    let mut out = *b"0000-00-00 00:00:00";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, l.year().clamp(0, 9999) as u32);
    put(5, 2, l.month());
    put(8, 2, l.day());
    put(11, 2, l.hour());
    put(14, 2, l.minute());
    put(17, 2, l.second());
    out
}

/// Spreadsheet formula injection guard (OWASP, ASVS 1.2.10): a cell that starts with
/// `= + - @`, tab or carriage return is written after a `'`, so that Excel shows it as text.
fn needs_guard(cell: &[u8]) -> bool {
    matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// RFC 4180 with CRLF, fields quoted only where needed, a 64 KB buffer.
fn writer<W: io::Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .buffer_capacity(64 * 1024)
        .from_writer(out)
}

/// Writes the export's records to `W`.
pub struct CsvRows<W: io::Write> {
    w: csv::Writer<W>,
    offset: FixedOffset,
    guarded: Vec<u8>,
    numbers: itoa::Buffer,
}

impl<W: io::Write> CsvRows<W> {
    /// A writer of records only: the head (`csv_head`) is written apart.
    pub fn new(out: W, offset: FixedOffset) -> Self {
        CsvRows {
            w: writer(out),
            offset,
            guarded: Vec::new(),
            numbers: itoa::Buffer::new(),
        }
    }

    fn text(&mut self, cell: &[u8]) -> csv::Result<()> {
        if !needs_guard(cell) {
            return self.w.write_field(cell);
        }
        self.guarded.clear();
        self.guarded.push(b'\'');
        self.guarded.extend_from_slice(cell);
        self.w.write_field(&self.guarded)
    }

    fn number(&mut self, n: Option<i64>) -> csv::Result<()> {
        match n {
            Some(n) => self.w.write_field(self.numbers.format(n)),
            None => self.w.write_field(b""),
        }
    }

    pub fn write(&mut self, r: &Record<'_>) -> csv::Result<()> {
        self.number(Some(r.comment_id))?;
        self.text(r.receipt)?;
        self.text(r.section_path.unwrap_or(WHOLE_DOCUMENT.as_bytes()))?;
        self.text(r.author_name)?;
        self.text(r.unit)?;
        self.w.write_field(r.kind)?;
        self.w.write_field(local_time(r.created_at, self.offset))?;
        match r.decided_at {
            Some(t) => self.w.write_field(local_time(t, self.offset))?,
            None => self.w.write_field(b"")?,
        }
        self.text(r.body)?;
        self.text(r.proposed_text.unwrap_or_default())?;
        self.number(r.round.map(i64::from))?;
        self.number(Some(i64::from(r.version)))?;
        self.number(r.cluster_id)?;
        self.w.write_field(r.decision.map_or("", |d| d.label()))?;
        self.text(r.rationale.unwrap_or_default())?;
        self.w.write_record(None::<&[u8]>)
    }

    /// The output, as far as it has been written to.
    pub fn output(&self) -> &W {
        self.w.get_ref()
    }

    /// Write out what is buffered and hand back the output.
    pub fn finish(self) -> Result<W, AppError> {
        self.w
            .into_inner()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }
}

/// The CSV export's first bytes: a BOM and the header row.
pub fn csv_head() -> Result<Bytes, AppError> {
    let mut w = writer("\u{feff}".as_bytes().to_vec());
    w.write_record(CSV_HEADER).map_err(anyhow::Error::from)?;
    let out = w
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(out.into())
}

/// The batch encoder of CSV.
pub struct Csv {
    pub offset: FixedOffset,
}

impl Encoder for Csv {
    fn head(&mut self) -> Result<Bytes, AppError> {
        csv_head()
    }

    fn rows(&mut self, rows: &[ExportRow]) -> Result<Bytes, AppError> {
        let mut out = CsvRows::new(Vec::with_capacity(rows.len() * 512), self.offset);
        for r in rows {
            out.write(&r.into()).map_err(anyhow::Error::from)?;
        }
        Ok(out.finish()?.into())
    }

    fn tail(&mut self) -> Result<Bytes, AppError> {
        Ok(Bytes::new())
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
        let east = local_time(utc, FixedOffset::east_opt(7 * 3600).unwrap());
        assert_eq!(&east, b"2027-01-01 00:03:09");
        let west = local_time(utc, FixedOffset::west_opt(3600).unwrap());
        assert_eq!(&west, b"2026-12-31 16:03:09");
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_written_as_text() {
        for cell in ["=1+1", "+84", "-x", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_guard(cell.as_bytes()), "{cell:?}");
        }
        for cell in ["", "Điều 1", "1=1", " =x"] {
            assert!(!needs_guard(cell.as_bytes()), "{cell:?}");
        }
    }
}
