//! Which paragraph is a heading: the words it starts with (Phần / Chương / Mục / Điều, with or
//! without diacritics, in any case), Roman and Arabic numbering, điểm letters (đ included).

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::SectionKind;

/// A heading recognised from the words a paragraph starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub kind: SectionKind,
    /// "thứ hai", "II", "4", "a" as written (normalised case).
    pub number: String,
    /// What follows the number: the title of a Phần/Chương/Mục/Điều, the text of a khoản/điểm.
    pub rest: String,
    /// A Roman-numbered heading of a political report ("I. …").
    pub roman: bool,
}

/// Each original character folded to exactly one character (lowercase, no diacritics, đ → d),
/// so a match in the folded text gives positions in the original.
fn fold_aligned(s: &str) -> String {
    s.chars()
        .map(|c| {
            let base = c.nfd().next().unwrap_or(c);
            let base = if base == 'đ' || base == 'Đ' {
                'd'
            } else {
                base
            };
            base.to_lowercase().next().unwrap_or(base)
        })
        .collect()
}

const SEP: &str = r"\s*(?:[.:\-–—]\s*)?";
static KEYWORDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(phan|chuong|muc|dieu)\s+(thu\s+[a-z]+|[ivxlc]+|[0-9]+[a-z]?)(?:\b|$){SEP}(.*)$"
    ))
    .unwrap_or_else(|e| panic!("heading pattern: {e}"))
});
static ROMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([ivxlc]+)\.\s+(\S.*)$").unwrap_or_else(|e| panic!("roman pattern: {e}"))
});
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,3})[.)]\s+(\S.*)$").unwrap_or_else(|e| panic!("numbered pattern: {e}"))
});

fn chars_before(folded: &str, byte: usize) -> usize {
    folded[..byte].chars().count()
}

fn original_from(original: &[char], start: usize) -> String {
    original[start.min(original.len())..]
        .iter()
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The heading this paragraph starts with, if any.
pub fn classify(text: &str) -> Option<Heading> {
    let original: Vec<char> = text.chars().collect();
    let folded = fold_aligned(text);
    if let Some(c) = KEYWORDED.captures(&folded) {
        let (kw, num, rest) = (c.get(1)?, c.get(2)?, c.get(3)?);
        let kind = match kw.as_str() {
            "phan" => SectionKind::Phan,
            "chuong" => SectionKind::Chuong,
            "muc" => SectionKind::Muc,
            _ => SectionKind::Dieu,
        };
        let written: String = original
            [chars_before(&folded, num.start())..chars_before(&folded, num.end())]
            .iter()
            .collect();
        let number = if num.as_str().starts_with("thu") {
            written.to_lowercase()
        } else {
            written.to_uppercase()
        };
        // "Điều 1." is always a heading; a bare "Phần thứ nhất" or "Chương I" too. Text such as
        // "Mục tiêu tổng quát" does not match (a number must follow the keyword).
        return Some(Heading {
            kind,
            number,
            rest: original_from(&original, chars_before(&folded, rest.start())),
            roman: false,
        });
    }
    // Roman-numbered headings are written in capitals: "I. Kết quả đạt được".
    if let Some(c) = ROMAN.captures(&folded) {
        let num = c.get(1)?;
        let written: String = original[..chars_before(&folded, num.end())]
            .iter()
            .collect();
        if written.chars().all(|ch| ch.is_ascii_uppercase()) {
            return Some(Heading {
                kind: SectionKind::Muc,
                number: written,
                rest: original_from(&original, chars_before(&folded, c.get(2)?.start())),
                roman: true,
            });
        }
    }
    if let Some(c) = NUMBERED.captures(&folded) {
        return Some(Heading {
            kind: SectionKind::Khoan,
            number: c.get(1)?.as_str().to_owned(),
            rest: original_from(&original, chars_before(&folded, c.get(2)?.start())),
            roman: false,
        });
    }
    // Điểm: a lowercase letter of the Vietnamese alphabet (đ included) and ")".
    let mut it = original.iter();
    let (letter, paren) = (*it.next()?, *it.next()?);
    if paren == ')' && (letter.is_ascii_lowercase() || letter == 'đ') {
        let rest = original_from(&original, 2);
        if !rest.is_empty() {
            return Some(Heading {
                kind: SectionKind::Diem,
                number: letter.to_string(),
                rest,
                roman: false,
            });
        }
    }
    None
}

/// Ordinal of a heading number, for spotting gaps: 4, IV, "d" (after "c"), "đ" (after "d").
pub fn ordinal(h: &Heading) -> Option<u32> {
    const LETTERS: &str = "abcdđeghiklmnopqrstuvxy";
    if let Ok(n) = h.number.parse::<u32>() {
        return Some(n);
    }
    if h.kind == SectionKind::Diem {
        return LETTERS
            .chars()
            .position(|c| h.number.starts_with(c))
            .map(|p| p as u32 + 1);
    }
    let mut total = 0u32;
    let mut last = 0u32;
    for c in h.number.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            'C' => 100,
            _ => return None,
        };
        if v < last {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            last = v;
        }
    }
    Some(total)
}

pub fn label_for(h: &Heading, in_article: bool) -> String {
    match h.kind {
        SectionKind::Phan => format!("Phần {}", h.number),
        SectionKind::Chuong => format!("Chương {}", h.number),
        SectionKind::Muc if h.roman => h.number.clone(),
        SectionKind::Muc => format!("Mục {}", h.number),
        SectionKind::Dieu => format!("Điều {}", h.number),
        SectionKind::Khoan if in_article => format!("Khoản {}", h.number),
        SectionKind::Diem if in_article => format!("Điểm {}", h.number),
        _ => h.number.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> Option<(SectionKind, String, String)> {
        classify(text).map(|h| (h.kind, h.number, h.rest))
    }

    #[test]
    fn headings_are_recognised_with_or_without_diacritics_in_any_case() {
        assert_eq!(
            kind("PHẦN THỨ HAI"),
            Some((SectionKind::Phan, "thứ hai".into(), "".into()))
        );
        assert_eq!(
            kind("phan thu nhat. Danh gia"),
            Some((SectionKind::Phan, "thu nhat".into(), "Danh gia".into()))
        );
        assert_eq!(
            kind("Chương IV QUY ĐỊNH CHUNG"),
            Some((SectionKind::Chuong, "IV".into(), "QUY ĐỊNH CHUNG".into()))
        );
        assert_eq!(
            kind("Dieu 12. Pham vi"),
            Some((SectionKind::Dieu, "12".into(), "Pham vi".into()))
        );
        assert_eq!(
            kind("đ) điểm đ"),
            Some((SectionKind::Diem, "đ".into(), "điểm đ".into()))
        );
        assert_eq!(kind("Mục tiêu tổng quát"), None);
        assert_eq!(kind("Điều kiện bảo đảm"), None);
        assert_eq!(kind("i. not roman in lowercase"), None);
    }
}
