//! Reading a draft's structure from a file: plain text, Markdown or DOCX in, an outline of
//! sections (Phần / Chương / Mục / Điều / Khoản / Điểm) out. Pure functions: no database.

mod docx;
mod headings;
mod legacy;
mod markdown;
mod outline;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, ErrorCode};

pub use outline::{build, Block};

crate::text_enum! {
    /// What a section is, as recognised from its heading.
    pub enum SectionKind {
        Phan = "phan",
        Chuong = "chuong",
        Muc = "muc",
        Dieu = "dieu",
        Khoan = "khoan",
        Diem = "diem",
        Paragraph = "paragraph",
    }
}

/// The formats `POST /documents/{id}/import` reads, named by the body's Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Docx,
}

pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

impl Format {
    /// From a Content-Type (parameters such as `charset` ignored); 415 for anything else.
    pub fn from_content_type(value: &str) -> Result<Self, AppError> {
        let essence = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "text/plain" => Ok(Self::Text),
            "text/markdown" => Ok(Self::Markdown),
            DOCX_TYPE => Ok(Self::Docx),
            _ => Err(AppError::UnsupportedMediaType(format!(
                "a draft is imported from text/plain, text/markdown or {DOCX_TYPE}, not {value:?}"
            ))),
        }
    }

    /// From a file name's extension (the CLI).
    pub fn from_file_name(name: &str) -> Result<Self, AppError> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".docx") {
            Ok(Self::Docx)
        } else if lower.ends_with(".md") || lower.ends_with(".markdown") {
            Ok(Self::Markdown)
        } else if lower.ends_with(".txt") || lower.ends_with(".text") {
            Ok(Self::Text)
        } else {
            Err(AppError::UnsupportedMediaType(format!(
                "{name}: a draft is imported from .txt, .md or .docx"
            )))
        }
    }
}

/// A text file to import, as it is (any text: its headings are read as described).
#[derive(ToSchema)]
#[schema(value_type = Value)]
pub struct TextFile(pub String);

/// A DOCX file to import.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct DocxFile(pub Vec<u8>);

/// One section found in the file, in reading order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportedSection {
    /// The section's id once stored (absent in a dry run).
    pub id: Option<i64>,
    pub kind: SectionKind,
    pub label: Option<String>,
    pub heading: Option<String>,
    pub body: String,
    /// Labels from the root, e.g. "Chương II › Mục 1 › Điều 4".
    pub path: String,
    /// 0 for top-level sections.
    pub depth: u32,
    /// Order among siblings, from 1.
    pub position: i32,
    /// Line (text, Markdown) or paragraph (DOCX) where the section starts.
    pub line: u32,
    /// Index in `sections` of the parent, if any.
    #[serde(skip)]
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct KindCounts {
    pub phan: u32,
    pub chuong: u32,
    pub muc: u32,
    pub dieu: u32,
    pub khoan: u32,
    pub diem: u32,
    pub paragraph: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportStats {
    pub sections: u32,
    pub by_kind: KindCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportWarning {
    pub line: u32,
    pub message: String,
}

/// A file read into sections.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Outline {
    /// The document's title, when the file names one (a Markdown `#` heading opening the file).
    pub title: Option<String>,
    pub sections: Vec<ImportedSection>,
    pub stats: ImportStats,
    pub warnings: Vec<ImportWarning>,
}

impl Outline {
    /// The outline as indented lines, for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            let indent = "  ".repeat(s.depth as usize);
            let name = match (&s.label, &s.heading) {
                (Some(l), Some(h)) => format!("{l}. {h}"),
                (Some(l), None) if !s.body.is_empty() => {
                    let first: String = s
                        .body
                        .lines()
                        .next()
                        .unwrap_or("")
                        .chars()
                        .take(60)
                        .collect();
                    format!("{l}. {first}")
                }
                (Some(l), None) => l.clone(),
                (None, Some(h)) => h.clone(),
                (None, None) => s
                    .body
                    .lines()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(60)
                    .collect(),
            };
            out.push_str(&format!("{indent}{name}\n"));
        }
        out
    }
}

/// The most sections one file may hold.
pub const MAX_SECTIONS: usize = 50_000;

/// Read `bytes` as `format` into an outline. Every failure is a 4xx: a file that is not UTF-8
/// or is typed in a legacy encoding, a damaged DOCX, a file with no text.
pub fn parse(bytes: &[u8], format: Format) -> Result<Outline, AppError> {
    let (blocks, title) = match format {
        Format::Docx => (docx::blocks(bytes)?, None),
        Format::Text | Format::Markdown => {
            let text = std::str::from_utf8(bytes).map_err(|_| legacy::not_utf8())?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            legacy::check_text(text)?;
            if format == Format::Markdown {
                markdown::blocks(text)
            } else {
                (outline::text_blocks(text), None)
            }
        }
    };
    let mut outline = build(blocks)?;
    outline.title = title;
    if outline.sections.is_empty() {
        return Err(AppError::unprocessable(
            ErrorCode::UnreadableFile,
            "the file holds no text",
        ));
    }
    Ok(outline)
}
