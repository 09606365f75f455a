//! Onboarding from a roster: HTTP upload and the CLI, all or nothing.

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/roster.csv");

async fn upload(app: &TestApp, admin: &TestUser, csv: &str, dry_run: bool) -> reqwest::Response {
    app.call(
        Method::POST,
        &format!("/api/v1/admin/roster?dry_run={dry_run}"),
    )
    .auth(&admin.token)
    .body("text/csv", csv.to_owned())
    .send()
    .await
}

#[tokio::test]
async fn a_department_onboards_from_its_roster() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Hệ Thống", &[Role::Admin], None).await;
    let csv = std::fs::read_to_string(SAMPLE).unwrap();

    // A dry run reports and writes nothing.
    let dry = json_of(upload(&app, &admin, &csv, true).await, StatusCode::OK).await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["created"].as_array().unwrap().len(), 12);
    let users = json_of(app.get("/api/v1/users", &admin.token).await, StatusCode::OK).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
    assert!(
        json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let report = json_of(upload(&app, &admin, &csv, false).await, StatusCode::OK).await;
    assert_eq!(report["created"].as_array().unwrap().len(), 12);
    assert_eq!(report["unchanged"], 0);
    assert!(report["units_created"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u == "Sở Nội vụ/Chi cục Văn thư - Lưu trữ/Trung tâm Lưu trữ lịch sử"));

    let found = json_of(
        app.get("/api/v1/users?q=do%20thi%20my%20duyen", &admin.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let duyen = &found["items"][0];
    assert_eq!(duyen["full_name"], "Đỗ Thị Mỹ Duyên");
    assert_eq!(duyen["unit_name"], "Phòng Công chức - Viên chức");
    assert_eq!(duyen["roles"], serde_json::json!(["employee", "moderator"]));

    // Everyone new gets an activation mail and can then sign in.
    let mail = app.mail_to("my.duyen@sonoivu.example.vn", 0).await;
    assert_eq!(mail.subject, "Kích hoạt tài khoản góp ý dự thảo");
    assert!(mail.text.contains("Đỗ Thị Mỹ Duyên"));
    let res = app
        .client
        .post(app.url("/api/v1/auth/activate"))
        .json(&serde_json::json!({ "token": mail.token(), "password": "hoa phượng đỏ sân trường 1975" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login(
        "my.duyen@sonoivu.example.vn",
        "hoa phượng đỏ sân trường 1975",
    )
    .await;

    // Importing again changes nothing; a changed row updates that person only.
    let again = json_of(upload(&app, &admin, &csv, false).await, StatusCode::OK).await;
    assert_eq!(
        (
            again["created"].as_array().unwrap().len(),
            again["unchanged"].as_i64()
        ),
        (0, Some(12))
    );
    let moved = csv.replace(
        "my.duyen@sonoivu.example.vn,Đỗ Thị Mỹ Duyên,Sở Nội vụ/Phòng Công chức - Viên chức,\"employee,moderator\"",
        "my.duyen@sonoivu.example.vn,Đỗ Thị Mỹ Duyên,Sở Nội vụ/Thanh tra Sở,employee",
    );
    let changed = json_of(upload(&app, &admin, &moved, false).await, StatusCode::OK).await;
    assert_eq!(
        changed["updated"],
        serde_json::json!(["my.duyen@sonoivu.example.vn"])
    );
    assert_eq!(changed["unchanged"], 11);
    let found = json_of(
        app.get("/api/v1/users?q=duyen", &admin.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["unit_name"], "Thanh tra Sở");
    assert_eq!(found["items"][0]["roles"], serde_json::json!(["employee"]));
    let audit = json_of(
        app.get(
            "/api/v1/admin/audit?action=user.roles_changed",
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn one_bad_row_and_nothing_is_applied() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let csv = "email,full_name,unit_path,roles\n\
               tot@so.gov.vn,Người Tốt,Sở Nội vụ/Văn phòng Sở,employee\n\
               xau-email,Người Xấu,Sở Nội vụ,employee\n\
               tot2@so.gov.vn,Người Tốt Hai,Sở Nội vụ,\"employee,giamdoc\"\n";
    let body = problem(
        upload(&app, &admin, csv, false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_rows",
    )
    .await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["line"].as_i64(), rows[0]["column"].as_str()),
        (Some(3), Some("email"))
    );
    assert_eq!(
        (rows[1]["line"].as_i64(), rows[1]["column"].as_str()),
        (Some(4), Some("roles"))
    );
    assert!(rows[1]["reason"].as_str().unwrap().contains("giamdoc"));
    let users: Value = json_of(app.get("/api/v1/users", &admin.token).await, StatusCode::OK).await;
    assert_eq!(
        users["items"].as_array().unwrap().len(),
        1,
        "nothing applied"
    );
    assert!(
        json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    problem(
        upload(&app, &admin, "name,email\nx,y\n", false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_rows",
    )
    .await;
    let employee = app
        .user("Nhân Viên", &[Role::Employee, Role::Secretariat], None)
        .await;
    problem(
        upload(&app, &employee, csv, false).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
