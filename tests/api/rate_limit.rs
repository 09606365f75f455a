//! One person's comments per hour (`comments.max_per_hour`): beyond it 429 `rate_limited` with
//! `Retry-After`, counted in the database so the limit holds across gopy processes.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{problem, spawn_app_with, TestApp};
use crate::process::Server;
use crate::world::World;

async fn post_comment(app: &TestApp, base: &str, w: &World, n: usize) -> StatusCode {
    app.client
        .post(format!("{base}/api/v1/documents/{}/comments", w.doc))
        .bearer_auth(&w.employee.token)
        .json(&json!({ "body": format!("Góp ý thứ {n}") }))
        .send()
        .await
        .expect("answer")
        .status()
}

#[tokio::test]
async fn the_comment_beyond_the_hourly_limit_is_refused_with_retry_after() {
    let app = spawn_app_with(|s| s.comments.max_per_hour = 3).await;
    let w = app.world().await;
    for n in 0..3 {
        assert_eq!(
            post_comment(&app, &app.address, &w, n).await,
            StatusCode::CREATED
        );
    }
    let res = app
        .post(
            &format!("/api/v1/documents/{}/comments", w.doc),
            &w.employee.token,
            &json!({ "body": "Góp ý thứ tư" }),
        )
        .await;
    let retry_after: i64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    problem(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Room again when the clock hour ends.
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn the_limit_holds_across_two_processes_writing_at_once() {
    let app = spawn_app_with(|s| s.comments.max_per_hour = 5).await;
    let w = app.world().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut other = Server::start_with(
        &app._db,
        dir.path(),
        false,
        &[("GOPY__COMMENTS__MAX_PER_HOUR", "5".to_owned())],
    );
    let (here, there) = (app.address.clone(), other.base.clone());
    let sends = (0..12).map(|n| {
        let base = if n % 2 == 0 { &here } else { &there };
        post_comment(&app, base, &w, n)
    });
    let statuses = futures_util::future::join_all(sends).await;
    other.stop();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, limited), (5, 7), "{statuses:?}");
}
