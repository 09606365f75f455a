//! Signing in and out, and the units and accounts admins keep.

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{ids, json_of, problem, spawn_app, TestApp, PASSWORD};

async fn login(app: &TestApp, body: Value) -> reqwest::Response {
    app.call(Method::POST, "/api/v1/auth/login")
        .json(&body)
        .send()
        .await
}

#[tokio::test]
async fn the_email_is_matched_ignoring_case() {
    let app = spawn_app().await;
    let user = app.user("Nguyễn Thị Ánh", &[Role::Employee], None).await;
    let token = app.login(&user.email.to_uppercase(), PASSWORD).await;
    let me = json_of(app.get("/api/v1/me", &token).await, StatusCode::OK).await;
    assert_eq!(me["full_name"], "Nguyễn Thị Ánh");
    assert_eq!(me["roles"], json!(["employee"]));
}

#[tokio::test]
async fn signing_out_ends_that_session_only() {
    let app = spawn_app().await;
    let user = app.user("Nguyễn Thị Ánh", &[Role::Employee], None).await;
    let token = app.login(&user.email, PASSWORD).await;
    let res = app
        .call(Method::POST, "/api/v1/auth/logout")
        .auth(&token)
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/me", &token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let user = app.user("Trần Văn Bình", &[Role::Employee], None).await;
    let wrong = login(
        &app,
        json!({ "email": user.email, "password": "sai-mat-khau-hoan-toan" }),
    )
    .await;
    let wrong = problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = login(
        &app,
        json!({ "email": "khong.ton.tai@test.gopy.vn", "password": "sai-mat-khau-hoan-toan" }),
    )
    .await;
    let unknown = problem(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    // The same answer but for the id each request has of its own.
    let without_id = |mut v: serde_json::Value| {
        assert!(v["request_id"].is_string());
        v["request_id"].take();
        v
    };
    assert_eq!(without_id(wrong), without_id(unknown));
}

#[tokio::test]
async fn a_sign_in_without_a_password_names_the_field() {
    let app = spawn_app().await;
    let res = login(&app, json!({ "email": "ai.do@test.gopy.vn" })).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["password"].is_array(), "{body}");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let res = app
        .call(Method::POST, "/api/v1/auth/login")
        .body("application/json", "{\"email\": ")
        .send()
        .await;
    problem(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_401() {
    let app = spawn_app().await;
    problem(
        app.call(Method::GET, "/api/v1/me").send().await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    problem(
        app.get("/api/v1/me", "not-a-real-token").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn units_form_a_tree_listed_by_id() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let so = app.unit(&admin, "Sở Nội vụ", None).await;
    let vp = app.unit(&admin, "Văn phòng Sở", Some(so)).await;
    let units = json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await;
    assert_eq!(ids(&units), [so, vp]);
    assert_eq!(units["items"][1]["parent_id"], so);
    assert_eq!(units["items"][1]["name"], "Văn phòng Sở");
}

#[tokio::test]
async fn sibling_units_have_different_names() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let so = app.unit(&admin, "Sở Nội vụ", None).await;
    app.unit(&admin, "Văn phòng Sở", Some(so)).await;
    let res = app
        .post(
            "/api/v1/units",
            &admin.token,
            &json!({ "name": "Văn phòng Sở", "parent_id": so }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "unit_exists").await;
}

#[tokio::test]
async fn a_unit_needs_a_name_and_an_existing_parent() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let res = app
        .post(
            "/api/v1/units",
            &admin.token,
            &json!({ "name": "Phòng X", "parent_id": 999999 }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["parent_id"].is_array());
    let res = app
        .post("/api/v1/units", &admin.token, &json!({ "name": "   " }))
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

const HOA: &str = "sông Hồng chảy qua ba tỉnh 2026";

async fn create_hoa(app: &TestApp, admin: &crate::helpers::TestUser, unit: Option<i64>) -> Value {
    let body = json!({
        "email": "Le.Thi.Hoa@SoNoiVu.gov.vn",
        "full_name": "Lê Thị Hoa",
        "unit_id": unit,
        "roles": ["moderator", "employee"],
        "password": HOA,
    });
    json_of(
        app.post("/api/v1/users", &admin.token, &body).await,
        StatusCode::CREATED,
    )
    .await
}

#[tokio::test]
async fn an_admin_creates_an_account_that_can_sign_in() {
    let app = spawn_app().await;
    let w = app.world().await;
    let created = create_hoa(&app, &w.admin, Some(w.unit)).await;
    assert_eq!(created["unit_name"], "Phòng Tổ chức cán bộ");
    assert_eq!(created["roles"], json!(["employee", "moderator"]));
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());
    app.login("le.thi.hoa@sonoivu.gov.vn", HOA).await;
}

#[tokio::test]
async fn an_email_is_taken_whatever_its_case() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    create_hoa(&app, &admin, None).await;
    let body = json!({ "email": "LE.THI.HOA@sonoivu.gov.vn", "full_name": "X", "roles": ["employee"], "password": "mat-khau-du-dai-123" });
    problem(
        app.post("/api/v1/users", &admin.token, &body).await,
        StatusCode::CONFLICT,
        "email_taken",
    )
    .await;
}

#[tokio::test]
async fn a_bad_account_names_every_bad_field() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let body =
        json!({ "email": "not-an-email", "full_name": "", "roles": [], "password": "short" });
    let res = app.post("/api/v1/users", &admin.token, &body).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for field in ["email", "full_name", "roles"] {
        assert!(body["errors"][field].is_array(), "{field} in {body}");
    }
}

#[tokio::test]
async fn an_unknown_role_is_refused() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let body = json!({ "email": "a@b.vn", "full_name": "A", "roles": ["superuser"], "password": "mat-khau-du-dai-123" });
    problem(
        app.post("/api/v1/users", &admin.token, &body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn the_account_search_ignores_diacritics_and_case() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let hoa = create_hoa(&app, &admin, None).await;
    let found = json_of(
        app.get("/api/v1/users?q=LE%20thi%20hoa", &admin.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&found), [hoa["id"].as_i64().expect("id")]);
}

#[tokio::test]
async fn the_account_list_walks_everyone_once() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    let hoa = create_hoa(&app, &admin, None).await;
    let first = json_of(
        app.get("/api/v1/users?limit=1", &admin.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&first), [admin.id]);
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = json_of(
        app.get(
            &format!("/api/v1/users?limit=1&cursor={cursor}"),
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&second), [hoa["id"].as_i64().expect("id")]);
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn a_foreign_cursor_or_an_out_of_range_limit_is_422() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;
    for query in ["cursor=garbage", "limit=0", "limit=201"] {
        let res = app
            .get(&format!("/api/v1/users?{query}"), &admin.token)
            .await;
        problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
}

#[tokio::test]
async fn only_admins_manage_units_and_accounts_and_refused_requests_change_nothing() {
    let app = spawn_app().await;
    let everyone_else = app
        .user(
            "Phạm Văn Công",
            &[Role::Employee, Role::Moderator, Role::Secretariat],
            None,
        )
        .await;
    for (path, body) in [
        ("/api/v1/units", json!({ "name": "Phòng mới" })),
        (
            "/api/v1/users",
            json!({ "email": "x@y.vn", "full_name": "X", "roles": ["admin"], "password": "mat-khau-du-dai-123" }),
        ),
    ] {
        problem(
            app.post(path, &everyone_else.token, &body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        problem(
            app.get(path, &everyone_else.token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let anonymous = app.call(Method::POST, path).json(&body).send().await;
        problem(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let users = json_of(app.get("/api/v1/users", &admin.token).await, StatusCode::OK).await;
    assert_eq!(ids(&users), [everyone_else.id, admin.id]);
    let units = json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await;
    assert!(ids(&units).is_empty());
}
