//! Activation, password reset and change, and hash upgrades (ASVS level 2).

use gopy::accounts::types::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser, PASSWORD};

const STRONG: &str = "đồi chè Thái Nguyên xanh ngát 2026";
const STRONGER: &str = "ruộng bậc thang Mù Cang Chải mùa lúa chín";

async fn post_anon(app: &TestApp, path: &str, body: Value) -> Response {
    app.call(Method::POST, path).json(&body).send().await
}

pub async fn login_status(app: &TestApp, email: &str, password: &str) -> Response {
    post_anon(
        app,
        "/api/v1/auth/login",
        json!({ "email": email, "password": password }),
    )
    .await
}

/// An admin creates Lê Thị Hoa without a password; returns the token of her activation mail.
async fn invited(app: &TestApp) -> String {
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let body =
        json!({ "email": "hoa.le@so.gov.vn", "full_name": "Lê Thị Hoa", "roles": ["employee"] });
    json_of(
        app.post("/api/v1/users", &admin.token, &body).await,
        StatusCode::CREATED,
    )
    .await;
    app.mail_to("hoa.le@so.gov.vn", 0).await.token()
}

async fn activate(app: &TestApp, token: &str, password: &str) -> Response {
    post_anon(
        app,
        "/api/v1/auth/activate",
        json!({ "token": token, "password": password }),
    )
    .await
}

