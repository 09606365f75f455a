//! Screening: what a moderator should look at first in a new comment, computed when it is
//! written. It never decides: it scores (0–100) and labels, with the spans of text that made
//! each label, and the queue sorts and filters on them.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

crate::text_enum! {
    /// Why screening points at a comment.
    pub enum Label {
        /// Links to elsewhere.
        Links = "links",
        /// Mostly capital letters.
        Shouting = "shouting",
        /// One character many times over ("!!!!!!", "quáaaaaa").
        RepeatedCharacters = "repeated_characters",
        /// Too short to say anything about the draft.
        VeryShort = "very_short",
        /// A term on the admins' list (diacritics, case and "d.m"-style spacing aside).
        BlockedTerm = "blocked_term",
        /// Phone numbers, e-mail addresses or ID-card numbers.
        PersonalData = "personal_data",
        /// The same as, or nearly the same as, other comments.
        Duplicate = "duplicate",
    }
}

impl Label {
    /// How much the label adds to the score.
    const fn weight(self) -> u32 {
        match self {
            Label::BlockedTerm => 60,
            Label::PersonalData => 40,
            Label::Links => 20,
            Label::Duplicate => 20,
            Label::Shouting => 15,
            Label::RepeatedCharacters => 10,
            Label::VeryShort => 10,
        }
    }
}

/// One label and where in the text (character offsets, start inclusive, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub label: Label,
    pub spans: Vec<[usize; 2]>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Screening {
    /// 0 (nothing to see) to 100.
    pub score: u8,
    pub labels: Vec<Finding>,
}

impl Screening {
    pub fn has(&self, label: Label) -> bool {
        self.labels.iter().any(|f| f.label == label)
    }

    /// Add a finding (and its weight to the score); findings stay in the labels' order.
    pub fn add(&mut self, label: Label, spans: Vec<[usize; 2]>) {
        let at = self.labels.partition_point(|f| f.label <= label);
        self.labels.insert(at, Finding { label, spans });
        let total: u32 = self.labels.iter().map(|f| f.label.weight()).sum();
        self.score = u8::try_from(total.min(100)).unwrap_or(100);
    }
}

/// Fewer characters than this say nothing about a draft.
const VERY_SHORT: usize = 12;

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|vn|info|xyz)\b")
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b")
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
});
/// Vietnamese mobile and landline numbers (0 or +84, then 9–10 digits, spaces or dots allowed).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+84|\b0)(?:[\s.]?\d){9,10}\b")
        .unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
});
/// Old (9-digit) and new (12-digit) ID-card numbers.
static ID_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:\d{12}|\d{9})\b").unwrap_or_else(|e| unreachable!("a fixed pattern: {e}"))
});

/// Screen `text` against the admins' `blocked` terms.
pub fn screen(text: &str, blocked: &[String]) -> Screening {
    let mut out = screen_text(text);
    add_blocked(&mut out, text, blocked);
    out
}

/// The blocked terms in `text`, added to what screening found.
pub fn add_blocked(out: &mut Screening, text: &str, blocked: &[String]) {
    let terms = blocked_terms(text, blocked);
    if !terms.is_empty() {
        out.add(Label::BlockedTerm, terms);
    }
}

