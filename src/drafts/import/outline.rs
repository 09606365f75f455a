//! From paragraphs to a tree: how deep each heading sits (its kind, or the level the file gives
//! it), which text belongs to which section, and what looks amiss.

use super::headings::{classify, label_for, ordinal, Heading};
use super::{ImportStats, ImportWarning, ImportedSection, KindCounts, Outline, SectionKind};
use crate::error::{AppError, ErrorCode};

/// One paragraph of the file.
#[derive(Debug, Clone)]
pub struct Block {
    /// Line (text, Markdown) or paragraph number (DOCX), from 1.
    pub line: u32,
    pub text: String,
    /// A heading level the file itself gives (Markdown `#`, a DOCX heading style), from 1.
    pub level: Option<u8>,
    /// Something the reader of the file noticed here, reported as a warning.
    pub note: Option<&'static str>,
}

/// Non-empty lines of a plain-text file.
pub fn text_blocks(text: &str) -> Vec<Block> {
    text.lines()
        .enumerate()
        .map(|(i, l)| Block {
            line: u32::try_from(i + 1).unwrap_or(u32::MAX),
            text: l.to_owned(),
            level: None,
            note: None,
        })
        .collect()
}

/// Nesting order of the kinds: a Phần holds Chương, a Chương holds Mục, and so on down.
fn kind_rank(kind: SectionKind) -> u32 {
    match kind {
        SectionKind::Phan => 1,
        SectionKind::Chuong => 2,
        SectionKind::Muc => 3,
        SectionKind::Dieu => 4,
        SectionKind::Khoan => 5,
        SectionKind::Diem => 6,
        SectionKind::Paragraph => 7,
    }
}

/// Longest title kept as a heading; a longer one is the section's text.
const MAX_HEADING: usize = 1000;

/// Rank of a recognised heading in an ordinary paragraph: below any heading the file marks
/// with a level of its own (Markdown `#`, DOCX heading styles), ordered by kind among themselves.
fn rank_of(kind: SectionKind, level: Option<u8>) -> u32 {
    match level {
        Some(l) => u32::from(l),
        None => 100 + kind_rank(kind),
    }
}

#[derive(Default)]
struct Builder {
    sections: Vec<ImportedSection>,
    /// (rank, index in `sections`) from the root to the current section.
    stack: Vec<(u32, usize)>,
    /// Children so far of each section (`None` = the root).
    children: std::collections::HashMap<Option<usize>, i32>,
    /// Last number seen per (kind, scope): Phần, Chương and Điều are numbered through the
    /// document, the others within their parent.
    last_number: std::collections::HashMap<(SectionKind, Option<usize>), (u32, String)>,
    warnings: Vec<ImportWarning>,
    /// A Phần/Chương/Mục waiting for its title on the next line.
    wants_title: Option<usize>,
}

impl Builder {
    fn pop_to(&mut self, rank: u32) {
        while self.stack.last().is_some_and(|(r, _)| *r >= rank) {
            self.stack.pop();
        }
    }

    fn in_article(&self) -> bool {
        self.stack
            .iter()
            .any(|(_, i)| self.sections[*i].kind == SectionKind::Dieu)
    }

    fn open(&mut self, rank: u32, kind: SectionKind, label: Option<String>, line: u32) -> usize {
        self.pop_to(rank);
        let parent = self.stack.last().map(|(_, i)| *i);
        let count = self.children.entry(parent).or_insert(0);
        *count += 1;
        let index = self.sections.len();
        self.sections.push(ImportedSection {
            id: None,
            kind,
            label,
            heading: None,
            body: String::new(),
            path: String::new(),
            depth: self.stack.len() as u32,
            position: *count,
            line,
            parent,
        });
        self.stack.push((rank, index));
        index
    }

    fn check_number(&mut self, h: &Heading, label: &str, index: usize, line: u32) {
        let Some(n) = ordinal(h) else { return };
        let scope = match h.kind {
            SectionKind::Phan | SectionKind::Chuong | SectionKind::Dieu => None,
            _ => self.sections[index].parent,
        };
        let key = (h.kind, scope);
        let previous = self.last_number.insert(key, (n, label.to_owned()));
        let message = match previous {
            Some((p, _)) if n == p => Some(format!("{label} appears twice")),
            Some((p, prev)) if n != p + 1 => Some(format!("{label} follows {prev}")),
            None if n != 1 && h.kind != SectionKind::Dieu => {
                Some(format!("{label} is the first of its kind here"))
            }
            _ => None,
        };
        if let Some(message) = message {
            self.warnings.push(ImportWarning { line, message });
        }
    }

