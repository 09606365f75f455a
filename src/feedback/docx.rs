//! The Word report ("Báo cáo tổng hợp, tiếp thu, giải trình ý kiến góp ý"), pure: the data in,
//! the DOCX bytes out. Times New Roman throughout, A4 landscape, and every column's width set
//! in twentieths of a point on the grid and on each cell, so that Word and LibreOffice lay the
//! table out alike.

use docx_rs::{
    AlignmentType, Docx, PageMargin, PageOrientationType, Paragraph, Run, RunFonts, Table,
    TableCell, TableRow, WidthType,
};

/// A4 landscape, in twips.
const PAGE: (u32, u32) = (16_838, 11_906);
const MARGIN: i32 = 1_134;
/// No. | Section | Comments | Response | Giải trình: 14,570 twips, the page less its margins.
const COLUMNS: [usize; 5] = [700, 2_300, 5_670, 1_700, 4_200];
/// Half-points: 13 pt for the table, 14 pt for the text.
const TABLE_SIZE: usize = 26;
const TEXT_SIZE: usize = 28;

/// What the report says.
pub struct Report {
    pub organisation: String,
    pub title: String,
    /// "Đợt 2 (01/12/2026 – 15/12/2026)", or the whole consultation.
    pub period: String,
    pub numbers: Numbers,
    pub items: Vec<Item>,
}

pub struct Numbers {
    pub tally: crate::feedback::store::Tally,
    pub staff: i64,
}

/// One row of the table: a comment, or a cluster's representative.
pub struct Item {
    pub section: String,
    /// "Phòng Tổ chức: text" — the comment with its unit.
    pub comment: String,
    /// Others alike in its cluster.
    pub similar: usize,
    /// The response's words ("Tiếp thu"), or "Chưa xử lý".
    pub response: String,
    pub rationale: String,
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(fonts())
}

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
        .east_asia("Times New Roman")
}

fn centred(text: &str, bold: bool) -> Paragraph {
    let r = run(text, TEXT_SIZE);
    Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(if bold { r.bold() } else { r })
}

fn cell(text: &str, width: usize, bold: bool) -> TableCell {
    let mut c = TableCell::new().width(width, WidthType::Dxa);
    // One paragraph a line: a comment's own line breaks stay.
    for line in text.split('\n') {
        let r = run(line, TABLE_SIZE);
        c = c.add_paragraph(Paragraph::new().add_run(if bold { r.bold() } else { r }));
    }
    c
}

fn row(cells: [&str; 5], bold: bool) -> TableRow {
    TableRow::new(
        cells
            .iter()
            .zip(COLUMNS)
            .map(|(text, w)| cell(text, w, bold))
            .collect(),
    )
}

/// Participation in percent, one decimal (0 with no staff).
pub fn rate(people: i64, staff: i64) -> String {
    if staff <= 0 {
        return "0".into();
    }
    format!("{:.1}", people as f64 * 100.0 / staff as f64).replace('.', ",")
}

/// The report as DOCX bytes.
pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let (n, staff) = (&report.numbers.tally, report.numbers.staff);
    let numbers = format!(
        "Đã nhận {} ý kiến góp ý, trong đó {} ý kiến được duyệt ({} ý kiến tập thể của đơn vị, {} ý kiến cá nhân); {} người thuộc {} đơn vị đã tham gia góp ý (tỷ lệ tham gia {} % trên {} cán bộ, công chức, viên chức, người lao động).",
        n.received, n.approved, n.collective, n.approved - n.collective, n.people, n.units, rate(n.people, staff), staff
    );
    let mut rows = vec![row(
        ["STT", "Mục, điều", "Ý kiến góp ý", "Tiếp thu", "Giải trình"],
        true,
    )];
    for (i, item) in report.items.iter().enumerate() {
        let comment = if item.similar > 0 {
            format!("{}\n(và {} ý kiến tương tự)", item.comment, item.similar)
        } else {
            item.comment.clone()
        };
        let no = (i + 1).to_string();
        rows.push(row(
            [
                &no,
                &item.section,
                &comment,
                &item.response,
                &item.rationale,
            ],
            false,
        ));
    }
    let table = Table::new(rows)
        .set_grid(COLUMNS.to_vec())
        .width(COLUMNS.iter().sum(), WidthType::Dxa)
        .layout(docx_rs::TableLayoutType::Fixed);
    let docx = Docx::new()
        .page_size(PAGE.0, PAGE.1)
        .page_orient(PageOrientationType::Landscape)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN),
        )
        .default_fonts(fonts())
        .default_size(TEXT_SIZE)
        .add_paragraph(centred(&report.organisation.to_uppercase(), true))
        .add_paragraph(centred("BÁO CÁO", true))
        .add_paragraph(centred(
            &format!(
                "Tổng hợp, tiếp thu, giải trình ý kiến góp ý dự thảo {}",
                report.title
            ),
            true,
        ))
        .add_paragraph(centred(&report.period, false))
        .add_paragraph(Paragraph::new().add_run(run(&numbers, TEXT_SIZE)))
        .add_table(table);
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| anyhow::anyhow!("writing the report: {e}"))?;
    Ok(out.into_inner())
}
