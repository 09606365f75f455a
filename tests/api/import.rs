//! Importing a draft's sections from text, Markdown and DOCX.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::docx::{docx, para, zip_of};
use crate::helpers::{json_of, problem, spawn_app, spawn_app_with, TestApp};
use crate::world::World;

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

impl TestApp {
    /// POST a file to a document's import; the raw answer.
    pub async fn import(
        &self,
        w: &World,
        doc: i64,
        content_type: &str,
        body: Vec<u8>,
        dry_run: bool,
    ) -> reqwest::Response {
        self.call(
            Method::POST,
            &format!("/api/v1/documents/{doc}/import?dry_run={dry_run}"),
        )
        .auth(&w.secretariat.token)
        .body(content_type, body)
        .send()
        .await
    }

    /// A new draft document of the world's secretariat.
    pub async fn draft(&self, w: &World) -> i64 {
        self.document(&w.secretariat, json!({ "title": "Dự thảo nhập từ tệp" }))
            .await
    }

    /// Import a file of tests/fixtures into a new draft; the outline.
    async fn import_fixture(
        &self,
        w: &World,
        content_type: &str,
        name: &str,
        dry_run: bool,
    ) -> (i64, Value) {
        let doc = self.draft(w).await;
        let res = self
            .import(w, doc, content_type, fixture(name), dry_run)
            .await;
        (doc, json_of(res, StatusCode::OK).await)
    }

    pub async fn section_count(&self, w: &World, doc: i64) -> usize {
        let res = self
            .get(&format!("/api/v1/documents/{doc}"), &w.secretariat.token)
            .await;
        json_of(res, StatusCode::OK).await["sections"]
            .as_array()
            .expect("sections")
            .len()
    }
}

fn by_kind(outline: &Value) -> Value {
    outline["stats"]["by_kind"].clone()
}

fn labels(outline: &Value) -> Vec<String> {
    outline["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["path"].as_str().expect("path").to_owned())
        .collect()
}

#[tokio::test]
async fn the_plain_text_sample_imports_with_its_counts_per_kind() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (doc, outline) = app
        .import_fixture(
            &w,
            "text/plain; charset=utf-8",
            "du-thao-quy-che-lay-y-kien.txt",
            false,
        )
        .await;
    assert_eq!(
        by_kind(&outline),
        json!({ "phan": 0, "chuong": 3, "muc": 2, "dieu": 8, "khoan": 12, "diem": 3, "paragraph": 1 })
    );
    assert_eq!(outline["stats"]["sections"], 29);
    assert!(labels(&outline).contains(&"Chương II › Mục 1 › Điều 5 › Điểm c".to_owned()));
    assert_eq!(app.section_count(&w, doc).await, 29);
}

#[tokio::test]
async fn the_markdown_sample_nests_roman_and_numbered_headings_under_each_part() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (_, outline) = app
        .import_fixture(&w, "text/markdown", "du-thao-bao-cao-chinh-tri.md", true)
        .await;
    assert_eq!(
        by_kind(&outline),
        json!({ "phan": 2, "chuong": 0, "muc": 5, "dieu": 0, "khoan": 7, "diem": 0, "paragraph": 0 })
    );
    assert_eq!(
        outline["title"],
        "Dự thảo Báo cáo chính trị của Ban Chấp hành Đảng bộ Sở"
    );
    assert!(labels(&outline).contains(&"Phần thứ hai › III › 2".to_owned()));
}

#[tokio::test]
async fn a_dry_run_stores_nothing() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (doc, outline) = app
        .import_fixture(&w, "text/plain", "du-thao-quy-che-lay-y-kien.txt", true)
        .await;
    assert_eq!(outline["stats"]["sections"], 29);
    assert_eq!(app.section_count(&w, doc).await, 0);
}

#[tokio::test]
async fn headings_typed_without_diacritics_or_in_capitals_are_recognised() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let text = "PHẦN THỨ NHẤT\nNHỮNG VẤN ĐỀ CHUNG\nchuong i. quy dinh chung\nDieu 1. Pham vi\n1. Khoan mot.\na) diem a;\nb) diem b;\nc) diem c;\nd) diem d;\nđ) điểm đ.\n";
    let res = app.import(&w, doc, "text/plain", text.into(), true).await;
    let outline = json_of(res, StatusCode::OK).await;
    assert_eq!(
        by_kind(&outline),
        json!({ "phan": 1, "chuong": 1, "muc": 0, "dieu": 1, "khoan": 1, "diem": 5, "paragraph": 0 })
    );
    assert_eq!(outline["sections"][0]["heading"], "NHỮNG VẤN ĐỀ CHUNG");
    assert_eq!(outline["warnings"], json!([]), "đ follows d without a gap");
}

#[tokio::test]
async fn a_gap_in_numbering_is_a_warning_with_its_line() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let text = "Điều 1. Một\nNội dung.\nĐiều 3. Ba\nNội dung.\n";
    let res = app.import(&w, doc, "text/plain", text.into(), true).await;
    let outline = json_of(res, StatusCode::OK).await;
    assert_eq!(
        outline["warnings"],
        json!([{ "line": 3, "message": "Điều 3 follows Điều 1" }])
    );
}

#[tokio::test]
async fn text_before_the_first_heading_becomes_a_preamble() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let text = "ỦY BAN NHÂN DÂN TỈNH\nDỰ THẢO\n\nĐiều 1. Phạm vi\nNội dung.\n";
    let res = app.import(&w, doc, "text/plain", text.into(), true).await;
    let outline = json_of(res, StatusCode::OK).await;
    let first = &outline["sections"][0];
    assert_eq!(
        (
            first["kind"].clone(),
            first["body"].clone(),
            first["path"].clone()
        ),
        (
            json!("paragraph"),
            json!("ỦY BAN NHÂN DÂN TỈNH\nDỰ THẢO"),
            json!("Mở đầu")
        )
    );
}

