//! Markdown: `#` levels give depth; lists and paragraphs are read line by line like plain
//! text; raw HTML is dropped.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::outline::Block;

fn level(h: HeadingLevel) -> u8 {
    match h {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The file's blocks, and its title when it opens with the only `#` heading.
pub fn blocks(text: &str) -> (Vec<Block>, Option<String>) {
    // Byte offset of each line start, to give every block its line number.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| -> u32 {
        u32::try_from(starts.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    };
    let mut out: Vec<Block> = Vec::new();
    let mut current: Option<Block> = None;
    let mut heading: Option<u8> = None;
    // The next number of each ordered list we are in (None for a bullet list).
    let mut lists: Vec<Option<u64>> = Vec::new();
    let flush = |current: &mut Option<Block>, out: &mut Vec<Block>| {
        if let Some(b) = current.take() {
            if !b.text.trim().is_empty() {
                out.push(b);
            }
        }
    };
    for (event, range) in Parser::new(text).into_offset_iter() {
        let line = line_of(range.start);
        match event {
            Event::Start(Tag::Heading { level: l, .. }) => {
                flush(&mut current, &mut out);
                heading = Some(level(l));
            }
            Event::End(TagEnd::Heading(_)) => {
                flush(&mut current, &mut out);
                heading = None;
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut current, &mut out);
                lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut current, &mut out);
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut current, &mut out);
                // An ordered item keeps its number, so "1. …" reads as a khoản.
                let prefix = match lists.last_mut() {
                    Some(Some(n)) => {
                        let p = format!("{n}. ");
                        *n += 1;
                        p
                    }
                    _ => String::new(),
                };
                current = Some(Block {
                    line,
                    text: prefix,
                    level: None,
                    note: None,
                });
            }
            // A list item's first paragraph continues the item's number.
            Event::End(TagEnd::Paragraph | TagEnd::Item) => flush(&mut current, &mut out),
            Event::SoftBreak | Event::HardBreak => {
                if heading.is_some() {
                    if let Some(c) = current.as_mut() {
                        c.text.push(' ');
                    }
                } else {
                    flush(&mut current, &mut out);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                let c = current.get_or_insert_with(|| Block {
                    line,
                    text: String::new(),
                    level: heading,
                    note: None,
                });
                c.text.push_str(&t);
            }
            // Raw HTML, images, rules and the rest carry no text of the draft.
            _ => {}
        }
    }
    flush(&mut current, &mut out);
    let h1 = out.iter().filter(|b| b.level == Some(1)).count();
    let title = match out.first() {
        Some(b) if b.level == Some(1) && h1 == 1 => Some(b.text.trim().to_owned()),
        _ => None,
    };
    if title.is_some() {
        out.remove(0);
    }
    (out, title)
}
