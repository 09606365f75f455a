//! Vietnamese text handling: NFC normalisation of everything stored, and a folded form
//! (lowercase, no diacritics, đ → d) for searches typed without diacritics.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Trim, NFC-normalise and drop control characters other than tab and newline (a NUL byte
/// would be rejected by PostgreSQL; the rest have no place in a comment).
pub fn clean(s: &str) -> String {
    let kept: String = s
        .nfc()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    kept.trim().to_owned()
}

/// `None` for an absent or blank optional field, the cleaned text otherwise.
pub fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(clean).filter(|v| !v.is_empty())
}

/// Folded search key: "Nguyễn Văn Đức" → "nguyen van duc".
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A LIKE pattern matching `needle` anywhere, with LIKE's wildcards escaped (ESCAPE '\').
pub fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in fold(needle).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Length in characters, as users count them.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("  Nguyễn   Văn Đức "), "nguyen van duc");
        assert_eq!(fold("Góp ý DỰ THẢO"), "gop y du thao");
    }

    #[test]
    fn cleans_to_nfc() {
        let decomposed = "Vie\u{0302}\u{0323}t Nam\r\n\u{0}";
        assert_eq!(clean(decomposed), "Việt Nam");
        assert_eq!(clean_opt(Some("   ")), None);
    }

    #[test]
    fn escapes_like() {
        assert_eq!(like_pattern("50%_x"), "%50\\%\\_x%");
    }
}
