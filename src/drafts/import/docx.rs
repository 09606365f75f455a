//! DOCX: `word/document.xml` read with a streaming XML reader. The runs of a paragraph are
//! joined (Word splits "Điều" across runs), deleted text is skipped, heading styles and outline
//! levels give depth, and legacy-encoded text is refused.

use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::legacy;
use super::outline::Block;
use crate::error::{AppError, ErrorCode};

/// The most a DOCX part may expand to when unzipped (a zip bomb stops here).
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;

fn unreadable(why: impl std::fmt::Display) -> AppError {
    AppError::unprocessable(
        ErrorCode::UnreadableFile,
        format!("the file is not a readable DOCX document: {why}"),
    )
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.0 == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// Heading level (from 1) of each paragraph style that is a heading.
fn style_levels(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<HashMap<String, u8>, AppError> {
    let mut levels = HashMap::new();
    let Ok(file) = archive.by_name("word/styles.xml") else {
        return Ok(levels);
    };
    let mut reader = Reader::from_reader(BufReader::new(file.take(MAX_PART_BYTES)));
    let mut buf = Vec::new();
    let mut style: Option<String> = None;
    loop {
        match reader.read_event_into(&mut buf).map_err(unreadable)? {
            Event::Start(e) | Event::Empty(e) => match e.name().0 {
                "w:style" => style = attr(&e, "w:styleId"),
                "w:name" => {
                    let name = attr(&e, "w:val").unwrap_or_default().to_ascii_lowercase();
                    if let (Some(id), Some(n)) = (&style, name.strip_prefix("heading ")) {
                        if let Ok(n) = n.trim().parse::<u8>() {
                            levels.insert(id.clone(), n);
                        }
                    }
                }
                "w:outlineLvl" => {
                    if let (Some(id), Some(v)) = (&style, attr(&e, "w:val")) {
                        if let Ok(v) = v.parse::<u8>() {
                            if v < 9 {
                                levels.entry(id.clone()).or_insert(v + 1);
                            }
                        }
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().0 == "w:style" => style = None,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(levels)
}

/// Paragraph being read.
#[derive(Default)]
struct Paragraph {
    text: String,
    style: Option<String>,
    outline: Option<u8>,
    numbered: bool,
}

/// The paragraphs of the document body, in order.
pub fn blocks(bytes: &[u8]) -> Result<Vec<Block>, AppError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let styles = style_levels(&mut archive)?;
    let file = archive
        .by_name("word/document.xml")
        .map_err(|_| unreadable("it has no word/document.xml"))?;
    let mut reader = Reader::from_reader(BufReader::new(file.take(MAX_PART_BYTES)));
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut para: Option<Paragraph> = None;
    let mut in_text = false;
    let mut deleted = 0u32;
    let mut legacy_font = false;
    let mut count = 0u32;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(unreadable)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.name().0 {
                    "w:p" => {
                        para = Some(Paragraph::default());
                        if empty {
                            para = None;
                        }
                    }
                    "w:del" | "w:moveFrom" if !empty => deleted += 1,
                    "w:t" if !empty => in_text = true,
                    "w:tab" | "w:br" | "w:cr" => {
                        if let (Some(p), 0) = (para.as_mut(), deleted) {
                            p.text.push(' ');
                        }
                    }
                    "w:pStyle" => {
                        if let Some(p) = para.as_mut() {
                            p.style = attr(e, "w:val");
                        }
                    }
                    "w:outlineLvl" => {
                        if let Some(p) = para.as_mut() {
                            p.outline = attr(e, "w:val")
                                .and_then(|v| v.parse::<u8>().ok())
                                .filter(|v| *v < 9)
                                .map(|v| v + 1);
                        }
                    }
                    "w:numPr" => {
                        if let Some(p) = para.as_mut() {
                            p.numbered = true;
                        }
                    }
                    "w:rFonts" => {
                        for key in ["w:ascii", "w:hAnsi", "w:cs"] {
                            if attr(e, key).is_some_and(|f| legacy::is_legacy_font(&f)) {
                                legacy_font = true;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text && deleted == 0 => {
                if let Some(p) = para.as_mut() {
                    p.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text && deleted == 0 => {
                if let Some(p) = para.as_mut() {
                    let entity = match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    p.text.extend(entity);
                }
            }
            Event::End(e) => match e.name().0 {
                "w:t" => in_text = false,
                "w:del" | "w:moveFrom" => deleted = deleted.saturating_sub(1),
                "w:p" => {
                    count += 1;
                    if let Some(p) = para.take() {
                        let level = p
                            .outline
                            .or_else(|| p.style.as_ref().and_then(|s| styles.get(s).copied()));
                        out.push(Block {
                            line: count,
                            note: (p.numbered && !p.text.trim().is_empty()).then_some(
                                "this paragraph uses Word's automatic numbering, whose number is not in the text",
                            ),
                            text: p.text,
                            level,
                        });
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if legacy_font {
        return Err(legacy::refused(
            "the document uses a legacy Vietnamese font (.VnTime, VNI-Times …), so its text is in TCVN3 or VNI",
        ));
    }
    let all: String = out
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    legacy::check_text(&all)?;
    Ok(out)
}
