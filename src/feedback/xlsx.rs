//! The feedback workbook: "Góp ý" (one row per comment), "Theo mục" (per section) and "Theo đơn
//! vị" (per unit, with participation). Constant-memory worksheets: each row goes to a
//! temporary file as it is written, so memory stays flat however many comments there are.

use std::io::Write;

use chrono::{FixedOffset, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::comments::response::Decision;
use crate::comments::types::CommentStatus;
use crate::feedback::stats::StatRow;
use crate::feedback::types::ExportRow;
use crate::feedback::WHOLE_DOCUMENT;

/// The most characters a cell holds (Excel).
pub const CELL_MAX: usize = 32_767;
/// What ends a cell that had to be cut.
pub const CUT_MARKER: &str = " […] (đã cắt bớt, xem bản CSV hoặc JSON)";
/// Rows a worksheet holds (Excel), the header included.
const SHEET_ROWS: u32 = 1_048_576;

const COMMENT_HEADER: [(&str, f64); 17] = [
    ("Mã góp ý", 9.0),
    ("Số biên nhận", 16.0),
    ("Đợt", 6.0),
    ("Phiên bản", 9.0),
    ("Vị trí trong dự thảo", 24.0),
    ("Đơn vị", 24.0),
    ("Người góp ý", 20.0),
    ("Loại ý kiến", 14.0),
    ("Thời điểm gửi", 17.0),
    ("Thời điểm duyệt", 17.0),
    ("Nội dung góp ý", 60.0),
    ("Đề xuất sửa đổi", 40.0),
    ("Trạng thái", 12.0),
    ("Nhóm trùng lặp", 10.0),
    ("Tiếp thu", 16.0),
    ("Giải trình", 40.0),
    ("Mã mục", 8.0),
];

/// `text`, cut to what a cell holds with a marker saying so.
pub fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= CELL_MAX {
        return text.into();
    }
    let keep = CELL_MAX - CUT_MARKER.chars().count();
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(CUT_MARKER);
    out.into()
}

/// A workbook being written.
pub struct Book {
    book: Workbook,
    offset: FixedOffset,
    status: &'static str,
    /// The comment sheet being written (its index) and its next row.
    sheet: usize,
    row: u32,
    sheets: usize,
    bold: Format,
    date: Format,
    wrap: Format,
}

fn err(e: XlsxError) -> anyhow::Error {
    anyhow::anyhow!("xlsx: {e}")
}

impl Book {
    pub fn new(offset: FixedOffset, status: CommentStatus) -> anyhow::Result<Book> {
        let mut book = Book {
            book: Workbook::new(),
            offset,
            status: status.labels().0,
            sheet: 0,
            row: 1,
            sheets: 0,
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
            wrap: Format::new().set_text_wrap(),
        };
        book.comment_sheet()?;
        Ok(book)
    }

