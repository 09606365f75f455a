//! Claims: a moderator takes a batch of the queue; nobody else gets or decides those comments
//! until the claim ends or is given back.

use std::collections::HashSet;

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser};
use crate::world::World;

async fn claim(app: &TestApp, who: &TestUser, body: Value) -> Value {
    json_of(
        app.post("/api/v1/moderation/claims", &who.token, &body)
            .await,
        StatusCode::OK,
    )
    .await
}

fn claimed_ids(claimed: &Value) -> Vec<i64> {
    claimed["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// A world with `n` pending comments; their ids, oldest first.
async fn queued(app: &TestApp, w: &World, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(
            app.comment_id(&w.employee, w.doc, &format!("Góp ý chờ số {i}"))
                .await,
        );
    }
    ids
}

async fn second_moderator(app: &TestApp) -> TestUser {
    app.user("Đỗ Văn Duyệt", &[Role::Moderator], None).await
}

#[tokio::test]
async fn a_claim_takes_the_oldest_unclaimed_comments_for_the_claim_time() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = queued(&app, &w, 3).await;
    let before = chrono::Utc::now();
    let claimed = claim(&app, &w.moderator, json!({ "limit": 2 })).await;
    let expires: chrono::DateTime<chrono::Utc> = claimed["expires_at"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("expires_at");
    let minutes = (expires - before).num_minutes();
    assert!(
        claimed_ids(&claimed) == ids[..2] && (9..=10).contains(&minutes),
        "{claimed}"
    );
}

#[tokio::test]
async fn the_queue_shows_who_holds_each_claim() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = queued(&app, &w, 2).await;
    claim(&app, &w.moderator, json!({ "limit": 1 })).await;
    let queue = json_of(
        app.get("/api/v1/moderation/queue", &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let holders: Vec<(i64, Value)> = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| (c["id"].as_i64().unwrap_or(0), c["claimed_by"].clone()))
        .collect();
    assert_eq!(
        holders,
        vec![(ids[0], json!(w.moderator.id)), (ids[1], Value::Null)]
    );
}

#[tokio::test]
async fn two_moderators_claiming_at_once_never_share_a_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let other = second_moderator(&app).await;
    queued(&app, &w, 30).await;
    let mut all = Vec::new();
    for _ in 0..3 {
        let (a, b) = futures_util::join!(
            claim(&app, &w.moderator, json!({ "limit": 5 })),
            claim(&app, &other, json!({ "limit": 5 })),
        );
        all.extend(claimed_ids(&a));
        all.extend(claimed_ids(&b));
    }
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert!(all.len() == 30 && distinct.len() == 30, "{all:?}");
}

#[tokio::test]
async fn a_comment_claimed_by_another_moderator_cannot_be_decided() {
    let app = spawn_app().await;
    let w = app.world().await;
    let other = second_moderator(&app).await;
    let ids = queued(&app, &w, 1).await;
    claim(&app, &other, json!({})).await;
    let res = app
        .moderate(&w.moderator, ids[0], &json!({ "action": "approve" }))
        .await;
    let p = problem(res, StatusCode::CONFLICT, "claimed_by_other").await;
    assert_eq!(
        (&p["claim"]["moderator_id"], &p["claim"]["moderator_name"]),
        (&json!(other.id), &json!("Đỗ Văn Duyệt")),
        "{p}"
    );
}

#[tokio::test]
async fn released_claims_return_to_the_queue_for_others() {
    let app = spawn_app().await;
    let w = app.world().await;
    let other = second_moderator(&app).await;
    let ids = queued(&app, &w, 2).await;
    claim(&app, &other, json!({})).await;
    let released = json_of(
        app.call(Method::DELETE, "/api/v1/moderation/claims")
            .auth(&other.token)
            .send()
            .await,
        StatusCode::OK,
    )
    .await;
    let mine = claim(&app, &w.moderator, json!({})).await;
    assert!(
        released["released"] == 2 && claimed_ids(&mine) == ids,
        "{released} {mine}"
    );
}

#[tokio::test]
async fn an_expired_claim_returns_the_comment_to_the_queue() {
    let app = spawn_app().await;
    let w = app.world().await;
    let other = second_moderator(&app).await;
    let ids = queued(&app, &w, 1).await;
    claim(&app, &other, json!({})).await;
    app.sql("UPDATE comments SET claimed_until = '2000-01-01 00:00:00'")
        .await;
    let decided = app
        .decide(&w.moderator, ids[0], json!({ "action": "approve" }))
        .await;
    assert_eq!(decided["claimed_by"], Value::Null, "{decided}");
}

#[tokio::test]
async fn a_claim_never_includes_the_moderators_own_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    // The world's moderator is also an employee.
    app.comment_id(&w.moderator, w.doc, "Góp ý của chính người kiểm duyệt")
        .await;
    let claimed = claim(&app, &w.moderator, json!({})).await;
    assert!(claimed_ids(&claimed).is_empty(), "{claimed}");
}

#[tokio::test]
async fn a_claim_limit_outside_one_to_fifty_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .post(
            "/api/v1/moderation/claims",
            &w.moderator.token,
            &json!({ "limit": 51 }),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}
