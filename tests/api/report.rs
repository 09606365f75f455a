//! The Word report, read back: its table's rows, cell by cell.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{problem, spawn_app, TestApp};
use crate::world::World;

/// The text of each table cell, row by row (paragraphs of a cell joined by a newline), and
/// of the paragraphs outside the table.
struct Read_ {
    rows: Vec<Vec<String>>,
    text: String,
}

fn read(bytes: &[u8]) -> Read_ {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut rows, mut text) = (Vec::new(), String::new());
    let (mut row, mut cell): (Option<Vec<String>>, Option<String>) = (None, None);
    let mut in_text = false;
    loop {
        match reader.read_event().expect("xml") {
            Event::Start(e) => match e.name().0 {
                "w:tr" => row = Some(Vec::new()),
                "w:tc" => cell = Some(String::new()),
                "w:p" => {
                    if let Some(c) = cell.as_mut().filter(|c| !c.is_empty()) {
                        c.push('\n');
                    }
                }
                "w:t" => in_text = true,
                _ => {}
            },
            Event::End(e) => match e.name().0 {
                "w:tr" => rows.extend(row.take()),
                "w:tc" => {
                    if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                        r.push(c);
                    }
                }
                "w:t" => in_text = false,
                "w:p" if cell.is_none() => text.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => {
                let s = t.xml10_content().into_owned();
                match cell.as_mut() {
                    Some(c) => c.push_str(&s),
                    None => text.push_str(&s),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Read_ { rows, text }
}

async fn report(app: &TestApp, w: &World, query: &str) -> Read_ {
    let res = app
        .get(
            &format!("/api/v1/documents/{}/report.docx{query}", w.doc),
            &w.secretariat.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "status");
    let bytes = res.bytes().await.expect("body");
    read(&bytes)
}

/// An approved comment of the world's employee on section `s` (None: the whole draft).
async fn approved(app: &TestApp, w: &World, s: Option<i64>, body: &str) -> i64 {
    let c = app
        .comment(&w.employee, w.doc, json!({ "body": body, "section_id": s }))
        .await;
    let id = c["id"].as_i64().expect("id");
    let d = app
        .decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    assert_eq!(d["status"], "approved", "{d}");
    id
}

#[tokio::test]
async fn each_approved_comment_is_a_row_with_its_response_in_reading_order() {
    let app = spawn_app().await;
    let w = app.world().await;
    let later = approved(&app, &w, Some(w.sections[1]), "Về điều sau").await;
    approved(&app, &w, Some(w.sections[0]), "Về điều đầu").await;
    let res = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/comments/{later}/response"),
        )
        .auth(&w.secretariat.token)
        .json(&json!({ "decision": "not_accepted", "rationale": "Trái với luật hiện hành" }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK, "response recorded");
    let r = report(&app, &w, "").await;
    let unit = "Phòng Tổ chức cán bộ";
    assert_eq!(
        r.rows[1..].to_vec(),
        vec![
            vec![
                "1".to_owned(),
                "Điều 1".into(),
                format!("{unit}: Về điều đầu"),
                "Chưa xử lý".into(),
                String::new()
            ],
            vec![
                "2".to_owned(),
                "Điều 2".into(),
                format!("{unit}: Về điều sau"),
                "Không tiếp thu".into(),
                "Trái với luật hiện hành".into()
            ],
        ],
        "{:?}",
        r.rows
    );
}

#[tokio::test]
async fn the_header_row_names_the_columns_in_vietnamese() {
    let app = spawn_app().await;
    let w = app.world().await;
    let r = report(&app, &w, "").await;
    assert_eq!(
        r.rows.first().cloned().unwrap_or_default(),
        vec!["STT", "Mục, điều", "Ý kiến góp ý", "Tiếp thu", "Giải trình"]
    );
}

#[tokio::test]
async fn the_title_block_and_numbers_come_before_the_table() {
    let app = spawn_app().await;
    let w = app.world().await;
    approved(&app, &w, None, "Toàn bộ dự thảo cần ngắn gọn").await;
    let r = report(&app, &w, "").await;
    assert!(
        r.text.contains("BÁO CÁO")
            && r.text
                .contains("Tổng hợp, tiếp thu, giải trình ý kiến góp ý dự thảo")
            && r.text
                .contains("Đã nhận 1 ý kiến góp ý, trong đó 1 ý kiến được duyệt"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_cluster_is_one_row_with_the_number_of_similar_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    let copy = "Đề nghị bổ sung thời hạn trả lời ý kiến của người góp ý trong dự thảo.";
    approved(&app, &w, None, copy).await;
    let second = app
        .comment(&w.other_employee, w.doc, json!({ "body": copy }))
        .await;
    assert!(second["cluster_id"].is_i64(), "{second}");
    let id = second["id"].as_i64().expect("id");
    app.decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    let r = report(&app, &w, "").await;
    assert_eq!(
        (
            r.rows.len(),
            r.rows[1][2].ends_with("(và 1 ý kiến tương tự)")
        ),
        (2, true),
        "{:?}",
        r.rows
    );
}

#[tokio::test]
async fn a_round_that_does_not_exist_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    problem(
        app.get(
            &format!("/api/v1/documents/{}/report.docx?round=9", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
