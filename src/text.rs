//! Vietnamese text handling: NFC normalisation of everything stored, and a folded form
//! (lowercase, no diacritics, đ → d) for searches typed without diacritics.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
/// can make text display in another order than it is stored ("Trojan Source" spoofing).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no space on screen: zero-width space, joiners and marks, word
/// joiner and invisible operators, BOM, soft hyphen, Mongolian vowel separator.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{034F}'
    )
}

/// Trim, NFC-normalise, drop control characters other than tab and newline (a NUL byte
/// would be rejected by PostgreSQL; the rest have no place in a comment) and bidi controls.
/// Text with nothing visible in it cleans to empty, so "required" means something to read.
pub fn clean(s: &str) -> String {
    let kept: String = s
        .nfc()
        .filter(|c| (!c.is_control() || *c == '\n' || *c == '\t') && !is_bidi_control(*c))
        .collect();
    let trimmed = kept.trim();
    if trimmed
        .chars()
        .all(|c| c.is_whitespace() || is_invisible(c))
    {
        return String::new();
    }
    trimmed.to_owned()
}

/// `None` for an absent or blank optional field, the cleaned text otherwise.
pub fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(clean).filter(|v| !v.is_empty())
}

/// Folded search key: "Nguyễn Văn Đức" → "nguyen van duc". Whitespace runs become one space,
/// none at either end.
///
/// The same as NFD, dropping every combining mark, đ → d, lowercase, then collapsing the
/// whitespace, but a character at a time: NFD's reordering only ever moves marks among marks,
/// which are all dropped, so each character's own decomposition is enough. It runs several
/// times for every comment written (its search form, its fingerprint, its candidates'), and
/// the general NFD iterator was the larger part of that.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    let mut push = |c: char| {
        for lower in c.to_lowercase() {
            if lower.is_whitespace() {
                space = !out.is_empty();
            } else {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(lower);
            }
        }
    };
    for c in s.chars() {
        if c.is_ascii() {
            push(c);
            continue;
        }
        unicode_normalization::char::decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                push(if matches!(d, 'đ' | 'Đ') { 'd' } else { d });
            }
        });
    }
    out
}

/// Lowercase NFC with whitespace collapsed: the form a query typed with diacritics is matched
/// against, so that "thể" finds "Thể" but not "thế".
pub fn lower(s: &str) -> String {
    s.nfc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `q` carries diacritics (or đ): then it is matched exactly, not folded.
pub fn has_diacritics(q: &str) -> bool {
    fold(q) != lower(q)
}

/// The two stored search forms of a text: (folded, lower). Never empty (an empty form marks a
/// row written before search existed, which start-up fills in): nothing folds to a single space.
pub fn search_forms<'a>(parts: impl IntoIterator<Item = &'a str>) -> (String, String) {
    let joined = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let or_space = |s: String| if s.is_empty() { " ".to_owned() } else { s };
    (or_space(fold(&joined)), or_space(lower(&joined)))
}

