//! Activation, passwords, sessions and brute-force protection (issue: ASVS level 2).

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, spawn_app_with, TestApp, PASSWORD};

const STRONG: &str = "đồi chè Thái Nguyên xanh ngát 2026";
const STRONGER: &str = "ruộng bậc thang Mù Cang Chải mùa lúa chín";

async fn post_anon(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.request(Method::POST, path, None, Some(&body)).await
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
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
    assert!(mail.html.contains("/activate?token="));
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
async fn sessions_are_listed_revoked_and_expire_when_idle() {
    // The session cache is off: this test ages sessions behind gopy's back.
    let app = spawn_app_with(|s| s.auth.session_cache_secs = 0).await;
    let user = app.user("Vũ Văn Nam", &[Role::Employee], None).await;
    let other = app.user("Người Khác", &[Role::Employee], None).await;
    let laptop = app.login(&user.email, PASSWORD).await;

    let list = json_of(
        app.get("/api/v1/me/sessions", &user.token).await,
        StatusCode::OK,
    )
    .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(
        items[1]["current"], true,
        "newest first: the laptop session, then this one"
    );
    let laptop_id = items[0]["id"].as_i64().unwrap();

    // Someone else's session id is not found, and stays alive.
    let theirs = json_of(
        app.get("/api/v1/me/sessions", &other.token).await,
        StatusCode::OK,
    )
    .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .request(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{theirs}"),
            Some(&user.token),
            None,
        )
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        app.get("/api/v1/me", &other.token).await.status(),
        StatusCode::OK
    );

    let res = app
        .request(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{laptop_id}"),
            Some(&user.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/me", &laptop).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status(),
        StatusCode::OK
    );

    // Idle for longer than the limit: over.
    app.sql(&format!(
        "UPDATE sessions SET last_seen_at = '2000-01-01 00:00:00' WHERE user_id = {}",
        other.id
    ))
    .await;
    problem(
        app.get("/api/v1/me", &other.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    let res = app
        .request(
            Method::DELETE,
            "/api/v1/me/sessions",
            Some(&user.token),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(
        app.get("/api/v1/me", &user.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn repeated_failures_lock_briefly_without_revealing_accounts() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 3;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let user = app.user("Lò Văn Páo", &[Role::Employee], None).await;
    for email in [user.email.as_str(), "khong.co@so.gov.vn"] {
        for _ in 0..3 {
            problem(
                login_status(&app, email, "mật khẩu sai hoàn toàn").await,
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
            )
            .await;
        }
        // Locked: even the right password waits, and unknown addresses behave the same.
        let res = login_status(&app, email, PASSWORD).await;
        let retry: i64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    }
    // The lock is short and an admin can lift it at once.
    let res = app
        .post(
            &format!("/api/v1/users/{}/unlock", user.id),
            &admin.token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login(&user.email, PASSWORD).await;

    let audit = json_of(
        app.get(
            &format!("/api/v1/admin/audit?entity=user&entity_id={}", user.id),
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "auth.login_failed",
        "auth.account_locked",
        "auth.unlocked",
        "auth.login",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let event = &audit["items"][0];
    assert_eq!(event["ip"], "127.0.0.1");
    assert!(event["user_agent"].is_string() || event["user_agent"].is_null());
    let all = serde_json::to_string(&audit).unwrap();
    assert!(!all.contains(PASSWORD) && !all.contains("mật khẩu sai") && !all.contains(&user.token));
}

#[tokio::test]
async fn one_address_hammering_many_accounts_is_slowed_down() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 100;
        s.auth.ip_lockout_threshold = 4;
    })
    .await;
    let user = app.user("Hà Thị Mơ", &[Role::Employee], None).await;
    for i in 0..4 {
        let res = login_status(&app, &format!("guess{i}@so.gov.vn"), "đoán mò mật khẩu").await;
        problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    let res = login_status(&app, &user.email, PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
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

#[tokio::test]
async fn a_sign_in_flood_beyond_the_hashing_queue_is_shed_with_503() {
    let app = spawn_app_with(|s| {
        s.auth.max_concurrent_hashes = 1;
        s.auth.hash_queue = 1;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let user = app.user("Đông Người", &[Role::Employee], None).await;
    let attempts = (0..16).map(|_| login_status(&app, &user.email, PASSWORD));
    let mut ok = 0;
    let mut shed = 0;
    for res in futures_util::future::join_all(attempts).await {
        match res.status() {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(res.headers()["retry-after"], "1");
                problem(res, StatusCode::SERVICE_UNAVAILABLE, "busy").await;
                shed += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(ok >= 1 && shed >= 1, "{ok} signed in, {shed} shed");
    // Once the flood is over, sign-in works as usual.
    app.login(&user.email, PASSWORD).await;
}

#[tokio::test]
async fn a_revocation_made_elsewhere_applies_within_the_session_cache_time() {
    let app = spawn_app_with(|s| s.auth.session_cache_secs = 1).await;
    let user = app.user("Phí Văn Cache", &[Role::Employee], None).await;
    assert_eq!(
        app.get("/api/v1/me", &user.token).await.status(),
        StatusCode::OK
    );
    // Another gopy process (here: plain SQL) ends the session.
    app.sql(&format!(
        "UPDATE sessions SET revoked_at = '2026-01-01 00:00:00' WHERE user_id = {}",
        user.id
    ))
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    problem(
        app.get("/api/v1/me", &user.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}
