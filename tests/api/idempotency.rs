use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser};

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

#[tokio::test]
async fn a_retried_submission_returns_the_first_result_and_creates_nothing() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let an = app.user("Nguyễn Văn An", &[Role::Employee], None).await;
    let binh = app.user("Lê Thị Bình", &[Role::Employee], None).await;
    let (doc, sections) = app.published_document(&secretariat).await;
    let body = json!({ "section_id": sections[0], "body": "Đề nghị làm rõ khái niệm \"cán bộ\"." });

    let first = json_of(
        submit(&app, &an, doc, "7f1c-key-1", &body).await,
        StatusCode::CREATED,
    )
    .await;
    let again = json_of(
        submit(&app, &an, doc, "7f1c-key-1", &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["receipt"], again["receipt"]);
    assert_eq!(count(&app, &moderator, doc).await, 1);

    // Same key, other content: refused, nothing created.
    let other = json!({ "section_id": sections[0], "body": "Một ý kiến khác" });
    let p = problem(
        submit(&app, &an, doc, "7f1c-key-1", &other).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"]["Idempotency-Key"].is_array());
    // Keys belong to a person: someone else's identical key is a new comment.
    json_of(
        submit(&app, &binh, doc, "7f1c-key-1", &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(count(&app, &moderator, doc).await, 2);
    for bad in ["", &"k".repeat(256), "có dấu"] {
        let res = app
            .client
            .post(app.url(&format!("/api/v1/documents/{doc}/comments")))
            .bearer_auth(&an.token)
            .header(
                "Idempotency-Key",
                reqwest::header::HeaderValue::from_bytes(bad.as_bytes()).unwrap(),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }

    // A retry after the consultation closed still gets its original answer.
    app.post(
        &format!("/api/v1/documents/{doc}/close"),
        &secretariat.token,
        &json!({}),
    )
    .await;
    let late = json_of(
        submit(&app, &an, doc, "7f1c-key-1", &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(late["id"], first["id"]);
    problem(
        submit(&app, &an, doc, "new-key", &body).await,
        StatusCode::CONFLICT,
        "consultation_closed",
    )
    .await;
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_comment() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let an = app.user("Nguyễn Văn An", &[Role::Employee], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let body = json!({ "body": "Gửi nhiều lần cùng lúc" });
    let results =
        futures_util::future::join_all((0..8).map(|_| submit(&app, &an, doc, "race-key", &body)))
            .await;
    let mut statuses = Vec::new();
    let mut ids = Vec::new();
    for r in results {
        statuses.push(r.status().as_u16());
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 201]);
    ids.dedup();
    assert_eq!(ids.len(), 1);
    assert_eq!(count(&app, &moderator, doc).await, 1);
}

#[tokio::test]
async fn keys_are_kept_at_least_a_day_then_forgotten() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let an = app.user("Nguyễn Văn An", &[Role::Employee], None).await;
    let (doc, _) = app.published_document(&secretariat).await;
    let body = json!({ "body": "Ý kiến" });
    let first = json_of(
        submit(&app, &an, doc, "day-old", &body).await,
        StatusCode::CREATED,
    )
    .await;
    // 25 hours old: still kept.
    let at = (chrono::Utc::now() - chrono::Duration::hours(25)).format("%Y-%m-%d %H:%M:%S");
    app.sql(&format!("UPDATE idempotency_keys SET created_at = '{at}'"))
        .await;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || gopy::maintenance::run_once(&pool).unwrap())
        .await
        .unwrap();
    assert_eq!(
        json_of(
            submit(&app, &an, doc, "day-old", &body).await,
            StatusCode::OK
        )
        .await["id"],
        first["id"]
    );
    // Three days old: forgotten.
    app.sql("UPDATE idempotency_keys SET created_at = '2000-01-01 00:00:00'")
        .await;
    let pool = app.pool.clone();
    let (keys, _) =
        tokio::task::spawn_blocking(move || gopy::maintenance::run_once(&pool).unwrap())
            .await
            .unwrap();
    assert_eq!(keys, 1);
    let fresh = json_of(
        submit(&app, &an, doc, "day-old", &body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_ne!(fresh["id"], first["id"]);
}

#[tokio::test]
async fn submissions_written_together_are_answered_each_on_its_own_merits() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let an = app.user("Nguyễn Văn An", &[Role::Employee], None).await;
    let (doc, sections) = app.published_document(&secretariat).await;
    let (_, foreign) = app.published_document(&secretariat).await;
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
            .map(|(b, k)| submit(&app, &an, doc, k, b)),
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
            let c: Value = res.json().await.unwrap();
            assert_eq!(c["body"], bodies[i]["body"]);
            assert!(c["receipt"].as_str().unwrap().starts_with("GY-"));
        }
    }
    assert_eq!(count(&app, &moderator, doc).await, 16);
}
