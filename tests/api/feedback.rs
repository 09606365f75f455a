//! The secretariat's exports (CSV for Excel, JSON) and counts.

use chrono::{DateTime, FixedOffset, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp};
use crate::world::World;

fn local(v: &Value) -> String {
    let t: DateTime<Utc> = v.as_str().expect("a time").parse().expect("RFC 3339");
    t.with_timezone(&FixedOffset::east_opt(7 * 3600).expect("offset"))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Six comments by the employee: four approved (returned in submission order), one rejected,
/// one pending. Their texts try formula injection, quotes, commas and line breaks.
async fn feedback(app: &TestApp) -> (World, Vec<Value>) {
    let w = app.world().await;
    let s = &w.sections;
    let bodies = [
        (Some(s[1]), "=HYPERLINK(\"http://x\",\"bấm\")", None),
        (
            None,
            "Ý kiến có \"ngoặc kép\", dấu phẩy\nvà xuống dòng",
            Some("+84 thay bằng 0"),
        ),
        (Some(s[0]), "@Điều 1: đề nghị bỏ từ \"các\"", None),
        (Some(s[0]), "-Bỏ khoản này", None),
        (Some(s[0]), "Bị từ chối", None),
        (Some(s[0]), "Còn chờ duyệt", None),
    ];
    let mut approved = Vec::new();
    for (i, (section, body, proposed)) in bodies.iter().enumerate() {
        let c = app
            .comment(
                &w.employee,
                w.doc,
                json!({ "section_id": section, "body": body, "proposed_text": proposed }),
            )
            .await;
        let id = c["id"].as_i64().expect("id");
        match i {
            4 => {
                app.decide(
                    &w.moderator,
                    id,
                    json!({ "action": "reject", "reason": "Trùng lặp" }),
                )
                .await;
            }
            5 => {}
            _ => approved.push(
                app.decide(&w.moderator, id, json!({ "action": "approve" }))
                    .await,
            ),
        }
    }
    (w, approved)
}

/// A CSV cell as RFC 4180 and the formula guard write it.
fn cell(s: &str) -> String {
    let s = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[tokio::test]
async fn the_csv_export_is_excel_ready_byte_for_byte() {
    let app = spawn_app().await;
    let (w, approved) = feedback(&app).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback?format=csv", w.doc),
            &w.secretariat.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    let text = String::from_utf8(res.bytes().await.expect("body").to_vec()).expect("UTF-8");
    // Whole-draft comments first, then sections in reading order, each by time of submission.
    let order = [&approved[1], &approved[2], &approved[3], &approved[0]];
    let mut expected = String::from("\u{feff}Mã góp ý,Số biên nhận,Vị trí trong dự thảo,Người góp ý,Đơn vị,Loại ý kiến,Thời điểm gửi,Thời điểm duyệt,Nội dung góp ý,Đề xuất sửa đổi,Đợt,Phiên bản dự thảo,Nhóm trùng lặp,Tiếp thu,Giải trình\r\n");
    for c in order {
        let fields = [
            c["id"].to_string(),
            cell(c["receipt"].as_str().expect("receipt")),
            cell(c["section_path"].as_str().unwrap_or("Toàn bộ dự thảo")),
            cell("Ngô Thị Mai"),
            cell("Phòng Tổ chức cán bộ"),
            "Cá nhân".to_owned(),
            local(&c["created_at"]),
            local(&c["decided_at"]),
            cell(c["body"].as_str().expect("body")),
            cell(c["proposed_text"].as_str().unwrap_or("")),
            String::new(),
            "1".to_owned(),
            c["cluster_id"]
                .as_i64()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            String::new(),
            String::new(),
        ];
        expected.push_str(&fields.join(","));
        expected.push_str("\r\n");
    }
    assert_eq!(text, expected);
}

#[tokio::test]
async fn csv_cells_that_start_a_formula_are_neutralised() {
    let app = spawn_app().await;
    let (w, _) = feedback(&app).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback", w.doc),
            &w.secretariat.token,
        )
        .await;
    let text = json_free_text(res).await;
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"bấm\"\")\""),
        "{text}"
    );
    assert!(text.contains(",'-Bỏ khoản này,"));
    assert!(
        text.contains(",'+84 thay bằng 0,,1,,,\r\n"),
        "proposed text neutralised too"
    );
}

async fn json_free_text(res: reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.expect("text")
}

#[tokio::test]
async fn the_json_export_keeps_the_text_as_written() {
    let app = spawn_app().await;
    let (w, _) = feedback(&app).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback?format=json", w.doc),
            &w.secretariat.token,
        )
        .await;
    let export = json_of(res, StatusCode::OK).await;
    assert_eq!(export["document_id"], w.doc);
    let items = export["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[0]["body"],
        "Ý kiến có \"ngoặc kép\", dấu phẩy\nvà xuống dòng"
    );
    assert_eq!(items[3]["body"], "=HYPERLINK(\"http://x\",\"bấm\")");
    assert_eq!(items[3]["section_path"], "Điều 2");
    assert_eq!(items[1]["unit_name"], "Phòng Tổ chức cán bộ");
}

