//! Onboarding from a roster over HTTP: a dry run, all or nothing, idempotent.

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{ids, json_of, problem, spawn_app, TestApp, TestUser};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/roster.csv");
const DUYEN: &str = "my.duyen@sonoivu.example.vn";

fn sample() -> String {
    std::fs::read_to_string(SAMPLE).expect("tests/fixtures/roster.csv")
}

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

async fn imported(app: &TestApp) -> TestUser {
    let admin = app.user("Quản Trị Hệ Thống", &[Role::Admin], None).await;
    let report = json_of(upload(app, &admin, &sample(), false).await, StatusCode::OK).await;
    assert_eq!(report["created"].as_array().map(Vec::len), Some(12));
    admin
}

async fn user_named(app: &TestApp, admin: &TestUser, q: &str) -> Value {
    let found = json_of(
        app.get(&format!("/api/v1/users?q={q}"), &admin.token).await,
        StatusCode::OK,
    )
    .await;
    found["items"][0].clone()
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Hệ Thống", &[Role::Admin], None).await;
    let dry = json_of(upload(&app, &admin, &sample(), true).await, StatusCode::OK).await;
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["created"].as_array().map(Vec::len), Some(12));
    let users = json_of(app.get("/api/v1/users", &admin.token).await, StatusCode::OK).await;
    assert_eq!(ids(&users), [admin.id]);
    let units = json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await;
    assert!(ids(&units).is_empty());
}

#[tokio::test]
async fn an_import_creates_the_units_along_each_path_and_the_people() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Hệ Thống", &[Role::Admin], None).await;
    let report = json_of(upload(&app, &admin, &sample(), false).await, StatusCode::OK).await;
    assert_eq!(report["unchanged"], 0);
    let units = report["units_created"].as_array().expect("units");
    assert!(
        units
            .iter()
            .any(|u| u == "Sở Nội vụ/Chi cục Văn thư - Lưu trữ/Trung tâm Lưu trữ lịch sử"),
        "{units:?}"
    );
    let duyen = user_named(&app, &admin, "do%20thi%20my%20duyen").await;
    assert_eq!(duyen["full_name"], "Đỗ Thị Mỹ Duyên");
    assert_eq!(duyen["unit_name"], "Phòng Công chức - Viên chức");
    assert_eq!(duyen["roles"], json!(["employee", "moderator"]));
}

#[tokio::test]
async fn everyone_imported_gets_an_activation_mail_and_can_then_sign_in() {
    let app = spawn_app().await;
    imported(&app).await;
    let mail = app.mail_to(DUYEN, 0).await;
    assert_eq!(mail.subject, "Kích hoạt tài khoản góp ý dự thảo");
    assert!(mail.text.contains("Đỗ Thị Mỹ Duyên"));
    let password = "hoa phượng đỏ sân trường 1975";
    let res = app
        .call(Method::POST, "/api/v1/auth/activate")
        .json(&json!({ "token": mail.token(), "password": password }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login(DUYEN, password).await;
}

#[tokio::test]
async fn importing_the_same_roster_again_changes_nothing() {
    let app = spawn_app().await;
    let admin = imported(&app).await;
    let again = json_of(upload(&app, &admin, &sample(), false).await, StatusCode::OK).await;
    assert_eq!(
        (
            again["created"].as_array().map(Vec::len),
            again["unchanged"].as_i64()
        ),
        (Some(0), Some(12))
    );
}

#[tokio::test]
async fn a_changed_row_updates_that_person_only_and_is_audited() {
    let app = spawn_app().await;
    let admin = imported(&app).await;
    let moved = sample().replace(
        "my.duyen@sonoivu.example.vn,Đỗ Thị Mỹ Duyên,Sở Nội vụ/Phòng Công chức - Viên chức,\"employee,moderator\"",
        "my.duyen@sonoivu.example.vn,Đỗ Thị Mỹ Duyên,Sở Nội vụ/Thanh tra Sở,employee",
    );
    let changed = json_of(upload(&app, &admin, &moved, false).await, StatusCode::OK).await;
    assert_eq!(changed["updated"], json!([DUYEN]));
    assert_eq!(changed["unchanged"], 11);
    let duyen = user_named(&app, &admin, "duyen").await;
    assert_eq!(duyen["unit_name"], "Thanh tra Sở");
    assert_eq!(duyen["roles"], json!(["employee"]));
    let audit = json_of(
        app.get(
            "/api/v1/admin/audit?action=user.roles_changed",
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
}

const TWO_BAD: &str = "email,full_name,unit_path,roles\n\
                       tot@so.gov.vn,Người Tốt,Sở Nội vụ/Văn phòng Sở,employee\n\
                       xau-email,Người Xấu,Sở Nội vụ,employee\n\
                       tot2@so.gov.vn,Người Tốt Hai,Sở Nội vụ,\"employee,giamdoc\"\n";

#[tokio::test]
async fn every_bad_row_is_named_by_line_and_column() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let body = problem(
        upload(&app, &admin, TWO_BAD, false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_rows",
    )
    .await;
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["line"].as_i64(), rows[0]["column"].as_str()),
        (Some(3), Some("email"))
    );
    assert_eq!(
        (rows[1]["line"].as_i64(), rows[1]["column"].as_str()),
        (Some(4), Some("roles"))
    );
    assert!(rows[1]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("giamdoc")));
}

#[tokio::test]
async fn one_bad_row_and_nothing_is_applied() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    problem(
        upload(&app, &admin, TWO_BAD, false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_rows",
    )
    .await;
    let users = json_of(app.get("/api/v1/users", &admin.token).await, StatusCode::OK).await;
    assert_eq!(ids(&users), [admin.id], "nothing applied");
    let units = json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await;
    assert!(ids(&units).is_empty());
}

#[tokio::test]
async fn a_file_with_other_columns_is_refused() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    problem(
        upload(&app, &admin, "name,email\nx,y\n", false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_rows",
    )
    .await;
}

#[tokio::test]
async fn only_admins_import_rosters() {
    let app = spawn_app().await;
    let other = app
        .user("Nhân Viên", &[Role::Employee, Role::Secretariat], None)
        .await;
    problem(
        upload(&app, &other, &sample(), false).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