#[tokio::test]
async fn decomposed_unicode_is_stored_composed() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    // "Điều" and "phạm" typed with combining marks (NFD).
    let text = "Đie\u{302}\u{300}u 1. Pha\u{323}m vi\n";
    let res = app.import(&w, doc, "text/plain", text.into(), false).await;
    let outline = json_of(res, StatusCode::OK).await;
    assert_eq!(
        (
            outline["sections"][0]["label"].clone(),
            outline["sections"][0]["heading"].clone()
        ),
        (json!("Điều 1"), json!("Phạm vi"))
    );
}

#[tokio::test]
async fn importing_again_replaces_the_sections_of_a_draft() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let first = app
        .import(
            &w,
            doc,
            "text/plain",
            fixture("du-thao-quy-che-lay-y-kien.txt"),
            false,
        )
        .await;
    json_of(first, StatusCode::OK).await;
    let second = app
        .import(
            &w,
            doc,
            "text/plain",
            "Điều 1. Mới\nNội dung mới.\n".into(),
            false,
        )
        .await;
    json_of(second, StatusCode::OK).await;
    assert_eq!(app.section_count(&w, doc).await, 1);
}

#[tokio::test]
async fn a_docx_with_split_runs_heading_styles_and_deletions_imports_its_structure() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let file = docx(
        &[
            para(Some("Chuong"), &["Chư", "ơng I"]),
            para(None, &["QUY ĐỊNH CHUNG"]),
            para(
                Some("Heading2"),
                &["Đi", "ều", " 1. Phạm vi ", "~bị xoá ", "điều chỉnh"],
            ),
            para(None, &["1. Quy chế này ", "áp dụng."]),
            para(Some("Heading1"), &["Phụ lục"]),
        ],
        "Times New Roman",
    );
    let res = app.import(&w, doc, super::import::DOCX, file, false).await;
    let outline = json_of(res, StatusCode::OK).await;
    assert_eq!(
        labels(&outline),
        vec![
            "Chương I",
            "Chương I › Điều 1",
            "Chương I › Điều 1 › Khoản 1",
            "Phụ lục"
        ]
    );
    assert_eq!(outline["sections"][1]["heading"], "Phạm vi điều chỉnh");
    assert_eq!(outline["sections"][3]["kind"], "paragraph");
}

#[tokio::test]
async fn tcvn3_text_is_refused_with_how_to_convert_it() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let res = app
        .import(
            &w,
            doc,
            "text/plain",
            "§iÒu 1. Ph¹m vi ®iÒu chØnh\n".into(),
            false,
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "legacy_encoding").await;
    assert!(
        body["detail"].as_str().unwrap_or("").contains("Unicode"),
        "{body}"
    );
    assert_eq!(app.section_count(&w, doc).await, 0);
}

#[tokio::test]
async fn a_docx_in_a_vntime_font_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let file = docx(&[para(None, &["§iÒu 1. Ph¹m vi"])], ".VnTime");
    let res = app.import(&w, doc, super::import::DOCX, file, false).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "legacy_encoding").await;
}

#[tokio::test]
async fn text_that_is_not_utf8_is_refused_as_a_legacy_encoding() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let res = app
        .import(
            &w,
            doc,
            "text/plain",
            vec![0xA7, 0x69, 0xD2, 0x75, 0x20, 0x31],
            false,
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "legacy_encoding").await;
}

#[tokio::test]
async fn a_damaged_docx_is_422_not_500() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let mut file = docx(&[para(None, &["Điều 1. Phạm vi"])], "Times New Roman");
    file.truncate(file.len() / 2);
    let res = app.import(&w, doc, super::import::DOCX, file, false).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "unreadable_file").await;
}

#[tokio::test]
async fn a_zip_that_is_not_a_docx_is_422() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let file = zip_of(&[("readme.txt", "không phải docx")]);
    let res = app.import(&w, doc, super::import::DOCX, file, false).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "unreadable_file").await;
}

#[tokio::test]
async fn a_file_over_the_import_limit_is_413() {
    let app = spawn_app_with(|s| s.drafts.max_import_bytes = 1024).await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let text = "Điều 1. Phạm vi\n".repeat(200);
    let res = app.import(&w, doc, "text/plain", text.into(), false).await;
    problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn a_format_other_than_text_markdown_or_docx_is_415() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let res = app
        .import(&w, doc, "application/pdf", b"%PDF-1.7".to_vec(), false)
        .await;
    problem(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn a_closed_consultation_takes_no_import() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.close(&w.secretariat, w.doc).await;
    let res = app
        .import(&w, w.doc, "text/plain", "Điều 1. Mới\n".into(), false)
        .await;
    problem(res, StatusCode::CONFLICT, "document_not_draft").await;
}

#[tokio::test]
async fn raw_html_in_markdown_is_dropped() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app.draft(&w).await;
    let text = "## Điều 1. Phạm vi\n\n<script>alert(1)</script>\n\nNội dung <b>đậm</b> ở đây.\n";
    let res = app
        .import(&w, doc, "text/markdown", text.into(), true)
        .await;
    let outline = json_of(res, StatusCode::OK).await;
    assert_eq!(outline["sections"][0]["body"], "Nội dung đậm ở đây.");
}
