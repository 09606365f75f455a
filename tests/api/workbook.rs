//! The feedback workbook, read back with a spreadsheet reader: its three sheets, real dates,
//! Vietnamese intact, the header frozen and filtered.

use std::io::{Cursor, Read};

use calamine::{Data, DataType, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};
use crate::world::World;

async fn download(app: &TestApp, w: &World, query: &str) -> Vec<u8> {
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback?format=xlsx{query}", w.doc),
            &w.secretariat.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "status");
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    res.bytes().await.expect("body").to_vec()
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook");
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

/// An approved comment by the world's employee.
async fn approved(app: &TestApp, w: &World, body: &str) -> serde_json::Value {
    let id = app.comment_id(&w.employee, w.doc, body).await;
    let d = app
        .decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    assert_eq!(d["status"], "approved", "{d}");
    d
}

fn text(d: &Data) -> String {
    d.to_string()
}

#[tokio::test]
async fn each_comment_is_a_row_with_vietnamese_intact() {
    let app = spawn_app().await;
    let w = app.world().await;
    let body = "Đề nghị bổ sung quy định về quyền được phản hồi của người góp ý.";
    approved(&app, &w, body).await;
    let rows = sheet(&download(&app, &w, "").await, "Góp ý");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    let row: Vec<String> = rows[1].iter().map(text).collect();
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(
        (
            rows.len(),
            row[at("Nội dung góp ý")].as_str(),
            row[at("Đơn vị")].as_str(),
            row[at("Người góp ý")].as_str(),
            row[at("Trạng thái")].as_str(),
        ),
        (2, body, "Phòng Tổ chức cán bộ", "Ngô Thị Mai", "Đã duyệt")
    );
}

#[tokio::test]
async fn dates_are_real_dates_in_the_display_zone() {
    let app = spawn_app().await;
    let w = app.world().await;
    let d = approved(&app, &w, "Về thời hạn lấy ý kiến").await;
    let rows = sheet(&download(&app, &w, "").await, "Góp ý");
    let created: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(d["created_at"].clone()).expect("a time");
    let local = created
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("+07"))
        .naive_local();
    let cell = rows[1][8].as_datetime().expect("an Excel date");
    assert!((cell - local).num_seconds().abs() <= 1, "{cell} vs {local}");
}

#[tokio::test]
async fn pseudonyms_replace_names_and_the_unit_stays() {
    let app = spawn_app().await;
    let w = app.world().await;
    approved(&app, &w, "Ý kiến thứ nhất").await;
    let rows = sheet(&download(&app, &w, "&pseudonymize=true").await, "Góp ý");
    assert_eq!(
        (text(&rows[1][5]), text(&rows[1][6])),
        (
            "Phòng Tổ chức cán bộ".to_owned(),
            "Người góp ý 1".to_owned()
        )
    );
}

#[tokio::test]
async fn the_section_sheet_counts_by_status_and_response() {
    let app = spawn_app().await;
    let w = app.world().await;
    let d = approved(&app, &w, "Về cả dự thảo").await;
    app.comment_id(&w.employee, w.doc, "Còn chờ duyệt").await;
    let res = app
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/comments/{}/response", d["id"]),
        )
        .auth(&w.secretariat.token)
        .json(&json!({ "decision": "accepted", "rationale": "" }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK, "response recorded");
    let rows = sheet(&download(&app, &w, "").await, "Theo mục");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    let whole: Vec<String> = rows[1].iter().map(text).collect();
    let at = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(
        (
            whole[0].as_str(),
            whole[at("Tổng số")].as_str(),
            whole[at("Chờ duyệt")].as_str(),
            whole[at("Tiếp thu")].as_str(),
            whole[at("Chưa xử lý")].as_str(),
        ),
        ("Toàn bộ dự thảo", "2", "1", "1", "0")
    );
}

#[tokio::test]
async fn the_unit_sheet_gives_staff_people_and_participation() {
    let app = spawn_app().await;
    let w = app.world().await;
    approved(&app, &w, "Một ý kiến của phòng").await;
    let rows = sheet(&download(&app, &w, "").await, "Theo đơn vị");
    let unit = rows
        .iter()
        .find(|r| text(&r[0]) == "Phòng Tổ chức cán bộ")
        .expect("the unit's row");
    assert_eq!(
        unit[1..5].iter().map(text).collect::<Vec<_>>(),
        ["1", "1", "100", "1"]
    );
}

#[tokio::test]
async fn the_header_row_is_frozen_and_filtered() {
    let app = spawn_app().await;
    let w = app.world().await;
    let bytes = download(&app, &w, "").await;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("the first sheet")
        .read_to_string(&mut xml)
        .expect("utf-8");
    assert!(
        xml.contains(r#"ySplit="1""#) && xml.contains("<autoFilter "),
        "{xml}"
    );
}