    fn append_body(&mut self, index: usize, text: &str) {
        let body = &mut self.sections[index].body;
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(text);
    }

    fn set_title(&mut self, index: usize, title: String) {
        if title.chars().count() > MAX_HEADING {
            self.append_body(index, &title);
        } else if !title.is_empty() {
            self.sections[index].heading = Some(title);
        }
    }

    fn heading(&mut self, h: Heading, level: Option<u8>, line: u32) {
        let rank = rank_of(h.kind, level);
        self.pop_to(rank);
        let label = label_for(&h, self.in_article());
        let i = self.open(rank, h.kind, Some(label.clone()), line);
        self.check_number(&h, &label, i, line);
        match h.kind {
            // The text of a khoản or điểm is its body.
            SectionKind::Khoan | SectionKind::Diem if level.is_none() => {
                self.append_body(i, &h.rest)
            }
            // "Chương I" alone: its title is on the next line.
            SectionKind::Phan | SectionKind::Chuong | SectionKind::Muc
                if h.rest.is_empty() && level.is_none() && !h.roman =>
            {
                self.wants_title = Some(i)
            }
            _ => self.set_title(i, h.rest),
        }
    }

    fn paragraph(&mut self, text: &str, line: u32) {
        match self.stack.last() {
            Some(&(_, i)) => self.append_body(i, text),
            // Text before the first heading: the preamble.
            None => {
                let i = self.open(u32::MAX, SectionKind::Paragraph, None, line);
                self.append_body(i, text);
            }
        }
    }
}

/// Build the outline from the file's paragraphs (NFC-normalised, blank ones skipped).
pub fn build(blocks: Vec<Block>) -> Result<Outline, AppError> {
    let mut b = Builder::default();
    for block in blocks {
        if let Some(note) = block.note {
            b.warnings.push(ImportWarning {
                line: block.line,
                message: note.to_owned(),
            });
        }
        let text = crate::text::clean(block.text.trim());
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let heading = classify(text);
        if let (Some(i), None, None) = (b.wants_title, &heading, block.level) {
            b.wants_title = None;
            b.set_title(i, text.to_owned());
            continue;
        }
        b.wants_title = None;
        match (heading, block.level) {
            (Some(h), level) => b.heading(h, level, block.line),
            (None, Some(level)) => {
                let i = b.open(u32::from(level), SectionKind::Paragraph, None, block.line);
                b.set_title(i, text.to_owned());
            }
            (None, None) => b.paragraph(text, block.line),
        }
        if b.sections.len() > super::MAX_SECTIONS {
            return Err(AppError::unprocessable(
                ErrorCode::UnreadableFile,
                format!(
                    "the file has more than {} sections; split it",
                    super::MAX_SECTIONS
                ),
            ));
        }
    }
    Ok(finish(b))
}

/// Paths, counts and the warnings only the whole tree shows.
fn finish(mut b: Builder) -> Outline {
    let mut by_kind = KindCounts::default();
    for i in 0..b.sections.len() {
        let s = &b.sections[i];
        let segment = s
            .label
            .clone()
            .or_else(|| s.heading.clone())
            .unwrap_or_else(|| {
                if s.parent.is_none() && i == 0 {
                    "Mở đầu".to_owned()
                } else {
                    format!("Đoạn {}", s.position)
                }
            });
        let path = match s.parent {
            Some(p) => format!("{} › {segment}", b.sections[p].path),
            None => segment,
        };
        let counter = match s.kind {
            SectionKind::Phan => &mut by_kind.phan,
            SectionKind::Chuong => &mut by_kind.chuong,
            SectionKind::Muc => &mut by_kind.muc,
            SectionKind::Dieu => &mut by_kind.dieu,
            SectionKind::Khoan => &mut by_kind.khoan,
            SectionKind::Diem => &mut by_kind.diem,
            SectionKind::Paragraph => &mut by_kind.paragraph,
        };
        *counter += 1;
        b.sections[i].path = path;
    }
    for (i, s) in b.sections.iter().enumerate() {
        if s.body.is_empty() && s.heading.is_none() && !b.children.contains_key(&Some(i)) {
            b.warnings.push(ImportWarning {
                line: s.line,
                message: format!("{} has no text", s.path),
            });
        }
    }
    b.warnings.sort_by_key(|w| w.line);
    Outline {
        title: None,
        stats: ImportStats {
            sections: b.sections.len() as u32,
            by_kind,
        },
        sections: b.sections,
        warnings: b.warnings,
    }
}
