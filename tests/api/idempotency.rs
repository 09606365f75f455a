use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, spawn_app_with, TestApp, TestUser};
use crate::world::World;

async fn submit(
    app: &TestApp,
    user: &TestUser,
    doc: i64,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.call(Method::POST, &format!("/api/v1/documents/{doc}/comments"))
        .auth(&user.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
}

async fn count(app: &TestApp, moderator: &TestUser, doc: i64) -> usize {
    json_of(
        app.get(
            &format!("/api/v1/documents/{doc}/comments?limit=200"),
            &moderator.token,
        )
        .await,
        StatusCode::OK,
    )
    .await["items"]
        .as_array()
        .unwrap()
        .len()
}

/// The employee's submission of `body` with the key `7f1c-key-1`, answered with `status`.
async fn send_key_1(app: &TestApp, w: &World, body: &Value, status: StatusCode) -> Value {
    json_of(
        submit(app, &w.employee, w.doc, "7f1c-key-1", body).await,
        status,
    )
    .await
}

/// The world, with the body the tests submit (on Điều 1).
async fn setup(app: &TestApp) -> (World, Value) {
    let w = app.world().await;
    let body =
        json!({ "section_id": w.sections[0], "body": "Đề nghị làm rõ khái niệm \"cán bộ\"." });
    (w, body)
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_result_and_creates_nothing() {
    let app = spawn_app().await;
    let (w, body) = setup(&app).await;
    let first = send_key_1(&app, &w, &body, StatusCode::CREATED).await;
    let again = send_key_1(&app, &w, &body, StatusCode::OK).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["receipt"], again["receipt"]);
    assert_eq!(count(&app, &w.moderator, w.doc).await, 1);
}

#[tokio::test]
async fn the_same_key_with_other_content_is_refused() {
    let app = spawn_app().await;
    let (w, body) = setup(&app).await;
    send_key_1(&app, &w, &body, StatusCode::CREATED).await;
    let other = json!({ "section_id": w.sections[0], "body": "Một ý kiến khác" });
    let p = problem(
        submit(&app, &w.employee, w.doc, "7f1c-key-1", &other).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"]["Idempotency-Key"].is_array());
    assert_eq!(count(&app, &w.moderator, w.doc).await, 1);
}

#[tokio::test]
async fn keys_belong_to_a_person() {
    let app = spawn_app().await;
    let (w, body) = setup(&app).await;
    send_key_1(&app, &w, &body, StatusCode::CREATED).await;
    json_of(
        submit(&app, &w.other_employee, w.doc, "7f1c-key-1", &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(count(&app, &w.moderator, w.doc).await, 2);
}

#[tokio::test]
async fn a_key_must_be_1_to_255_visible_ascii_characters() {
    let app = spawn_app().await;
    let (w, body) = setup(&app).await;
    for bad in ["", &"k".repeat(256), "có dấu"] {
        let value = reqwest::header::HeaderValue::from_bytes(bad.as_bytes()).expect("header value");
        let res = app
            .call(
                Method::POST,
                &format!("/api/v1/documents/{}/comments", w.doc),
            )
            .auth(&w.employee.token)
            .header("Idempotency-Key", value.to_str().unwrap_or(bad))
            .json(&body)
            .send()
            .await;
        problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }
    assert_eq!(count(&app, &w.moderator, w.doc).await, 0);
}

#[tokio::test]
async fn a_retry_after_the_consultation_closed_still_gets_its_first_answer() {
    let app = spawn_app().await;
    let (w, body) = setup(&app).await;
    let first = send_key_1(&app, &w, &body, StatusCode::CREATED).await;
    app.close(&w.secretariat, w.doc).await;
    let late = send_key_1(&app, &w, &body, StatusCode::OK).await;
    assert_eq!(late["id"], first["id"]);
    let new = submit(&app, &w.employee, w.doc, "new-key", &body).await;
    problem(new, StatusCode::CONFLICT, "consultation_closed").await;
}

#[tokio::test]
async fn a_retry_beyond_the_hourly_limit_still_gets_its_first_answer() {
    let app = spawn_app_with(|s| s.comments.max_per_hour = 1).await;
    let (w, body) = setup(&app).await;
    let first = send_key_1(&app, &w, &body, StatusCode::CREATED).await;
    let again = send_key_1(&app, &w, &body, StatusCode::OK).await;
    assert_eq!(again["id"], first["id"]);
    let new = submit(&app, &w.employee, w.doc, "new-key", &body).await;
    problem(new, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (moderator, an, doc) = (&w.moderator, &w.employee, w.doc);
    let body = json!({ "body": "Gửi nhiều lần cùng lúc" });
    let results =
        futures_util::future::join_all((0..8).map(|_| submit(&app, an, doc, "race-key", &body)))
            .await;
    let mut statuses = Vec::new();
    let mut ids = Vec::new();
    for r in results {
        statuses.push(r.status().as_u16());
        ids.push(
            r.json::<Value>().await.expect("JSON")["id"]
                .as_i64()
                .expect("id"),
        );
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 201]);
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(count(&app, moderator, doc).await, 1);
}

#[tokio::test]
async fn keys_are_kept_at_least_a_day_then_forgotten() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (an, doc) = (&w.employee, w.doc);
    let body = json!({ "body": "Ý kiến" });
    let first = json_of(
        submit(&app, an, doc, "day-old", &body).await,
        StatusCode::CREATED,
    )
    .await;
    // 25 hours old: still kept.
    let at = (chrono::Utc::now() - chrono::Duration::hours(25)).format("%Y-%m-%d %H:%M:%S");
    app.sql(&format!("UPDATE idempotency_keys SET created_at = '{at}'"))
        .await;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || gopy::maintenance::run_once(&pool).expect("maintenance"))
        .await
        .unwrap();
    assert_eq!(
        json_of(
            submit(&app, an, doc, "day-old", &body).await,
            StatusCode::OK
        )
        .await["id"],
        first["id"]
    );
    // Three days old: forgotten.
    app.sql("UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'")
        .await;
    let pool = app.pool.clone();
    let (keys, _) = tokio::task::spawn_blocking(move || {
        gopy::maintenance::run_once(&pool).expect("maintenance")
    })
    .await
    .unwrap();
    assert_eq!(keys, 1);
    let fresh = json_of(
        submit(&app, an, doc, "day-old", &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_ne!(fresh["id"], first["id"]);
}

#[tokio::test]
async fn submissions_written_together_are_answered_each_on_its_own_merits() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (moderator, an, doc, sections) = (&w.moderator, &w.employee, w.doc, &w.sections);
    let (_, foreign) = app.published_document(&w.secretariat).await;
    // Sent at once, so the writer takes several into one transaction.
    let bodies: Vec<Value> = (0..24)
        .map(|i| match i % 3 {
            0 => json!({ "section_id": sections[0], "body": format!("Hợp lệ {i}") }),
            1 => json!({ "section_id": foreign[0], "body": format!("Sai điều {i}") }),
            _ => json!({ "body": format!("Toàn văn {i}") }),
        })
        .collect();
    let keys: Vec<String> = (0..bodies.len()).map(|i| format!("mix-{i}")).collect();
    let sent = futures_util::future::join_all(
        bodies
            .iter()
            .zip(&keys)
            .map(|(b, k)| submit(&app, an, doc, k, b)),
    )
    .await;
    for (i, res) in sent.into_iter().enumerate() {
        let expected = if i % 3 == 1 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CREATED
        };
        assert_eq!(res.status(), expected, "submission {i}");
        if expected == StatusCode::CREATED {
            let c: Value = res.json().await.expect("JSON");
            assert_eq!(c["body"], bodies[i]["body"]);
            assert!(c["receipt"].as_str().expect("receipt").starts_with("GY-"));
        }
    }
    assert_eq!(count(&app, moderator, doc).await, 16);
}
