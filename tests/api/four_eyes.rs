//! Four-eyes (`moderation.second_review = ["reject"]`, the default): one moderator proposes a
//! rejection, a different one confirms or overturns it; only then is the author told.

use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app_with, TestApp, TestUser};
use crate::world::World;

async fn four_eyes_app() -> TestApp {
    spawn_app_with(|s| {
        s.moderation.second_review = gopy::config::Settings::built_in()
            .expect("built-in settings")
            .moderation
            .second_review;
    })
    .await
}

/// A comment the world's moderator proposed to reject, and a second moderator.
async fn proposed(app: &TestApp, w: &World) -> (i64, TestUser) {
    let id = app
        .comment_id(&w.employee, w.doc, "Ý kiến lạc đề hoàn toàn")
        .await;
    let c = app
        .decide(
            &w.moderator,
            id,
            json!({ "action": "reject", "reason_code": "off_topic" }),
        )
        .await;
    assert_eq!(c["status"], "reject_proposed", "{c}");
    let second = app.user("Đỗ Thị Soát", &[Role::Moderator], None).await;
    (id, second)
}

#[tokio::test]
async fn a_rejection_is_first_only_proposed_and_the_author_is_not_told() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    proposed(&app, &w).await;
    assert_eq!(
        app.mails_to(&w.admin, &w.employee).await,
        Vec::<Value>::new()
    );
}

#[tokio::test]
async fn the_author_still_sees_a_proposed_rejection_as_pending() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let (id, _) = proposed(&app, &w).await;
    let c = json_of(
        app.get(&format!("/api/v1/comments/{id}"), &w.employee.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            &c["status"],
            &c["reason_code"],
            c["history"].as_array().map(Vec::len)
        ),
        (&json!("pending"), &Value::Null, Some(0)),
        "{c}"
    );
}

#[tokio::test]
async fn a_second_moderator_confirms_and_the_author_is_told_once() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let (id, second) = proposed(&app, &w).await;
    let c = app
        .decide(&second, id, json!({ "action": "confirm_reject" }))
        .await;
    assert_eq!(
        (&c["status"], &c["reason_code"]),
        (&json!("rejected"), &json!("off_topic")),
        "{c}"
    );
    assert_eq!(app.mails_to(&w.admin, &w.employee).await.len(), 1);
}

#[tokio::test]
async fn the_proposer_cannot_confirm_their_own_proposal() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let (id, _) = proposed(&app, &w).await;
    let res = app
        .moderate(&w.moderator, id, &json!({ "action": "confirm_reject" }))
        .await;
    problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_second_moderator_overturns_a_proposal_by_approving() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let (id, second) = proposed(&app, &w).await;
    let c = app
        .decide(&second, id, json!({ "action": "approve" }))
        .await;
    assert_eq!(
        (&c["status"], &c["reason_code"], &c["proposed_by"]),
        (&json!("approved"), &Value::Null, &Value::Null),
        "{c}"
    );
}

#[tokio::test]
async fn confirming_a_comment_nobody_proposed_to_reject_is_a_conflict() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let id = app
        .comment_id(&w.employee, w.doc, "Ý kiến chờ duyệt bình thường")
        .await;
    let res = app
        .moderate(&w.moderator, id, &json!({ "action": "confirm_reject" }))
        .await;
    problem(res, StatusCode::CONFLICT, "invalid_transition").await;
}

#[tokio::test]
async fn the_history_shows_the_proposal_and_the_confirmation_by_two_people() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let (id, second) = proposed(&app, &w).await;
    app.decide(&second, id, json!({ "action": "confirm_reject" }))
        .await;
    let c = json_of(
        app.get(&format!("/api/v1/comments/{id}"), &w.secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let steps: Vec<(Value, Value)> = c["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| (e["action"].clone(), e["actor_id"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (json!("reject"), json!(w.moderator.id)),
            (json!("confirm_reject"), json!(second.id)),
        ]
    );
}

#[tokio::test]
async fn proposals_wait_in_their_own_list() {
    let app = four_eyes_app().await;
    let w = app.world().await;
    let (id, second) = proposed(&app, &w).await;
    app.comment_id(&w.employee, w.doc, "Ý kiến chờ duyệt bình thường")
        .await;
    let page = json_of(
        app.get("/api/v1/moderation/proposals", &second.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(crate::helpers::ids(&page), vec![id], "{page}");
}