/// A window of `text` around the first place `word` occurs, `word` given in the form the text is
/// searched in (folded when `folded`, lowercase otherwise); the start of `text` if it does not
/// occur. Matching happens char by char, so the window is cut from the original text.
pub fn snippet(text: &str, word: &str, folded: bool, around: usize) -> String {
    let mut form = String::new();
    let mut origin: Vec<usize> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let mapped: String = if folded {
            fold_char(*c)
        } else {
            c.to_lowercase().collect()
        };
        for m in mapped.chars() {
            form.push(m);
            origin.push(i);
        }
    }
    let at = form
        .find(word)
        .map(|byte| form[..byte].chars().count())
        .and_then(|i| origin.get(i).copied())
        .unwrap_or(0);
    let start = at.saturating_sub(around);
    let end = (at + word.chars().count() + around).min(chars.len());
    let mut out: String = chars[start..end]
        .iter()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn fold_char(c: char) -> String {
    std::iter::once(c)
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `q` in the form the columns are searched in: folded when `q` has no
/// diacritics (then the second value is `true`), lowercase NFC when it has.
pub fn search_words(q: &str) -> (Vec<String>, bool) {
    let folded = !has_diacritics(q);
    let form = if folded { fold(q) } else { lower(q) };
    (form.split_whitespace().map(str::to_owned).collect(), folded)
}

/// A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (ESCAPE '\\').
pub fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Longest search text accepted, in characters.
pub const MAX_SEARCH: usize = 200;

/// A search box's text, checked: at most `MAX_SEARCH` characters; blank means no search.
pub fn search_term(q: Option<&str>) -> Result<Option<&str>, crate::error::AppError> {
    match q {
        Some(q) if q.chars().count() > MAX_SEARCH => Err(crate::error::AppError::field(
            "q",
            format!("must be at most {MAX_SEARCH} characters"),
        )),
        Some(q) if !q.trim().is_empty() => Ok(Some(q)),
        _ => Ok(None),
    }
}

/// A LIKE pattern matching `needle` anywhere, with LIKE's wildcards escaped (ESCAPE '\').
pub fn like_pattern(needle: &str) -> String {
    contains_pattern(&fold(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general form `fold` is a faster equal of.
    fn fold_by_nfd(s: &str) -> String {
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

    proptest::proptest! {
        #[test]
        fn folding_a_character_at_a_time_equals_nfd(s in "\\PC{0,40}|[ \t\naăâeêioôơuưyđAĂÂEÊIOÔƠUƯYĐ\u{300}-\u{36f}áàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệ]{0,40}") {
            proptest::prop_assert_eq!(fold(&s), fold_by_nfd(&s));
        }
    }

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
    fn strips_bidi_controls_and_empties_invisible_text() {
        assert_eq!(clean("ab\u{202E}cd\u{2066}e\u{2069}"), "abcde");
        assert_eq!(clean("\u{200B}\u{200D} \u{FEFF}\u{2060}"), "");
        assert_eq!(clean("a\u{200B}b"), "a\u{200B}b");
    }

    #[test]
    fn tells_queries_with_diacritics_from_those_without() {
        assert!(!has_diacritics("Quy hoach CAN BO"));
        assert!(has_diacritics("thể"));
        assert!(has_diacritics("đang"));
        assert_eq!(lower("  Thể   LỆ "), "thể lệ");
        let nfd: String = "Đảng viên".nfd().collect();
        assert_eq!(
            search_forms([nfd.as_str(), "", "Cán Bộ"]),
            ("dang vien can bo".into(), "đảng viên cán bộ".into())
        );
        assert_eq!(search_forms([""]), (" ".into(), " ".into()));
    }

    #[test]
    fn snippets_are_cut_from_the_original_around_a_folded_match() {
        let text = "Mở đầu dài dòng. Công tác quy hoạch cán bộ phải gắn với đánh giá. Kết thúc.";
        assert_eq!(
            snippet(text, "quy hoach", true, 8),
            "…ông tác quy hoạch cán bộ…"
        );
        assert_eq!(snippet(text, "cán bộ", false, 0), "…cán bộ…");
        assert_eq!(snippet("ngắn", "xyz", true, 10), "ngắn");
    }

    #[test]
    fn search_words_fold_unless_the_query_has_diacritics() {
        let patterns = |q: &str| {
            let (words, folded) = search_words(q);
            (
                words
                    .iter()
                    .map(|w| contains_pattern(w))
                    .collect::<Vec<_>>(),
                folded,
            )
        };
        assert_eq!(
            patterns("Dang  VIEN"),
            (vec!["%dang%".into(), "%vien%".into()], true)
        );
        assert_eq!(
            patterns("Thể 50%"),
            (vec!["%thể%".into(), "%50\\%%".into()], false)
        );
        assert_eq!(search_words("Thể 50%").0, ["thể", "50%"]);
    }

    #[test]
    fn escapes_like() {
        assert_eq!(like_pattern("50%_x"), "%50\\%\\_x%");
    }
}
