//! The Word report ("Báo cáo tổng hợp, tiếp thu, giải trình ý kiến góp ý"), pure: the data in,
//! the DOCX bytes out. Times New Roman throughout, A4 landscape, and every column's width set
//! in twentieths of a point on the grid and on each cell, so that Word and LibreOffice lay the
//! table out alike.
//!
//! The WordprocessingML is written straight into the zip as it goes, row by row: the docx-rs
//! document model this began with held about 30 KB per table row (600 MB for a draft with
//! 20,000 comments, bench scenario 10b); this writes the same parts with the memory of one
//! row plus the compressed output.

use std::fmt::Write as _;
use std::io::Write as _;

use zip::write::SimpleFileOptions;

/// A4 landscape, in twips.
const PAGE: (u32, u32) = (16_838, 11_906);
const MARGIN: i32 = 1_134;
/// No. | Section | Comments | Response | Giải trình: 14,570 twips, the page less its margins.
const COLUMNS: [usize; 5] = [700, 2_300, 5_670, 1_700, 4_200];
/// Half-points: 13 pt for the table, 14 pt for the text.
const TABLE_SIZE: usize = 26;
const TEXT_SIZE: usize = 28;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const FONTS: &str = r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>"#;
const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

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

fn styles() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr>{FONTS}<w:sz w:val="{TEXT_SIZE}"/><w:szCs w:val="{TEXT_SIZE}"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults></w:styles>"#
    )
}

/// Text as XML character data: escaped, without the control characters XML 1.0 forbids.
fn text(out: &mut String, s: &str) {
    let clean: std::borrow::Cow<'_, str> = if s
        .chars()
        .any(|c| (c < ' ' && c != '\t') || c == '\u{fffe}' || c == '\u{ffff}')
    {
        s.chars()
            .filter(|c| (*c >= ' ' || *c == '\t') && *c != '\u{fffe}' && *c != '\u{ffff}')
            .collect::<String>()
            .into()
    } else {
        s.into()
    };
    out.push_str(&quick_xml::escape::escape(&*clean));
}

/// One run of `s` at `size` half-points.
fn run(out: &mut String, s: &str, size: usize, bold: bool) {
    let b = if bold { "<w:b/>" } else { "" };
    let _ = write!(
        out,
        r#"<w:r><w:rPr>{FONTS}{b}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">"#
    );
    text(out, s);
    out.push_str("</w:t></w:r>");
}

fn paragraph(out: &mut String, s: &str, centred: bool, bold: bool) {
    out.push_str("<w:p>");
    if centred {
        out.push_str(r#"<w:pPr><w:jc w:val="center"/></w:pPr>"#);
    }
    run(out, s, TEXT_SIZE, bold);
    out.push_str("</w:p>");
}

/// A table row; the header row repeats on every page.
fn row(out: &mut String, cells: [&str; 5], header: bool) {
    out.push_str("<w:tr>");
    if header {
        out.push_str("<w:trPr><w:tblHeader/></w:trPr>");
    }
    for (cell, width) in cells.iter().zip(COLUMNS) {
        let _ = write!(
            out,
            r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>"#
        );
        // One paragraph a line: a comment's own line breaks stay.
        for line in cell.split('\n') {
            out.push_str("<w:p>");
            run(out, line, TABLE_SIZE, header);
            out.push_str("</w:p>");
        }
        out.push_str("</w:tc>");
    }
    out.push_str("</w:tr>");
}

fn table_start(out: &mut String) {
    let width: usize = COLUMNS.iter().sum();
    let _ = write!(
        out,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>"#
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            out,
            r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#
        );
    }
    out.push_str(r#"</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#);
    for w in COLUMNS {
        let _ = write!(out, r#"<w:gridCol w:w="{w}"/>"#);
    }
    out.push_str("</w:tblGrid>");
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
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = SimpleFileOptions::default();
    for (name, part) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
        ("_rels/.rels", ROOT_RELS.to_owned()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
        ("word/styles.xml", styles()),
    ] {
        zip.start_file(name, deflate)?;
        zip.write_all(part.as_bytes())?;
    }
    zip.start_file("word/document.xml", deflate)?;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>"#
    );
    paragraph(&mut out, &report.organisation.to_uppercase(), true, true);
    paragraph(&mut out, "BÁO CÁO", true, true);
    let heading = format!(
        "Tổng hợp, tiếp thu, giải trình ý kiến góp ý dự thảo {}",
        report.title
    );
    paragraph(&mut out, &heading, true, true);
    paragraph(&mut out, &report.period, true, false);
    paragraph(&mut out, &numbers, false, false);
    table_start(&mut out);
    row(
        &mut out,
        ["STT", "Mục, điều", "Ý kiến góp ý", "Tiếp thu", "Giải trình"],
        true,
    );
    let mut comment = String::new();
    for (i, item) in report.items.iter().enumerate() {
        comment.clear();
        comment.push_str(&item.comment);
        if item.similar > 0 {
            let _ = write!(comment, "\n(và {} ý kiến tương tự)", item.similar);
        }
        let no = (i + 1).to_string();
        row(
            &mut out,
            [
                &no,
                &item.section,
                &comment,
                &item.response,
                &item.rationale,
            ],
            false,
        );
        if out.len() > 48 * 1024 {
            zip.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    let _ = write!(
        out,
        r#"</w:tbl><w:p/><w:sectPr><w:pgSz w:w="{}" w:h="{}" w:orient="landscape"/><w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        PAGE.0, PAGE.1
    );
    zip.write_all(out.as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_stripped_of_what_xml_forbids() {
        let mut out = String::new();
        text(&mut out, "a < b & \u{1}c\td");
        assert_eq!(out, "a &lt; b &amp; c\td");
    }
}
