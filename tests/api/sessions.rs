//! Sessions, brute-force protection and sign-in floods.

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::auth::login_status;
use crate::helpers::{
    eventually, json_of, problem, spawn_app, spawn_app_with, TestApp, TestUser, PASSWORD,
};

async fn sessions(app: &TestApp, user: &TestUser) -> Value {
    json_of(
        app.get("/api/v1/me/sessions", &user.token).await,
        StatusCode::OK,
    )
    .await
}

async fn delete(app: &TestApp, user: &TestUser, path: &str) -> reqwest::Response {
    app.call(Method::DELETE, path)
        .auth(&user.token)
        .send()
        .await
}

#[tokio::test]
async fn my_sessions_are_listed_newest_first_with_this_one_marked() {
    let app = spawn_app().await;
    let user = app.user("Vũ Văn Nam", &[Role::Employee], None).await;
    app.login(&user.email, PASSWORD).await;
    let list = sessions(&app, &user).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(
        items[1]["current"], true,
        "newest first: the laptop session, then this one"
    );
}

#[tokio::test]
async fn ending_one_of_my_sessions_leaves_the_others() {
    let app = spawn_app().await;
    let user = app.user("Vũ Văn Nam", &[Role::Employee], None).await;
    let laptop = app.login(&user.email, PASSWORD).await;
    let laptop_id = sessions(&app, &user).await["items"][0]["id"]
        .as_i64()
        .expect("id");
    let res = delete(&app, &user, &format!("/api/v1/me/sessions/{laptop_id}")).await;
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
}

#[tokio::test]
async fn someone_elses_session_is_not_found_and_stays_alive() {
    let app = spawn_app().await;
    let user = app.user("Vũ Văn Nam", &[Role::Employee], None).await;
    let other = app.user("Người Khác", &[Role::Employee], None).await;
    let theirs = sessions(&app, &other).await["items"][0]["id"]
        .as_i64()
        .expect("id");
    problem(
        delete(&app, &user, &format!("/api/v1/me/sessions/{theirs}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/me", &other.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_session_idle_past_the_limit_is_over() {
    // The session cache is off: this test ages sessions behind gopy's back.
    let app = spawn_app_with(|s| s.auth.session_cache_secs = 0).await;
    let user = app.user("Vũ Văn Nam", &[Role::Employee], None).await;
    app.sql(&format!(
        "UPDATE sessions SET last_seen_at = '2000-01-01 00:00:00' WHERE user_id = {}",
        user.id
    ))
    .await;
    problem(
        app.get("/api/v1/me", &user.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let user = app.user("Vũ Văn Nam", &[Role::Employee], None).await;
    let laptop = app.login(&user.email, PASSWORD).await;
    assert_eq!(
        delete(&app, &user, "/api/v1/me/sessions").await.status(),
        StatusCode::NO_CONTENT
    );
    for t in [&user.token, &laptop] {
        problem(
            app.get("/api/v1/me", t).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
}

#[tokio::test]
async fn repeated_failures_lock_an_account_and_an_unknown_address_alike() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 3;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let user = app.user("Lò Văn Páo", &[Role::Employee], None).await;
    for email in [user.email.as_str(), "khong.co@so.gov.vn"] {
        for _ in 0..3 {
            let res = login_status(&app, email, "mật khẩu sai hoàn toàn").await;
            problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        }
        // Locked: even the right password waits, and unknown addresses behave the same.
        let res = login_status(&app, email, PASSWORD).await;
        let retry: i64 = res.headers()["retry-after"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&retry), "{retry}");
        problem(res, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    }
}

/// Lò Văn Páo, locked by three failures, and an admin.
async fn locked(app: &TestApp) -> (TestUser, TestUser) {
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let user = app.user("Lò Văn Páo", &[Role::Employee], None).await;
    for _ in 0..3 {
        problem(
            login_status(app, &user.email, "mật khẩu sai hoàn toàn").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        )
        .await;
    }
    problem(
        login_status(app, &user.email, PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    )
    .await;
    (admin, user)
}

#[tokio::test]
async fn an_admin_lifts_a_lock_at_once() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 3;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let (admin, user) = locked(&app).await;
    let res = app
        .post(
            &format!("/api/v1/users/{}/unlock", user.id),
            &admin.token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login(&user.email, PASSWORD).await;
}

#[tokio::test]
async fn failures_locks_and_unlocks_are_audited_without_secrets() {
    let app = spawn_app_with(|s| {
        s.auth.lockout_threshold = 3;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let (admin, user) = locked(&app).await;
    let res = app
        .post(
            &format!("/api/v1/users/{}/unlock", user.id),
            &admin.token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.login(&user.email, PASSWORD).await;
    let path = format!("/api/v1/admin/audit?entity=user&entity_id={}", user.id);
    let audit = json_of(app.get(&path, &admin.token).await, StatusCode::OK).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "auth.login_failed",
        "auth.account_locked",
        "auth.unlocked",
        "auth.login",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert_eq!(audit["items"][0]["ip"], "127.0.0.1");
    let all = audit.to_string();
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
    let (mut ok, mut shed) = (0, 0);
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
async fn sign_ins_that_would_wait_longer_than_the_hashing_wait_limit_are_shed_at_once() {
    // Room for 64 in the queue, but no time to wait in it: only the hashing thread's own.
    let app = spawn_app_with(|s| {
        s.auth.max_concurrent_hashes = 1;
        s.auth.hash_queue = 64;
        s.auth.hash_max_wait_ms = 0;
        s.auth.ip_lockout_threshold = 1000;
    })
    .await;
    let user = app.user("Chờ Không Được", &[Role::Employee], None).await;
    let attempts = (0..16).map(|_| login_status(&app, &user.email, PASSWORD));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    let shed = statuses
        .iter()
        .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(ok >= 1 && shed >= 1 && ok + shed == 16, "{statuses:?}");
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
    let started = std::time::Instant::now();
    eventually("the revoked session to be refused", || async {
        (app.get("/api/v1/me", &user.token).await.status() == StatusCode::UNAUTHORIZED)
            .then_some(())
    })
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn many_people_signing_in_at_once_behind_one_address_are_not_locked_out() {
    let app = spawn_app_with(|s| s.auth.ip_lockout_threshold = 3).await;
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(
            app.user(&format!("Đồng Nghiệp {i}"), &[Role::Employee], None)
                .await,
        );
    }
    let statuses = futures_util::future::join_all(
        people
            .iter()
            .map(|p| login_status(&app, &p.email, PASSWORD)),
    )
    .await;
    assert!(
        statuses.iter().all(|r| r.status() == StatusCode::OK),
        "{:?}",
        statuses.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
}
