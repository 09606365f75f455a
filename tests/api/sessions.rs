//! Sessions, brute-force protection and sign-in floods.

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::auth::login_status;
use crate::helpers::{json_of, problem, spawn_app_with, PASSWORD};

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
