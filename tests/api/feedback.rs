use chrono::{DateTime, FixedOffset, Utc};
use diesel::connection::SimpleConnection;
use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app};

fn local(v: &Value) -> String {
    let t: DateTime<Utc> = v.as_str().unwrap().parse().unwrap();
    t.with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[tokio::test]
async fn secretariat_exports_approved_feedback_as_excel_ready_csv() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let unit = app.unit(&admin, "Phòng Cải cách hành chính", None).await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let author = app
        .user("Bùi Thị Ngọc Ánh", &[Role::Employee], Some(unit))
        .await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let (doc, sections) = app.published_document(&secretariat).await;

    let bodies = [
        (Some(sections[1]), "=HYPERLINK(\"http://x\",\"bấm\")", None),
        (
            None,
            "Ý kiến có \"ngoặc kép\", dấu phẩy\nvà xuống dòng",
            Some("+84 thay bằng 0"),
        ),
        (Some(sections[0]), "@Điều 1: đề nghị bỏ từ \"các\"", None),
        (Some(sections[0]), "-Bỏ khoản này", None),
        (Some(sections[0]), "Bị từ chối", None),
        (Some(sections[0]), "Còn chờ duyệt", None),
    ];
    let mut approved = Vec::new();
    for (i, (section, body, proposed)) in bodies.iter().enumerate() {
        let c = app
            .comment(
                &author,
                doc,
                json!({ "section_id": section, "body": body, "proposed_text": proposed }),
            )
            .await;
        let id = c["id"].as_i64().unwrap();
        match i {
            4 => {
                app.moderate(
                    &moderator,
                    id,
                    &json!({ "action": "reject", "reason": "Trùng lặp" }),
                )
                .await;
            }
            5 => {}
            _ => {
                let decided = json_of(
                    app.moderate(&moderator, id, &json!({ "action": "approve" }))
                        .await,
                    StatusCode::OK,
                )
                .await;
                approved.push(decided);
            }
        }
    }

    let res = app
        .get(
            &format!("/api/v1/documents/{doc}/feedback?format=csv"),
            &secretariat.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    let bytes = res.bytes().await.unwrap();

    // Whole-draft comments first, then sections in reading order, each by time of submission.
    let order = [&approved[1], &approved[2], &approved[3], &approved[0]];
    let cell = |s: &str| -> String {
        let s = match s.chars().next() {
            Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
            _ => s.to_owned(),
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut expected = String::from("\u{feff}Mã góp ý,Số biên nhận,Vị trí trong dự thảo,Người góp ý,Đơn vị,Thời điểm gửi,Thời điểm duyệt,Nội dung góp ý,Đề xuất sửa đổi\r\n");
    for c in order {
        let fields = [
            c["id"].to_string(),
            cell(c["receipt"].as_str().unwrap()),
            cell(c["section_path"].as_str().unwrap_or("Toàn bộ dự thảo")),
            cell("Bùi Thị Ngọc Ánh"),
            cell("Phòng Cải cách hành chính"),
            local(&c["created_at"]),
            local(&c["decided_at"]),
            cell(c["body"].as_str().unwrap()),
            cell(c["proposed_text"].as_str().unwrap_or("")),
        ];
        expected.push_str(&fields.join(","));
        expected.push_str("\r\n");
    }
    assert_eq!(String::from_utf8(bytes.to_vec()).unwrap(), expected);
    assert!(expected.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"bấm\"\")\""));
    assert!(expected.contains(",'-Bỏ khoản này,"));
    assert!(
        expected.contains(",'+84 thay bằng 0\r\n"),
        "proposed text neutralised too"
    );

    let res = app
        .get(
            &format!("/api/v1/documents/{doc}/feedback?format=json"),
            &secretariat.token,
        )
        .await;
    let export = json_of(res, StatusCode::OK).await;
    assert_eq!(export["document_id"], doc);
    let items = export["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(
        items[0]["body"],
        "Ý kiến có \"ngoặc kép\", dấu phẩy\nvà xuống dòng"
    );
    assert_eq!(
        items[3]["body"], "=HYPERLINK(\"http://x\",\"bấm\")",
        "JSON keeps the text as written"
    );
    assert_eq!(items[3]["section_path"], "Điều 2");
    assert_eq!(items[1]["unit_name"], "Phòng Cải cách hành chính");

    problem(
        app.get(
            &format!("/api/v1/documents/{doc}/feedback?format=xlsx"),
            &secretariat.token,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.get(&format!("/api/v1/documents/{doc}/feedback"), &author.token)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get(
            &format!("/api/v1/documents/{doc}/summary"),
            &moderator.token,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get("/api/v1/documents/55555/feedback", &secretariat.token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let summary = json_of(
        app.get(
            &format!("/api/v1/documents/{doc}/summary"),
            &secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        summary["totals"],
        json!({ "pending": 1, "approved": 4, "rejected": 1, "flagged": 0, "total": 6 })
    );
    let rows = summary["sections"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["section_id"].is_null());
    assert_eq!(
        (rows[0]["approved"].as_i64(), rows[0]["total"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(rows[1]["section_id"], sections[0]);
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
        json!([{ "unit_id": unit, "unit_name": "Phòng Cải cách hành chính", "pending": 1, "approved": 4, "rejected": 1, "flagged": 0, "total": 6 }])
    );
}

#[tokio::test]
async fn large_exports_stream_every_row_once_across_batches() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let author = app.user("Tác Giả", &[Role::Employee], None).await;
    let (doc, sections) = app.published_document(&secretariat).await;

    // Bulk set-up straight into the database: two batches and a bit of approved comments across two groups,
    // more than two export batches in one of them.
    let n = 2 * gopy::feedback::export::BATCH as usize + 345;
    let pool = app.pool.clone();
    let author_id = author.id;
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().unwrap();
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
        conn.batch_execute(&sql).unwrap();
    })
    .await
    .unwrap();

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