/// Everything screening sees in `text` alone (all but the blocked terms, which are the
/// admins' and read with the batch): computed by the request, beside the other requests,
/// before the submission waits for a writer.
pub fn screen_text(text: &str) -> Screening {
    let mut out = Screening::default();
    let chars = CharIndex::new(text);
    // The patterns' Unicode word boundaries keep the regex engine off its fast path for
    // Vietnamese text, and most comments hold none of what they look for: each runs only when
    // the text has what every match must contain.
    let hints = Hints::of(text);
    let find = |re: &Regex, wanted: bool| -> Vec<[usize; 2]> {
        if !wanted {
            return Vec::new();
        }
        re.find_iter(text).map(|m| chars.span(m.range())).collect()
    };
    let emails = find(&EMAIL, hints.at_sign);
    // An e-mail address's domain is not a link.
    let links: Vec<[usize; 2]> = find(&LINK, hints.link)
        .into_iter()
        .filter(|l| !emails.iter().any(|e| e[0] <= l[0] && l[1] <= e[1]))
        .collect();
    if !links.is_empty() {
        out.add(Label::Links, links);
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    if letters.len() >= 12 && upper * 10 >= letters.len() * 7 {
        out.add(Label::Shouting, vec![[0, text.chars().count()]]);
    }
    let repeats = repeated_runs(text, 5);
    if !repeats.is_empty() {
        out.add(Label::RepeatedCharacters, repeats);
    }
    if text.trim().chars().count() < VERY_SHORT {
        out.add(Label::VeryShort, vec![[0, text.chars().count()]]);
    }
    let mut personal: Vec<[usize; 2]> = find(&PHONE, hints.nine_digits)
        .into_iter()
        .chain(find(&ID_NUMBER, hints.nine_digits))
        .chain(emails)
        .collect();
    personal.sort_unstable();
    personal.dedup();
    if !personal.is_empty() {
        out.add(Label::PersonalData, personal);
    }
    out
}

/// What a text must hold for a pattern to match in it.
struct Hints {
    at_sign: bool,
    /// "://", "www." or a dot before one of the domains `LINK` knows.
    link: bool,
    /// Nine digits or more (`\d` is a Unicode decimal digit, and every one is numeric).
    nine_digits: bool,
}

impl Hints {
    fn of(text: &str) -> Hints {
        let lower = text.to_ascii_lowercase();
        let link = [
            "://", "www.", ".com", ".net", ".org", ".vn", ".info", ".xyz",
        ]
        .iter()
        .any(|p| lower.contains(p));
        Hints {
            at_sign: text.contains('@'),
            link,
            nine_digits: text.chars().filter(|c| c.is_numeric()).nth(8).is_some(),
        }
    }
}

/// Byte offsets to character offsets.
struct CharIndex {
    starts: Vec<usize>,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        CharIndex {
            starts: text.char_indices().map(|(b, _)| b).collect(),
        }
    }

    fn at(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }

    fn span(&self, r: std::ops::Range<usize>) -> [usize; 2] {
        [self.at(r.start), self.at(r.end)]
    }
}

/// Runs of one character `min` times or more (spaces aside).
fn repeated_runs(text: &str, min: usize) -> Vec<[usize; 2]> {
    let mut out = Vec::new();
    let mut run: Option<(char, usize, usize)> = None;
    for (i, c) in text.chars().enumerate() {
        run = match run {
            Some((r, start, n)) if r == c => Some((r, start, n + 1)),
            Some((r, start, n)) => {
                if n >= min && !r.is_whitespace() {
                    out.push([start, start + n]);
                }
                Some((c, i, 1))
            }
            None => Some((c, i, 1)),
        };
    }
    if let Some((r, start, n)) = run {
        if n >= min && !r.is_whitespace() {
            out.push([start, start + n]);
        }
    }
    out
}

/// A word of the text in lower case, with its character span. Single letters set apart only
/// by dots, dashes, stars or spaces ("đ.m", "Đ M") make one word, which is how a blocked word
/// is usually disguised.
fn words(text: &str) -> Vec<(String, [usize; 2])> {
    let mut raw: Vec<(String, [usize; 2])> = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let lower: String = c.to_lowercase().collect();
            match current.as_mut() {
                Some((w, _)) => w.push_str(&lower),
                None => current = Some((lower, i)),
            }
        } else if let Some((w, start)) = current.take() {
            raw.push((w, [start, i]));
        }
    }
    if let Some((w, start)) = current {
        raw.push((w, [start, chars.len()]));
    }
    // Join single letters whose gap is only separators.
    let mut out: Vec<(String, [usize; 2])> = Vec::new();
    for (w, span) in raw {
        let joinable = |prev: &(String, [usize; 2])| {
            prev.0.chars().count() >= 1
                && is_single(&w)
                && chars[prev.1[1]..span[0]]
                    .iter()
                    .all(|c| matches!(c, '.' | '-' | '_' | '*' | ' '))
                && prev_ends_single(&prev.0, prev.1, &chars)
        };
        match out.last_mut() {
            Some(prev) if joinable(prev) => {
                prev.0.push_str(&w);
                prev.1[1] = span[1];
            }
            _ => out.push((w, span)),
        }
    }
    out
}

fn is_single(w: &str) -> bool {
    w.chars().count() == 1
}

/// Whether the word ending at `span` was made of single letters only (so far).
fn prev_ends_single(w: &str, span: [usize; 2], chars: &[char]) -> bool {
    let letters = chars[span[0]..span[1]]
        .iter()
        .filter(|c| c.is_alphanumeric())
        .count();
    // Every letter stands alone: as many letters as the folded word has characters, and no two
    // letters side by side.
    letters == w.chars().count()
        && chars[span[0]..span[1]]
            .windows(2)
            .all(|p| !(p[0].is_alphanumeric() && p[1].is_alphanumeric()))
}

