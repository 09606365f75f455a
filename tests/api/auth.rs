//! Activation, passwords, sessions and brute-force protection (issue: ASVS level 2).

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, PASSWORD};

const STRONG: &str = "đồi chè Thái Nguyên xanh ngát 2026";
const STRONGER: &str = "ruộng bậc thang Mù Cang Chải mùa lúa chín";

async fn post_anon(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.request(Method::POST, path, None, Some(&body)).await
}

pub async fn login_status(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    post_anon(
        app,
        "/api/v1/auth/login",
        json!({ "email": email, "password": password }),
    )
    .await
}

#[tokio::test]
async fn people_created_without_a_password_activate_by_mail() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let created = json_of(
        app.post("/api/v1/users", &admin.token, &json!({ "email": "hoa.le@so.gov.vn", "full_name": "Lê Thị Hoa", "roles": ["employee"] })).await,
        StatusCode::CREATED,
    )
    .await;
    // No password yet: nobody can sign in as her.
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

    let mail = app.mail_to("hoa.le@so.gov.vn", 0).await;
    assert_eq!(mail.subject, "Kích hoạt tài khoản góp ý dự thảo");
    assert!(mail.text.contains("Kính gửi Lê Thị Hoa") && mail.text.contains("72 giờ"));
    assert!(mail.html.contains("/activate#token="));
    let token = mail.token();
    assert!(token.len() >= 43, "256-bit token, base64url");

    // Weak passwords are refused in Vietnamese by default, in English on request.
    let body = problem(
        post_anon(
            &app,
            "/api/v1/auth/activate",
            json!({ "token": token, "password": "hoa.le12345678" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        body["errors"]["password"][0]
            .as_str()
            .unwrap()
            .starts_with("Mật khẩu quá dễ đoán"),
        "{body}"
    );
    let res = app
        .client
        .post(app.url("/api/v1/auth/activate"))
        .header("accept-language", "en-GB,en;q=0.9")
        .json(&json!({ "token": token, "password": "short" }))
        .send()
        .await
        .unwrap();
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(
        body["errors"]["password"][0],
        "The password must be at least 12 characters long."
    );

    let res = post_anon(
        &app,
        "/api/v1/auth/activate",
        json!({ "token": token, "password": STRONG }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login("hoa.le@so.gov.vn", STRONG).await;
    // Single use.
    let body = problem(
        post_anon(
            &app,
            "/api/v1/auth/activate",
            json!({ "token": token, "password": STRONGER }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["token"].is_array());

    // An expired link does not work either.
    let again = json_of(
        app.post(
            "/api/v1/users",
            &admin.token,
            &json!({ "email": "binh@so.gov.vn", "full_name": "Trần Bình", "roles": ["employee"] }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let token = app.mail_to("binh@so.gov.vn", 0).await.token();
    app.sql(&format!(
        "UPDATE account_tokens SET expires_at = '2000-01-01 00:00:00' WHERE user_id = {}",
        again["id"]
    ))
    .await;
    problem(
        post_anon(
            &app,
            "/api/v1/auth/activate",
            json!({ "token": token, "password": STRONG }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(created["id"].is_i64());
}

#[tokio::test]
async fn password_reset_never_reveals_accounts_and_ends_every_session() {
    let app = spawn_app().await;
    let user = app.user("Phạm Minh Tuấn", &[Role::Employee], None).await;
    let other_session = app.login(&user.email, PASSWORD).await;

    let unknown = post_anon(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": "nobody@so.gov.vn" }),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let unknown_body = unknown.bytes().await.unwrap();
    let known = post_anon(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": user.email.to_uppercase() }),
    )
    .await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(
        known.bytes().await.unwrap(),
        unknown_body,
        "same answer either way"
    );

    let mail = app.mail_to(&user.email, 0).await;
    assert_eq!(mail.subject, "Đặt lại mật khẩu gopy");
    assert!(mail.text.contains("30 phút"));
    let token = mail.token();
    problem(
        post_anon(
            &app,
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": "forged", "password": STRONG }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let res = post_anon(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "password": STRONG }),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for t in [&user.token, &other_session] {
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
    problem(
        post_anon(
            &app,
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": token, "password": STRONGER }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let notice = app.mail_to(&user.email, 1).await;
    assert_eq!(notice.subject, "Mật khẩu gopy của Anh/Chị đã được thay đổi");
    // Only the known address got mail.
    assert!(app.mails(2).await.iter().all(|m| m.to == user.email));
}

#[tokio::test]
async fn changing_the_password_checks_the_current_one_and_signs_out_everywhere() {
    let app = spawn_app().await;
    let user = app.user("Đinh Thị Lan", &[Role::Employee], None).await;
    let second = app.login(&user.email, PASSWORD).await;
    let body = problem(
        app.post(
            "/api/v1/me/password",
            &user.token,
            &json!({ "current": "sai mật khẩu rồi", "new": STRONG }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["current"].is_array());
    let body = problem(
        app.post(
            "/api/v1/me/password",
            &user.token,
            &json!({ "current": PASSWORD, "new": "dinh.thi.lan1" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["new"].is_array());
    // Refused changes changed nothing.
    assert_eq!(
        app.get("/api/v1/me", &second).await.status(),
        StatusCode::OK
    );

    let res = app
        .post(
            "/api/v1/me/password",
            &user.token,
            &json!({ "current": PASSWORD, "new": STRONG }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
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
        let params = argon2::Params::new(8192, 1, 1, None).unwrap();
        gopy::accounts::password::hash_with(&params, PASSWORD).unwrap()
    };
    app.sql(&format!(
        "UPDATE users SET password_hash = '{old}' WHERE id = {}",
        user.id
    ))
    .await;
    app.login(&user.email, PASSWORD).await;
    let pool = app.pool.clone();
    let id = user.id;
    let stored: String = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use gopy::db::schema::users;
        users::table
            .find(id)
            .select(users::password_hash)
            .first::<Option<String>>(&mut **pool.get().unwrap())
            .unwrap()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    app.login(&user.email, PASSWORD).await;
}
