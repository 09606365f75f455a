use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, PASSWORD};

#[tokio::test]
async fn login_me_logout_round_trip() {
    let app = spawn_app().await;
    let user = app.user("Nguyễn Thị Ánh", &[Role::Employee], None).await;

    // Email is matched ignoring case.
    let token = app.login(&user.email.to_uppercase(), PASSWORD).await;
    let me = json_of(app.get("/api/v1/me", &token).await, StatusCode::OK).await;
    assert_eq!(me["full_name"], "Nguyễn Thị Ánh");
    assert_eq!(me["roles"], json!(["employee"]));

    let res = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.get("/api/v1/me", &token).await;
    problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // The other session is untouched.
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_logins_are_indistinguishable_and_bad_tokens_rejected() {
    let app = spawn_app().await;
    let user = app.user("Trần Văn Bình", &[Role::Employee], None).await;
    let login = |email: String, password: &'static str| {
        let app = &app;
        async move {
            app.request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({ "email": email, "password": password })),
            )
            .await
        }
    };
    let wrong_password = problem(
        login(user.email.clone(), "sai-mat-khau-hoan-toan").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let unknown_email = problem(
        login(
            "khong.ton.tai@test.gopy.vn".into(),
            "sai-mat-khau-hoan-toan",
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong_password, unknown_email);

    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({ "email": user.email })),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["password"].is_array(), "{body}");

    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::BAD_REQUEST, "bad_request").await;

    let res = app.request(Method::GET, "/api/v1/me", None, None).await;
    problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let res = app.get("/api/v1/me", "not-a-real-token").await;
    problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn admin_sets_up_units_and_people() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị Viên", &[Role::Admin], None).await;

    let so = app.unit(&admin, "Sở Nội vụ", None).await;
    let vp = app.unit(&admin, "Văn phòng Sở", Some(so)).await;
    let res = app
        .post(
            "/api/v1/units",
            &admin.token,
            &json!({ "name": "Văn phòng Sở", "parent_id": so }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "unit_exists").await;
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

    let units = json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await;
    let names: Vec<&str> = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Sở Nội vụ", "Văn phòng Sở"]);
    assert_eq!(units["items"][1]["parent_id"], so);

    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            &json!({
                "email": "Le.Thi.Hoa@SoNoiVu.gov.vn",
                "full_name": "Lê Thị Hoa",
                "unit_id": vp,
                "roles": ["employee", "moderator"],
                "password": "sông Hồng chảy qua ba tỉnh 2026",
            }),
        )
        .await;
    let created = json_of(res, StatusCode::CREATED).await;
    assert_eq!(created["unit_name"], "Văn phòng Sở");
    assert_eq!(created["roles"], json!(["employee", "moderator"]));
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());
    // The new person can sign in; the email is unique ignoring case.
    app.login(
        "le.thi.hoa@sonoivu.gov.vn",
        "sông Hồng chảy qua ba tỉnh 2026",
    )
    .await;
    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            &json!({ "email": "LE.THI.HOA@sonoivu.gov.vn", "full_name": "X", "roles": ["employee"], "password": "mat-khau-du-dai-123" }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "email_taken").await;

    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            &json!({ "email": "not-an-email", "full_name": "", "roles": [], "password": "short" }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for field in ["email", "full_name", "roles"] {
        assert!(body["errors"][field].is_array(), "{field} in {body}");
    }
    let res = app
        .post(
            "/api/v1/users",
            &admin.token,
            &json!({ "email": "a@b.vn", "full_name": "A", "roles": ["superuser"], "password": "mat-khau-du-dai-123" }),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // Search ignores diacritics and case; pagination walks every user exactly once.
    let found = json_of(
        app.get("/api/v1/users?q=le%20thi%20hoa", &admin.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["full_name"], "Lê Thị Hoa");
    let first = json_of(
        app.get("/api/v1/users?limit=1", &admin.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
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
    assert_eq!(second["items"][0]["email"], "Le.Thi.Hoa@SoNoiVu.gov.vn");
    assert!(second["next_cursor"].is_null());
    let res = app.get("/api/v1/users?cursor=garbage", &admin.token).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let res = app.get("/api/v1/users?limit=0", &admin.token).await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn only_admins_manage_units_and_accounts() {
    let app = spawn_app().await;
    let employee = app
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
            app.post(path, &employee.token, &body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        problem(
            app.get(path, &employee.token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        let res = app.request(Method::POST, path, None, Some(&body)).await;
        problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // Nothing was created by the refused requests.
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let users: Value = json_of(app.get("/api/v1/users", &admin.token).await, StatusCode::OK).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 2);
    let units: Value = json_of(app.get("/api/v1/units", &admin.token).await, StatusCode::OK).await;
    assert!(units["items"].as_array().unwrap().is_empty());
}
