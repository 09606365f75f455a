//! What a probe from outside found (an attacker's manual tries and a schema fuzzer), one
//! behaviour per test, each through the real HTTP interface.

use futures_util::future::join_all;
use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{eventually, json_of, problem, spawn_app, spawn_app_with, TestApp, PASSWORD};

async fn login(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.call(Method::POST, "/api/v1/auth/login")
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .status()
}

#[tokio::test]
async fn a_burst_of_wrong_passwords_is_verified_no_more_often_than_the_threshold() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 5;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let victim = app.user("Nạn Nhân", &[Role::Employee], None).await;
    let wrong: Vec<String> = (0..20).map(|i| format!("đoán sai lần {i}")).collect();
    let statuses = join_all(wrong.iter().map(|p| login(&app, &victim.email, p))).await;
    let verified = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(verified + refused, 20, "{statuses:?}");
    assert_eq!(verified, 5, "{statuses:?}");
}

#[tokio::test]
async fn the_right_password_is_refused_while_a_burst_has_locked_the_account() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 3;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let victim = app.user("Nạn Nhân", &[Role::Employee], None).await;
    join_all((0..6).map(|_| login(&app, &victim.email, "mật khẩu đoán sai"))).await;
    assert_eq!(
        login(&app, &victim.email, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn an_admins_unlock_also_frees_the_address_the_failures_came_from() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 100;
        s.auth.ip_lockout_threshold = 3;
    })
    .await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let victim = app.user("Nạn Nhân", &[Role::Employee], None).await;
    let bystander = app.user("Người Cùng Phòng", &[Role::Employee], None).await;
    for _ in 0..3 {
        assert_eq!(
            login(&app, &victim.email, "mật khẩu đoán sai").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login(&app, &bystander.email, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let res = app
        .call(Method::POST, &format!("/api/v1/users/{}/unlock", victim.id))
        .auth(&admin.token)
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        login(&app, &bystander.email, PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn answers_carrying_tokens_or_personal_data_are_never_cached() {
    let app = spawn_app().await;
    let user = app.user("Người Dùng", &[Role::Employee], None).await;
    let res = app
        .call(Method::POST, "/api/v1/auth/login")
        .json(&json!({ "email": user.email, "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let res = app
        .call(Method::GET, "/api/v1/me")
        .auth(&user.token)
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn an_export_is_never_cached() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let res = app
        .call(Method::GET, &format!("/api/v1/documents/{doc}/feedback"))
        .auth(&secretariat.token)
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
}

/// A comment by `author` on a fresh draft that a moderator flags, then approves, each with
/// a reason and a note; returns (comment id, moderator's token).
async fn flagged_then_approved(app: &TestApp, author: &crate::helpers::TestUser) -> (i64, String) {
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let comment = app
        .comment(author, doc, json!({ "body": "Đề nghị làm rõ khái niệm." }))
        .await;
    let id = comment["id"].as_i64().expect("id");
    for action in ["flag", "approve"] {
        let body = json!({ "action": action, "reason": format!("lý do nội bộ khi {action}"), "note": "ghi chú" });
        json_of(app.moderate(&moderator, id, &body).await, StatusCode::OK).await;
    }
    (id, moderator.token)
}

#[tokio::test]
async fn an_author_does_not_see_the_moderators_reasons_for_flagging_or_approving() {
    let app = spawn_app().await;
    let author = app.user("Tác Giả", &[Role::Employee], None).await;
    let (id, _) = flagged_then_approved(&app, &author).await;
    let seen = json_of(
        app.get(&format!("/api/v1/comments/{id}"), &author.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let history = seen["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert!(
        history
            .iter()
            .all(|e| e["reason"].is_null() && e["note"].is_null()),
        "{seen}"
    );
}

#[tokio::test]
async fn moderators_see_every_reason_in_the_history() {
    let app = spawn_app().await;
    let author = app.user("Tác Giả", &[Role::Employee], None).await;
    let (id, moderator) = flagged_then_approved(&app, &author).await;
    let seen = json_of(
        app.get(&format!("/api/v1/comments/{id}"), &moderator).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["history"][0]["reason"], "lý do nội bộ khi flag");
    assert_eq!(seen["history"][1]["reason"], "lý do nội bộ khi approve");
}

#[tokio::test]
async fn an_author_sees_the_reason_for_a_rejection() {
    let app = spawn_app().await;
    let author = app.user("Tác Giả", &[Role::Employee], None).await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let id = app
        .comment(&author, doc, json!({ "body": "Ý kiến lạc đề." }))
        .await["id"]
        .as_i64()
        .expect("id");
    let body = json!({ "action": "reject", "reason": "Không liên quan đến dự thảo." });
    json_of(app.moderate(&moderator, id, &body).await, StatusCode::OK).await;
    let seen = json_of(
        app.get(&format!("/api/v1/comments/{id}"), &author.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["history"][0]["reason"], "Không liên quan đến dự thảo.");
}

#[tokio::test]
async fn a_roster_cannot_take_away_the_importing_admins_own_admin_role() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let csv = format!(
        "email,full_name,unit_path,roles\n{},Quản Trị,Sở Nội vụ,employee\n",
        admin.email
    );
    let res = app
        .call(Method::POST, "/api/v1/admin/roster")
        .auth(&admin.token)
        .body("text/csv", csv)
        .send()
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_rows").await;
    assert_eq!(body["rows"][0]["line"], 2);
    assert_eq!(body["rows"][0]["column"], "roles");
    let me = json_of(app.get("/api/v1/me", &admin.token).await, StatusCode::OK).await;
    assert_eq!(me["roles"], json!(["admin"]));
}

#[tokio::test]
async fn password_reset_mails_to_one_account_are_limited_per_hour() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let user = app.user("Hay Quên", &[Role::Employee], None).await;
    for _ in 0..10 {
        let res = app
            .call(Method::POST, "/api/v1/auth/password-reset")
            .json(&json!({ "email": user.email }))
            .send()
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    let audit = |action: &'static str| {
        let (app, token) = (&app, admin.token.clone());
        async move {
            let path = format!("/api/v1/admin/audit?action={action}&entity_id={}", user.id);
            let page = json_of(app.get(&path, &token).await, StatusCode::OK).await;
            page["items"].as_array().map(Vec::len).unwrap_or(0)
        }
    };
    let (sent, limited) = eventually("all ten reset requests to be handled", || async {
        let (sent, limited) = (
            audit("auth.reset_requested").await,
            audit("auth.reset_limited").await,
        );
        (sent + limited == 10).then_some((sent, limited))
    })
    .await;
    assert_eq!((sent, limited), (3, 7));
}

#[tokio::test]
async fn a_comment_with_nothing_visible_is_refused() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let author = app.user("Tác Giả", &[Role::Employee], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let res = app
        .post(
            &format!("/api/v1/documents/{doc}/comments"),
            &author.token,
            &json!({ "body": "\u{200B}\u{200D} \u{FEFF}\u{2060}" }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["body"].is_array(), "{body}");
}

#[tokio::test]
async fn bidirectional_overrides_are_stripped_from_comments() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let author = app.user("Tác Giả", &[Role::Employee], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let comment = app
        .comment(
            &author,
            doc,
            json!({ "body": "Đồng ý\u{202E}txt.exe\u{202C} với \u{2066}Điều 1\u{2069}" }),
        )
        .await;
    assert_eq!(comment["body"], "Đồng ýtxt.exe với Điều 1");
}

#[tokio::test]
async fn a_json_array_where_an_object_is_expected_is_422() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let res = app
        .call(Method::POST, "/api/v1/documents")
        .auth(&secretariat.token)
        .json(&json!(["Dự thảo", null, null, null, null]))
        .send()
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["$"].is_array(), "{body}");
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_named_in_the_422() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let user = app.user("Người Dùng", &[Role::Employee], None).await;
    let res = app
        .call(Method::PATCH, &format!("/api/v1/users/{}", user.id))
        .auth(&admin.token)
        .json(&json!({ "locale": "fr" }))
        .send()
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["locale"].is_array(), "{body}");
}

#[tokio::test]
async fn a_method_the_path_does_not_take_is_405_with_allow() {
    let app = spawn_app().await;
    let res = app.call(Method::DELETE, "/api/v1/documents").send().await;
    assert_eq!(res.headers()["allow"], "GET, POST");
    assert_eq!(
        res.headers()["cache-control"],
        "no-store",
        "errors are not cached either"
    );
    problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn a_method_on_a_path_with_an_id_is_405_with_allow() {
    let app = spawn_app().await;
    let res = app.call(Method::PUT, "/api/v1/comments/12").send().await;
    assert_eq!(res.headers()["allow"], "GET, PATCH");
    problem(res, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn a_too_long_uri_is_414_problem_json() {
    let app = spawn_app().await;
    let q = "a".repeat(10_000);
    let res = app
        .call(Method::GET, &format!("/api/v1/documents?q={q}"))
        .send()
        .await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    problem(res, StatusCode::URI_TOO_LONG, "uri_too_long").await;
}

#[tokio::test]
async fn the_link_pages_run_no_inline_script() {
    let app = spawn_app().await;
    let res = app.call(Method::GET, "/activate").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = res.text().await.expect("html");
    assert!(
        !html.contains("<script>") && html.contains("<script src=\"/assets/password.js\""),
        "{html}"
    );
}

#[tokio::test]
async fn the_api_docs_page_has_a_policy_and_cannot_be_framed() {
    let app = spawn_app().await;
    let res = app.call(Method::GET, "/docs/").send().await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn query_strings_never_reach_the_log() {
    let db = crate::helpers::TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let server =
        crate::process::Server::start_with(&db, dir.path(), false, &[("RUST_LOG", "debug".into())]);
    let url = format!(
        "{}/api/v1/documents?q=b%C3%AD-m%E1%BA%ADt&token=s3cr3t-in-url",
        server.base
    );
    let status = reqwest::get(url).await.expect("request").status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let log = server.stop_and_read_log().join("\n");
    assert!(
        log.contains("/api/v1/documents"),
        "the request was not logged: {log}"
    );
    assert!(!log.contains("s3cr3t") && !log.contains("token="), "{log}");
}
