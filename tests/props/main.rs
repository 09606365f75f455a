//! Property tests of every parser and decoder a client or an operator can feed: the draft
//! importers (plain text, Markdown, DOCX bytes), the roster CSV, pagination cursors,
//! Idempotency-Keys, request ids and configuration values. Thousands of random inputs, and of
//! mutations of real samples, each: nothing panics, and every refusal is a 4xx.
//! (`PROPTEST_CASES` overrides the number of cases.)

#[path = "../api/docx.rs"]
#[allow(dead_code)]
mod docx;

use std::collections::HashMap;

use actix_web::ResponseError;
use gopy::drafts::import::{parse, Format};
use gopy::error::AppError;
use gopy::pagination::PageParams;
use proptest::prelude::*;

const SAMPLE_MD: &[u8] = include_bytes!("../fixtures/du-thao-bao-cao-chinh-tri.md");
const SAMPLE_TXT: &[u8] = include_bytes!("../fixtures/du-thao-quy-che-lay-y-kien.txt");
const SAMPLE_ROSTER: &[u8] = include_bytes!("../fixtures/roster.csv");

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        // Shrinking a failure is worth its time; the random cases are the budget.
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    }
}

fn is_client_error(e: &AppError) -> Result<(), TestCaseError> {
    let status = e.status_code();
    prop_assert!(status.is_client_error(), "{status} for {e:?}");
    Ok(())
}

fn refused_or_read(bytes: &[u8], format: Format) -> Result<(), TestCaseError> {
    match parse(bytes, format) {
        Ok(outline) => prop_assert!(!outline.sections.is_empty()),
        Err(e) => is_client_error(&e)?,
    }
    Ok(())
}

/// One edit of a byte string: flip a byte, insert one, cut one out, or cut the rest off.
#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        3 => any::<usize>().prop_map(Edit::Remove),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn mutate(sample: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = sample.to_vec();
    for e in edits {
        let len = out.len().max(1);
        match *e {
            Edit::Set(i, b) if !out.is_empty() => out[i % len] = b,
            Edit::Insert(i, b) => out.insert(i % (out.len() + 1), b),
            Edit::Remove(i) if !out.is_empty() => {
                out.remove(i % len);
            }
            Edit::Truncate(i) => out.truncate(i % (out.len() + 1)),
            _ => {}
        }
    }
    out
}