    fn add_sheet(&mut self, name: &str, header: &[(&str, f64)]) -> anyhow::Result<usize> {
        let index = self.sheets;
        self.sheets += 1;
        let bold = self.bold.clone();
        let sheet = self.book.add_worksheet_with_constant_memory();
        sheet.set_name(name).map_err(err)?;
        for (col, (title, width)) in header.iter().enumerate() {
            sheet.set_column_width(col as u16, *width).map_err(err)?;
            sheet
                .write_string_with_format(0, col as u16, *title, &bold)
                .map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        Ok(index)
    }

    fn comment_sheet(&mut self) -> anyhow::Result<()> {
        let name = match self.sheets {
            0 => "Góp ý".to_owned(),
            n => format!("Góp ý ({})", n + 1),
        };
        self.sheet = self.add_sheet(&name, &COMMENT_HEADER)?;
        self.row = 1;
        Ok(())
    }

    fn current(&mut self) -> anyhow::Result<&mut Worksheet> {
        self.book.worksheet_from_index(self.sheet).map_err(err)
    }

    fn local(&self, t: NaiveDateTime) -> NaiveDateTime {
        t.and_utc().with_timezone(&self.offset).naive_local()
    }

    /// Write comments, in order, to the comment sheet (a new one once a sheet is full).
    pub fn rows(&mut self, rows: &[ExportRow]) -> anyhow::Result<()> {
        for r in rows {
            if self.row == SHEET_ROWS {
                self.close_comment_sheet()?;
                self.comment_sheet()?;
            }
            let (row, status) = (self.row, self.status);
            let (date, wrap) = (self.date.clone(), self.wrap.clone());
            let (created, decided) = (
                self.local(r.created_at),
                r.decided_at.map(|t| self.local(t)),
            );
            let s = self.current()?;
            s.write_number(row, 0, r.comment_id as f64).map_err(err)?;
            s.write_string(row, 1, &r.receipt).map_err(err)?;
            if let Some(n) = r.names.round {
                s.write_number(row, 2, n).map_err(err)?;
            }
            s.write_number(row, 3, r.version).map_err(err)?;
            let path = r.names.section_path.as_deref().unwrap_or(WHOLE_DOCUMENT);
            s.write_string(row, 4, &*fit(path)).map_err(err)?;
            s.write_string(row, 5, &*fit(r.unit())).map_err(err)?;
            s.write_string(row, 6, &*fit(&r.names.author_name))
                .map_err(err)?;
            s.write_string(row, 7, r.kind()).map_err(err)?;
            s.write_datetime_with_format(row, 8, created, &date)
                .map_err(err)?;
            if let Some(d) = decided {
                s.write_datetime_with_format(row, 9, d, &date)
                    .map_err(err)?;
            }
            s.write_string_with_format(row, 10, &*fit(&r.body), &wrap)
                .map_err(err)?;
            if let Some(p) = &r.proposed_text {
                s.write_string_with_format(row, 11, &*fit(p), &wrap)
                    .map_err(err)?;
            }
            s.write_string(row, 12, status).map_err(err)?;
            if let Some(c) = r.cluster_id {
                s.write_number(row, 13, c as f64).map_err(err)?;
            }
            if let Some(d) = r.decision.0 {
                s.write_string(row, 14, d.label()).map_err(err)?;
            }
            if let Some(t) = &r.rationale {
                s.write_string_with_format(row, 15, &*fit(t), &wrap)
                    .map_err(err)?;
            }
            if let Some(id) = r.section_id {
                s.write_number(row, 16, id as f64).map_err(err)?;
            }
            self.row += 1;
        }
        Ok(())
    }

    fn close_comment_sheet(&mut self) -> anyhow::Result<()> {
        let last = self.row.saturating_sub(1);
        let cols = COMMENT_HEADER.len() as u16 - 1;
        self.current()?.autofilter(0, 0, last, cols).map_err(err)?;
        Ok(())
    }

    /// The "Theo mục" sheet: per section (in reading order), counts by status and response.
    pub fn sections(&mut self, lines: &[SectionLine]) -> anyhow::Result<()> {
        self.close_comment_sheet()?;
        let mut header: Vec<(&str, f64)> = vec![("Vị trí trong dự thảo", 30.0), ("Tổng số", 9.0)];
        header.extend(STATUSES.iter().map(|s| (s.labels().0, 12.0)));
        header.extend(Decision::ALL.iter().map(|d| (d.label(), 12.0)));
        header.push(("Chưa xử lý", 12.0));
        let index = self.add_sheet("Theo mục", &header)?;
        let sheet = self.book.worksheet_from_index(index).map_err(err)?;
        for (i, line) in lines.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, &*fit(&line.path)).map_err(err)?;
            let numbers = std::iter::once(line.total)
                .chain(line.by_status)
                .chain(line.by_decision)
                .chain([line.unanswered]);
            for (col, n) in (1u16..).zip(numbers) {
                sheet.write_number(row, col, n as f64).map_err(err)?;
            }
        }
        let cols = header.len() as u16 - 1;
        sheet
            .autofilter(0, 0, lines.len() as u32, cols)
            .map_err(err)?;
        Ok(())
    }

    /// The "Theo đơn vị" sheet: per unit (its subtree), staff, people, participation and
    /// comments.
    pub fn units(&mut self, rows: &[StatRow]) -> anyhow::Result<()> {
        let header = [
            ("Đơn vị", 34.0),
            ("Cán bộ trong danh sách", 12.0),
            ("Người đã góp ý", 12.0),
            ("Tỷ lệ tham gia (%)", 12.0),
            ("Số ý kiến", 10.0),
            ("Ý kiến tập thể", 10.0),
        ];
        let index = self.add_sheet("Theo đơn vị", &header)?;
        let sheet = self.book.worksheet_from_index(index).map_err(err)?;
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            let name = r.unit_name.as_deref().unwrap_or("(Không thuộc đơn vị)");
            sheet.write_string(row, 0, &*fit(name)).map_err(err)?;
            let numbers = [
                r.staff.unwrap_or(0) as f64,
                r.people as f64,
                r.participation.unwrap_or(0.0),
                r.comments as f64,
                r.collective as f64,
            ];
            for (c, n) in numbers.into_iter().enumerate() {
                sheet.write_number(row, c as u16 + 1, n).map_err(err)?;
            }
        }
        sheet
            .autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)
            .map_err(err)?;
        Ok(())
    }

    /// Write the workbook out.
    pub fn finish<W: Write + Send>(mut self, out: W) -> anyhow::Result<()> {
        self.book.save_to_writer(out).map_err(err)
    }
}

/// The statuses the "Theo mục" sheet counts, in its column order (withdrawn comments aside).
pub const STATUSES: [CommentStatus; 5] = [
    CommentStatus::Pending,
    CommentStatus::Approved,
    CommentStatus::Rejected,
    CommentStatus::Flagged,
    CommentStatus::RejectProposed,
];

/// One line of "Theo mục".
#[derive(Debug, Default, Clone)]
pub struct SectionLine {
    pub path: String,
    pub total: i64,
    pub by_status: [i64; 5],
    pub by_decision: [i64; 4],
    /// Approved comments without a response yet.
    pub unanswered: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_too_long_is_cut_to_the_limit_with_the_marker() {
        let long = "ư".repeat(CELL_MAX + 10);
        let cut = fit(&long);
        assert_eq!(
            (cut.chars().count(), cut.ends_with(CUT_MARKER)),
            (CELL_MAX, true)
        );
    }

    #[test]
    fn a_cell_at_the_limit_is_kept_whole() {
        let exact = "a".repeat(CELL_MAX);
        assert_eq!(fit(&exact).len(), CELL_MAX);
    }
}