#[tokio::test]
async fn an_unknown_export_format_is_422() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback?format=pdf", w.doc),
            &w.secretariat.token,
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn only_the_secretariat_exports_and_counts() {
    let app = spawn_app().await;
    let w = app.world().await;
    for who in [&w.employee, &w.moderator, &w.admin] {
        let export = app
            .get(&format!("/api/v1/documents/{}/feedback", w.doc), &who.token)
            .await;
        problem(export, StatusCode::FORBIDDEN, "forbidden").await;
        let summary = app
            .get(&format!("/api/v1/documents/{}/summary", w.doc), &who.token)
            .await;
        problem(summary, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn exporting_an_unknown_document_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .get("/api/v1/documents/55555/feedback", &w.secretariat.token)
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_summary_counts_every_state_by_section_and_unit() {
    let app = spawn_app().await;
    let (w, _) = feedback(&app).await;
    let summary = json_of(
        app.get(
            &format!("/api/v1/documents/{}/summary", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        summary["totals"],
        json!({ "pending": 1, "approved": 4, "rejected": 1, "flagged": 0, "reject_proposed": 0, "withdrawn": 0, "total": 6 })
    );
    let rows = summary["sections"].as_array().expect("sections");
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["section_id"].is_null());
    assert_eq!(
        (rows[0]["approved"].as_i64(), rows[0]["total"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(rows[1]["section_id"], w.sections[0]);
    assert_eq!(
        (
            rows[1]["pending"].as_i64(),
            rows[1]["approved"].as_i64(),
            rows[1]["rejected"].as_i64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(
        summary["units"],
        json!([{ "unit_id": w.unit, "unit_name": "Phòng Tổ chức cán bộ", "pending": 1, "approved": 4, "rejected": 1, "flagged": 0, "reject_proposed": 0, "withdrawn": 0, "total": 6 }])
    );
}

#[tokio::test]
async fn large_exports_stream_every_row_once_across_batches() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (doc, sections, secretariat) = (w.doc, w.sections.clone(), &w.secretariat);

    // Bulk set-up straight into the database: two batches and a bit of approved comments across two groups,
    // more than two export batches in one of them.
    let n = 2 * gopy::feedback::export::BATCH as usize + 345;
    let author_id = w.employee.id;
    let mut sql = String::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        sql.push_str("INSERT INTO comments (document_id, section_id, author_id, body, status, receipt, created_at, updated_at, decided_at) VALUES ");
        let rows: Vec<String> = chunk
            .iter()
            .map(|i| {
                let section = if i % 5 == 0 { sections[1] } else { sections[0] };
                format!("({doc}, {section}, {author_id}, 'Góp ý số {i}', 'approved', 'GY-BULK-{i:05}', '2026-11-26 01:00:00', '2026-11-26 01:00:00', '2026-11-26 02:00:00')")
            })
            .collect();
        sql.push_str(&rows.join(","));
        sql.push(';');
    }
    app.sql(&sql).await;

    let res = app
        .get(
            &format!("/api/v1/documents/{doc}/feedback"),
            &secretariat.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), n + 1);
    let receipts: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let mut unique = receipts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), n);
    // Section 1's comments (4 in 5) come before section 2's.
    let first_of_s2 = lines[1..]
        .iter()
        .position(|l| l.contains(",Điều 2,"))
        .unwrap();
    assert_eq!(first_of_s2, n - n.div_ceil(5));
    assert!(lines[1..=first_of_s2]
        .iter()
        .all(|l| l.contains(",Điều 1,")));
    assert!(lines[1..]
        .iter()
        .all(|l| l.contains(",2026-11-26 08:00:00,2026-11-26 09:00:00,")));

    let json: Value = json_of(
        app.get(
            &format!("/api/v1/documents/{doc}/feedback?format=json"),
            &secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(json["items"].as_array().unwrap().len(), n);
}

#[tokio::test]
async fn a_pseudonymised_export_numbers_authors_and_keeps_units() {
    let app = spawn_app().await;
    let w = app.world().await;
    for (who, body) in [
        (&w.employee, "Ý kiến một"),
        (&w.other_employee, "Ý kiến hai"),
        (&w.employee, "Ý kiến ba"),
    ] {
        let c = app.comment(who, w.doc, json!({ "body": body })).await;
        let id = c["id"].as_i64().expect("id");
        app.decide(&w.moderator, id, json!({ "action": "approve" }))
            .await;
    }
    let v = json_of(
        app.get(
            &format!(
                "/api/v1/documents/{}/feedback?format=json&pseudonymize=true",
                w.doc
            ),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = v["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["author_name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        (names, v["items"][0]["unit_name"].is_string()),
        (
            vec!["Người góp ý 1", "Người góp ý 2", "Người góp ý 1"],
            true
        ),
        "{v}"
    );
}

#[tokio::test]
async fn the_export_takes_another_status_when_asked() {
    let app = spawn_app().await;
    let (w, _) = feedback(&app).await;
    let v = json_of(
        app.get(
            &format!(
                "/api/v1/documents/{}/feedback?format=json&status=pending",
                w.doc
            ),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let bodies: Vec<&str> = v["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["body"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(bodies, vec!["Còn chờ duyệt"], "{v}");
}

#[tokio::test]
async fn exporting_a_round_that_does_not_exist_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    problem(
        app.get(
            &format!("/api/v1/documents/{}/feedback?round=9", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