/// Lines a draft is made of: headings of every kind, list items, prose, odd spacing.
fn draft_line() -> impl Strategy<Value = String> {
    let starts = prop_oneof![
        Just("Phần thứ "),
        Just("PHẦN "),
        Just("Chương "),
        Just("CHƯƠNG "),
        Just("Mục "),
        Just("Điều "),
        Just("Khoản "),
        Just("# "),
        Just("## "),
        Just("- "),
        Just("1. "),
        Just("a) "),
        Just("đ) "),
        Just("   "),
        Just(""),
    ];
    let numbers = prop_oneof![
        Just("I"),
        Just("IV"),
        Just("XIX"),
        Just("1"),
        Just("12."),
        Just("99999999999999999999"),
        Just("0"),
        Just("nhất"),
        Just(""),
    ];
    (starts, numbers, "\\PC{0,60}").prop_map(|(s, n, rest)| format!("{s}{n} {rest}"))
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn any_bytes_as_text_or_markdown_are_read_or_refused_with_a_4xx(
        bytes in proptest::collection::vec(any::<u8>(), 0..2_048),
    ) {
        refused_or_read(&bytes, Format::Text)?;
        refused_or_read(&bytes, Format::Markdown)?;
    }

    #[test]
    fn any_bytes_as_docx_are_refused_with_a_4xx(
        bytes in proptest::collection::vec(any::<u8>(), 0..2_048),
    ) {
        refused_or_read(&bytes, Format::Docx)?;
    }

    #[test]
    fn drafts_of_random_headings_are_read_or_refused_with_a_4xx(
        lines in proptest::collection::vec(draft_line(), 0..60),
    ) {
        let text = lines.join("\n");
        refused_or_read(text.as_bytes(), Format::Text)?;
        refused_or_read(text.as_bytes(), Format::Markdown)?;
    }

    #[test]
    fn mutated_sample_drafts_are_read_or_refused_with_a_4xx(
        edits in proptest::collection::vec(edit(), 1..24),
    ) {
        refused_or_read(&mutate(SAMPLE_MD, &edits), Format::Markdown)?;
        refused_or_read(&mutate(SAMPLE_TXT, &edits), Format::Text)?;
    }

    #[test]
    fn mutated_docx_files_are_read_or_refused_with_a_4xx(
        edits in proptest::collection::vec(edit(), 1..12),
    ) {
        let sample = docx::docx(
            &[
                docx::para(Some("Heading1"), &["Chương I"]),
                docx::para(None, &["Điều 1. Phạm ", "vi điều chỉnh"]),
                docx::para(None, &["~bị xoá", "Quy chế này quy định việc lấy ý kiến."]),
            ],
            "Times New Roman",
        );
        refused_or_read(&mutate(&sample, &edits), Format::Docx)?;
    }

    #[test]
    fn docx_files_of_random_paragraphs_are_read_or_refused_with_a_4xx(
        paragraphs in proptest::collection::vec(
            (proptest::option::of("[A-Za-z0-9]{0,12}"), proptest::collection::vec("\\PC{0,40}", 0..4)),
            0..20,
        ),
        font in prop_oneof![Just("Times New Roman"), Just(".VnTime"), Just("VNI-Times"), Just("")],
    ) {
        let runs: Vec<Vec<&str>> = paragraphs
            .iter()
            .map(|(_, r)| r.iter().map(String::as_str).collect())
            .collect();
        let paras: Vec<docx::Para> = paragraphs
            .iter()
            .zip(&runs)
            .map(|((style, _), r)| docx::para(style.as_deref(), r))
            .collect();
        refused_or_read(&docx::docx(&paras, font), Format::Docx)?;
    }

    #[test]
    fn a_docx_whose_document_part_is_any_text_is_read_or_refused_with_a_4xx(
        xml in "\\PC{0,400}",
    ) {
        let bytes = docx::zip_of(&[
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", &xml),
        ]);
        refused_or_read(&bytes, Format::Docx)?;
    }

    #[test]
    fn any_bytes_as_a_roster_are_read_or_refused_row_by_row(
        bytes in proptest::collection::vec(any::<u8>(), 0..2_048),
    ) {
        if let Err(errors) = gopy::roster::parse(&bytes) {
            prop_assert!(!errors.is_empty());
        }
    }

    #[test]
    fn mutated_rosters_are_read_or_refused_row_by_row(
        edits in proptest::collection::vec(edit(), 1..24),
    ) {
        match gopy::roster::parse(&mutate(SAMPLE_ROSTER, &edits)) {
            Ok(rows) => prop_assert!(rows.iter().all(|r| r.email.contains('@'))),
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }

    #[test]
    fn any_cursor_and_limit_are_a_page_or_a_422(
        cursor in proptest::option::of(prop_oneof!["\\PC{0,24}", "[0-9]{0,22}", "-?[0-9]{1,19}"]),
        limit in proptest::option::of(any::<i64>()),
    ) {
        let params = PageParams { cursor: cursor.clone(), limit };
        match params.keyset() {
            Ok(k) => {
                prop_assert!((1..=200).contains(&k.limit));
                prop_assert!(k.after.is_none_or(|a| a >= 0));
            }
            Err(e) => {
                prop_assert_eq!(e.status_code().as_u16(), 422);
            }
        }
    }

    #[test]
    fn every_cursor_gopy_writes_reads_back(id in 0i64..=999_999_999_999_999_999) {
        let params = PageParams { cursor: Some(gopy::pagination::encode_cursor(id)), limit: None };
        prop_assert_eq!(params.keyset().map(|k| k.after).ok(), Some(Some(id)));
    }

    #[test]
    fn an_idempotency_key_is_taken_exactly_when_it_is_short_visible_ascii(key in "\\PC{0,300}|[!-~]{0,300}") {
        let ok = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
        match gopy::comments::idempotency::check_key(&key) {
            Ok(()) => prop_assert!(ok, "{key:?} taken"),
            Err(e) => {
                prop_assert!(!ok, "{key:?} refused");
                is_client_error(&e)?;
            }
        }
    }
}

/// A setting's variable with a random value: each either loads or is refused with a message.
fn setting() -> impl Strategy<Value = (String, String)> {
    let keys = prop_oneof![
        Just("SERVER__PORT"),
        Just("SERVER__WORKERS"),
        Just("SERVER__MAX_BODY_BYTES"),
        Just("SERVER__TRUSTED_PROXIES"),
        Just("SERVER__METRICS_PORT"),
        Just("DATABASE__POOL_SIZE"),
        Just("DATABASE__URL"),
        Just("AUTH__SESSION_TTL_MINUTES"),
        Just("AUTH__ARGON2_MEMORY_KIB"),
        Just("AUTH__HASH_NICE"),
        Just("MAIL__TRANSPORT"),
        Just("MAIL__SMTP_SECURITY"),
        Just("MAIL__SMTP_PORT"),
        Just("DISPLAY__UTC_OFFSET"),
        Just("MODERATION__SECOND_REVIEW"),
        Just("MODERATION__DUPLICATE_THRESHOLD"),
        Just("MODERATION__AUTO_FLAG_SCORE"),
        Just("MODERATION__DIGEST_HOUR"),
        Just("COMMENTS__MAX_PER_HOUR"),
        Just("LOG__FORMAT"),
    ];
    let values = prop_oneof![
        "\\PC{0,30}",
        "-?[0-9]{1,25}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,3}(,[0-9a-f:./]{0,20}){0,3}",
        "[+-]?[0-9]{1,3}:[0-9]{1,3}",
        "-?[0-9]\\.[0-9]{1,4}",
        Just("reject,approve".to_owned()),
        Just("json".to_owned()),
    ];
    (keys, values).prop_map(|(k, v)| (format!("GOPY__{k}"), v))
}

proptest! {
    #![proptest_config(cases(2_000))]

    #[test]
    fn any_setting_values_load_or_are_refused_with_a_message(
        vars in proptest::collection::vec(setting(), 1..5),
    ) {
        let vars: HashMap<String, String> = vars.into_iter().collect();
        if let Err(e) = gopy::config::Settings::from_vars(vars) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn the_samples_themselves_are_read() {
    assert!(parse(SAMPLE_MD, Format::Markdown).is_ok());
    assert!(parse(SAMPLE_TXT, Format::Text).is_ok());
    assert!(gopy::roster::parse(SAMPLE_ROSTER).is_ok());
}

#[test]
fn a_setting_out_of_range_is_refused() {
    let vars = HashMap::from([("GOPY__DISPLAY__UTC_OFFSET".to_owned(), "+99:99".to_owned())]);
    assert!(gopy::config::Settings::from_vars(vars).is_err());
}

#[test]
fn an_empty_second_review_in_the_environment_means_no_four_eyes() {
    let vars = HashMap::from([("GOPY__MODERATION__SECOND_REVIEW".to_owned(), String::new())]);
    let settings = gopy::config::Settings::from_vars(vars).expect("loads");
    assert!(!settings.moderation.four_eyes_reject());
}

#[test]
fn an_unknown_second_review_is_refused_with_its_name() {
    let vars = HashMap::from([(
        "GOPY__MODERATION__SECOND_REVIEW".to_owned(),
        "reject,approve".to_owned(),
    )]);
    let err = gopy::config::Settings::from_vars(vars).expect_err("refused");
    assert!(format!("{err:#}").contains("approve"), "{err:#}");
}
