//! Authors edit a pending comment nobody holds, or withdraw one nobody has decided.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser};

async fn patch(app: &TestApp, who: &TestUser, id: i64, body: Value) -> reqwest::Response {
    app.call(Method::PATCH, &format!("/api/v1/comments/{id}"))
        .auth(&who.token)
        .json(&body)
        .send()
        .await
}

async fn withdraw(app: &TestApp, who: &TestUser, id: i64) -> reqwest::Response {
    app.post(
        &format!("/api/v1/comments/{id}/withdraw"),
        &who.token,
        &json!({}),
    )
    .await
}

async fn detail(app: &TestApp, who: &TestUser, id: i64) -> Value {
    json_of(
        app.get(&format!("/api/v1/comments/{id}"), &who.token).await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn an_author_edits_a_pending_comment_and_the_earlier_text_is_kept() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Bản đầu tiên").await;
    let edited = json_of(
        patch(
            &app,
            &w.employee,
            id,
            json!({ "body": "Bản đã sửa", "proposed_text": "Câu mới" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&edited["body"], &edited["proposed_text"]),
        (&json!("Bản đã sửa"), &json!("Câu mới")),
        "{edited}"
    );
    let d = detail(&app, &w.employee, id).await;
    assert_eq!(
        (
            &d["revisions"][0]["body"],
            &d["history"][0]["action"],
            &d["history"][0]["actor_id"]
        ),
        (
            &json!("Bản đầu tiên"),
            &json!("edit"),
            &json!(w.employee.id)
        ),
        "{d}"
    );
}

#[tokio::test]
async fn a_null_proposed_text_removes_it_and_a_missing_body_keeps_it() {
    let app = spawn_app().await;
    let w = app.world().await;
    let c = app
        .comment(
            &w.employee,
            w.doc,
            json!({ "body": "Giữ nguyên", "proposed_text": "Đề xuất" }),
        )
        .await;
    let id = c["id"].as_i64().expect("id");
    let edited = json_of(
        patch(&app, &w.employee, id, json!({ "proposed_text": null })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&edited["body"], &edited["proposed_text"]),
        (&json!("Giữ nguyên"), &Value::Null),
        "{edited}"
    );
}

#[tokio::test]
async fn someone_elses_comment_cannot_be_edited() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Của Mai").await;
    app.decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    let res = patch(&app, &w.other_employee, id, json!({ "body": "Sửa hộ" })).await;
    problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn a_decided_comment_cannot_be_edited() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Đã duyệt rồi").await;
    app.decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    let res = patch(
        &app,
        &w.employee,
        id,
        json!({ "body": "Sửa sau khi duyệt" }),
    )
    .await;
    problem(res, StatusCode::CONFLICT, "invalid_transition").await;
}

#[tokio::test]
async fn a_claimed_comment_cannot_be_edited() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Đang được xem").await;
    let claimed = json_of(
        app.post("/api/v1/moderation/claims", &w.moderator.token, &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(crate::helpers::ids(&claimed), vec![id], "{claimed}");
    let res = patch(&app, &w.employee, id, json!({ "body": "Sửa khi đang xem" })).await;
    problem(res, StatusCode::CONFLICT, "under_review").await;
}

#[tokio::test]
async fn an_author_withdraws_a_pending_comment_and_it_leaves_the_queue() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Xin rút lại").await;
    let c = json_of(withdraw(&app, &w.employee, id).await, StatusCode::OK).await;
    assert_eq!(c["status"], "withdrawn", "{c}");
    let queue = json_of(
        app.get("/api/v1/moderation/queue", &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(crate::helpers::ids(&queue), Vec::<i64>::new(), "{queue}");
}

#[tokio::test]
async fn a_decided_comment_cannot_be_withdrawn() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Đã bị từ chối").await;
    app.decide(
        &w.moderator,
        id,
        json!({ "action": "reject", "reason_code": "off_topic" }),
    )
    .await;
    problem(
        withdraw(&app, &w.employee, id).await,
        StatusCode::CONFLICT,
        "invalid_transition",
    )
    .await;
}

#[tokio::test]
async fn a_withdrawn_comment_cannot_be_decided() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Rút rồi").await;
    json_of(withdraw(&app, &w.employee, id).await, StatusCode::OK).await;
    let res = app
        .moderate(&w.moderator, id, &json!({ "action": "approve" }))
        .await;
    problem(res, StatusCode::CONFLICT, "invalid_transition").await;
}

#[tokio::test]
async fn an_edit_that_leaves_a_campaigns_text_leaves_its_cluster() {
    let app = spawn_app().await;
    let w = app.world().await;
    let text = "Đề nghị tăng thời gian lấy ý kiến lên ba mươi ngày để mọi người kịp đọc kỹ.";
    app.comment_id(&w.other_employee, w.doc, text).await;
    let copy = app
        .comment(&w.employee, w.doc, json!({ "body": text }))
        .await;
    assert!(copy["cluster_id"].is_i64(), "{copy}");
    let id = copy["id"].as_i64().expect("id");
    json_of(
        patch(
            &app,
            &w.employee,
            id,
            json!({ "body": "Chương III cần thêm quy định chuyển tiếp." }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let d = detail(&app, &w.moderator, id).await;
    assert_eq!(d["cluster_id"], Value::Null, "{d}");
}