#[tokio::test]
async fn an_account_without_a_password_cannot_sign_in() {
    let app = spawn_app().await;
    invited(&app).await;
    problem(
        login_status(&app, "hoa.le@so.gov.vn", "").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        login_status(&app, "hoa.le@so.gov.vn", STRONG).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
}

#[tokio::test]
async fn the_activation_mail_is_in_vietnamese_with_a_256_bit_token_in_the_fragment() {
    let app = spawn_app().await;
    invited(&app).await;
    let mail = app.mail_to("hoa.le@so.gov.vn", 0).await;
    assert_eq!(mail.subject, "Kích hoạt tài khoản góp ý dự thảo");
    assert!(mail.text.contains("Kính gửi Lê Thị Hoa") && mail.text.contains("72 giờ"));
    assert!(mail.html.contains("/activate#token="));
    assert!(mail.token().len() >= 43, "256-bit token, base64url");
}

#[tokio::test]
async fn a_guessable_password_is_refused_in_vietnamese_by_default() {
    let app = spawn_app().await;
    let token = invited(&app).await;
    let body = problem(
        activate(&app, &token, "hoa.le12345678").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let message = body["errors"]["password"][0].as_str().expect("message");
    assert!(message.starts_with("Mật khẩu quá dễ đoán"), "{body}");
}

#[tokio::test]
async fn password_rules_are_explained_in_english_on_request() {
    let app = spawn_app().await;
    let token = invited(&app).await;
    let res = app
        .call(Method::POST, "/api/v1/auth/activate")
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({ "token": token, "password": "short" }))
        .send()
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(
        body["errors"]["password"][0],
        "The password must be at least 12 characters long."
    );
}

#[tokio::test]
async fn activation_sets_the_password_once() {
    let app = spawn_app().await;
    let token = invited(&app).await;
    assert_eq!(
        activate(&app, &token, STRONG).await.status(),
        StatusCode::NO_CONTENT
    );
    app.login("hoa.le@so.gov.vn", STRONG).await;
    let again = problem(
        activate(&app, &token, STRONGER).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(again["errors"]["token"].is_array());
}

#[tokio::test]
async fn an_expired_activation_link_does_not_work() {
    let app = spawn_app().await;
    let token = invited(&app).await;
    app.sql("UPDATE account_tokens SET expires_at = '2000-01-01 00:00:00'")
        .await;
    problem(
        activate(&app, &token, STRONG).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

async fn request_reset(app: &TestApp, email: &str) -> Response {
    post_anon(
        app,
        "/api/v1/auth/password-reset",
        json!({ "email": email }),
    )
    .await
}

#[tokio::test]
async fn a_reset_request_answers_the_same_for_unknown_and_known_addresses() {
    let app = spawn_app().await;
    let user = app.user("Phạm Minh Tuấn", &[Role::Employee], None).await;
    let unknown = request_reset(&app, "nobody@so.gov.vn").await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let unknown = unknown.bytes().await.expect("body");
    let known = request_reset(&app, &user.email.to_uppercase()).await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(
        known.bytes().await.expect("body"),
        unknown,
        "same answer either way"
    );
    let mails = app.mails(1).await;
    assert!(
        mails.iter().all(|m| m.to == user.email),
        "only the known address got mail"
    );
}

/// A user with a second session, and the token of a reset mail sent to them.
async fn reset_mailed(app: &TestApp) -> (TestUser, String, String) {
    let user = app.user("Phạm Minh Tuấn", &[Role::Employee], None).await;
    let second = app.login(&user.email, PASSWORD).await;
    assert_eq!(
        request_reset(app, &user.email).await.status(),
        StatusCode::ACCEPTED
    );
    let mail = app.mail_to(&user.email, 0).await;
    assert_eq!(mail.subject, "Đặt lại mật khẩu gopy");
    assert!(mail.text.contains("30 phút"));
    (user, second, mail.token())
}

async fn confirm(app: &TestApp, token: &str, password: &str) -> Response {
    post_anon(
        app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "password": password }),
    )
    .await
}

#[tokio::test]
async fn a_forged_reset_token_is_refused() {
    let app = spawn_app().await;
    reset_mailed(&app).await;
    problem(
        confirm(&app, "forged", STRONG).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn a_reset_ends_every_session_and_replaces_the_password() {
    let app = spawn_app().await;
    let (user, second, token) = reset_mailed(&app).await;
    assert_eq!(
        confirm(&app, &token, STRONG).await.status(),
        StatusCode::NO_CONTENT
    );
    for t in [&user.token, &second] {
        problem(
            app.get("/api/v1/me", t).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    problem(
        login_status(&app, &user.email, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    app.login(&user.email, STRONG).await;
}

#[tokio::test]
async fn a_reset_link_works_once_and_the_owner_is_told() {
    let app = spawn_app().await;
    let (user, _, token) = reset_mailed(&app).await;
    assert_eq!(
        confirm(&app, &token, STRONG).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(
        confirm(&app, &token, STRONGER).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let notice = app.mail_to(&user.email, 1).await;
    assert_eq!(notice.subject, "Mật khẩu gopy của Anh/Chị đã được thay đổi");
}

async fn change(app: &TestApp, user: &TestUser, current: &str, new: &str) -> Response {
    app.post(
        "/api/v1/me/password",
        &user.token,
        &json!({ "current": current, "new": new }),
    )
    .await
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let app = spawn_app().await;
    let user = app.user("Đinh Thị Lan", &[Role::Employee], None).await;
    let body = problem(
        change(&app, &user, "sai mật khẩu rồi", STRONG).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["current"].is_array());
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status(),
        StatusCode::OK,
        "nothing changed"
    );
}

#[tokio::test]
async fn a_new_password_built_from_the_persons_name_is_refused() {
    let app = spawn_app().await;
    let user = app.user("Đinh Thị Lan", &[Role::Employee], None).await;
    let body = problem(
        change(&app, &user, PASSWORD, "dinh.thi.lan1").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["new"].is_array());
}

#[tokio::test]
async fn a_password_change_signs_out_everywhere_and_is_told_by_mail() {
    let app = spawn_app().await;
    let user = app.user("Đinh Thị Lan", &[Role::Employee], None).await;
    let second = app.login(&user.email, PASSWORD).await;
    assert_eq!(
        change(&app, &user, PASSWORD, STRONG).await.status(),
        StatusCode::NO_CONTENT
    );
    for t in [&user.token, &second] {
        problem(
            app.get("/api/v1/me", t).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    app.login(&user.email, STRONG).await;
    assert_eq!(
        app.mail_to(&user.email, 0).await.subject,
        "Mật khẩu gopy của Anh/Chị đã được thay đổi"
    );
}

#[tokio::test]
async fn hashes_made_with_old_parameters_are_upgraded_at_sign_in() {
    let app = spawn_app().await;
    let user = app.user("Mai Anh Đức", &[Role::Employee], None).await;
    let old = {
        let params = argon2::Params::new(8192, 1, 1, None).expect("params");
        gopy::context::hasher::hash_with(&params, PASSWORD).expect("hash")
    };
    app.sql(&format!(
        "UPDATE users SET password_hash = '{old}' WHERE id = {}",
        user.id
    ))
    .await;
    app.login(&user.email, PASSWORD).await;
    let id = user.id;
    let stored: String = app
        .with_conn(move |conn, _| {
            use diesel::prelude::*;
            use gopy::db::schema::users;
            users::table
                .find(id)
                .select(users::password_hash)
                .first::<Option<String>>(conn)
                .expect("row")
                .expect("hash")
        })
        .await;
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    app.login(&user.email, PASSWORD).await;
}