/// Without diacritics (and đ as d).
fn fold(w: &str) -> String {
    w.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if matches!(c, 'đ' | 'Đ') { 'd' } else { c })
        .collect()
}

/// Whether a word of the text is the term's word: the same letters, or — when the text's word
/// is written without diacritics, as someone getting round the list writes it — the same
/// letters once the term's diacritics are set aside. ("ngu" on the list then finds "ngu" and
/// "NGU", not "ngụ cư"; "đồ ngu" finds "do ngu".)
fn same_word(text_word: &str, term_word: &str) -> bool {
    let folded = fold(text_word);
    text_word == term_word || (folded == text_word && folded == fold(term_word))
}

/// Where the blocked terms (each one or more words) stand in the text.
fn blocked_terms(text: &str, blocked: &[String]) -> Vec<[usize; 2]> {
    if blocked.is_empty() {
        return Vec::new();
    }
    let words = words(text);
    let mut out = Vec::new();
    for term in blocked {
        let term_words: Vec<String> = words_of_term(term);
        if term_words.is_empty() {
            continue;
        }
        for start in 0..words.len() {
            let end = start + term_words.len();
            if end <= words.len()
                && words[start..end]
                    .iter()
                    .zip(&term_words)
                    .all(|((w, _), t)| same_word(w, t))
            {
                out.push([words[start].1[0], words[end - 1].1[1]]);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// A term as the admins typed it, in the words it is matched by.
fn words_of_term(term: &str) -> Vec<String> {
    words(term).into_iter().map(|(w, _)| w).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &Screening) -> Vec<Label> {
        s.labels.iter().map(|f| f.label).collect()
    }

    #[test]
    fn an_ordinary_comment_has_nothing_to_see() {
        let s = screen(
            "Đề nghị làm rõ phạm vi điều chỉnh của Điều 3, bổ sung đối tượng là viên chức.",
            &["đồ ngu".into()],
        );
        assert_eq!((s.score, labels(&s)), (0, vec![]));
    }

    #[test]
    fn a_blocked_term_is_found_without_diacritics_and_through_dots() {
        let blocked = vec!["đm".to_owned(), "đồ ngu".to_owned()];
        let s = screen("Viết thế này thì D.M, đúng là DO NGU mới soạn", &blocked);
        assert!(s.has(Label::BlockedTerm), "{s:?}");
        let spans = &s
            .labels
            .iter()
            .find(|f| f.label == Label::BlockedTerm)
            .expect("found")
            .spans;
        assert_eq!(spans, &vec![[17, 20], [30, 36]]);
    }

    #[test]
    fn a_blocked_word_inside_another_word_does_not_count() {
        let s = screen(
            "Đề nghị bổ sung quy định về ngụ cư và định mức.",
            &["ngu".to_owned()],
        );
        assert!(!s.has(Label::BlockedTerm), "{s:?}");
    }

    #[test]
    fn phone_numbers_emails_and_id_numbers_are_personal_data() {
        for text in [
            "Liên hệ tôi qua số 0912 345 678 để trao đổi thêm về dự thảo này",
            "Gửi ý kiến chi tiết tới nguyen.van.a@gmail.com giúp tôi nhé các anh chị",
            "Số CCCD của tôi là 001203004567, đề nghị xác minh giúp tôi với ạ",
        ] {
            assert!(screen(text, &[]).has(Label::PersonalData), "{text}");
        }
    }

    #[test]
    fn links_shouting_repetition_and_shortness_are_labelled() {
        assert!(screen(
            "Xem thêm tại https://example.com/bai-viet nhé mọi người",
            &[]
        )
        .has(Label::Links));
        assert!(screen("DỰ THẢO NÀY HOÀN TOÀN SAI, PHẢI SỬA NGAY", &[]).has(Label::Shouting));
        assert!(
            screen("Dự thảo quá tệ!!!!!! cần viết lại toàn bộ", &[]).has(Label::RepeatedCharacters)
        );
        assert!(screen("Đồng ý", &[]).has(Label::VeryShort));
    }

    #[test]
    fn the_score_adds_up_and_stops_at_a_hundred() {
        let s = screen("ĐM!!!!!! GỌI 0912345678 NGAY", &["đm".to_owned()]);
        assert_eq!(s.score, 100, "{s:?}");
    }
}
