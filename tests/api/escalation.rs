//! A flagged comment goes to the secretariat, who approve or reject it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, problem, spawn_app, TestApp};
use crate::world::World;

/// A comment the moderator flagged; its id.
async fn flagged(app: &TestApp, w: &World) -> i64 {
    let id = app
        .comment_id(&w.employee, w.doc, "Cần Thư ký xem xét ý kiến này")
        .await;
    app.decide(&w.moderator, id, json!({ "action": "flag" }))
        .await;
    id
}

#[tokio::test]
async fn the_secretariat_sees_only_flagged_comments_in_the_escalated_queue() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Ý kiến chờ duyệt bình thường")
        .await;
    let id = flagged(&app, &w).await;
    let page = json_of(
        app.get("/api/v1/moderation/escalated", &w.secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<i64> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert_eq!(ids, vec![id]);
}

#[tokio::test]
async fn the_secretariat_rejects_a_flagged_comment_with_a_reason_code() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = flagged(&app, &w).await;
    let decided = json_of(
        app.post(
            &format!("/api/v1/moderation/escalated/{id}/decision"),
            &w.secretariat.token,
            &json!({ "action": "reject", "reason_code": "abusive" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&decided["status"], &decided["reason_code"]),
        (&json!("rejected"), &json!("abusive")),
        "{decided}"
    );
}

#[tokio::test]
async fn a_comment_not_flagged_is_not_the_secretariats_to_decide() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app
        .comment_id(&w.employee, w.doc, "Ý kiến chờ duyệt bình thường")
        .await;
    let res = app
        .post(
            &format!("/api/v1/moderation/escalated/{id}/decision"),
            &w.secretariat.token,
            &json!({ "action": "approve" }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "invalid_transition").await;
}
