//! Screening through the real interface: new comments are scored and labelled, the queue
//! shows and filters on it, and admins keep the blocked terms.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp};
use crate::world::World;

async fn set_terms(app: &TestApp, w: &World, terms: Value) -> Value {
    json_of(
        app.call(Method::PUT, "/api/v1/admin/screening/terms")
            .auth(&w.admin.token)
            .json(&json!({ "terms": terms }))
            .send()
            .await,
        StatusCode::OK,
    )
    .await
}

async fn queue(app: &TestApp, w: &World, query: &str) -> Vec<Value> {
    let page = json_of(
        app.get(
            &format!("/api/v1/moderation/queue{query}"),
            &w.moderator.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_comment_with_a_phone_number_is_labelled_with_where_it_is() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment_id(
        &w.employee,
        w.doc,
        "Cần trao đổi thêm, gọi 0912345678 giúp tôi",
    )
    .await;
    let items = queue(&app, &w, "").await;
    assert_eq!(
        items[0]["screening"],
        json!({ "score": 40, "labels": [{ "label": "personal_data", "spans": [[23, 33]] }] })
    );
}

#[tokio::test]
async fn a_blocked_term_written_with_dots_is_found_and_filtered_on() {
    let app = spawn_app().await;
    let w = app.world().await;
    set_terms(&app, &w, json!(["đm", "đồ ngu"])).await;
    app.comment_id(&w.employee, w.doc, "Đề nghị làm rõ Điều 2 của dự thảo này")
        .await;
    let bad = app
        .comment_id(&w.employee, w.doc, "Soạn thế này thì d.m chịu rồi")
        .await;
    let found = queue(&app, &w, "?label=blocked_term").await;
    let ids: Vec<i64> = found.iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(ids, vec![bad]);
}

#[tokio::test]
async fn the_queue_can_ask_for_a_minimum_score() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Đề nghị làm rõ Điều 2 của dự thảo này")
        .await;
    let loud = app
        .comment_id(&w.employee, w.doc, "XEM NGAY TẠI WWW.QUANGCAO.VN!!!!!!")
        .await;
    let found = queue(&app, &w, "?min_score=30").await;
    let ids: Vec<i64> = found.iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(ids, vec![loud]);
}

#[tokio::test]
async fn admins_keep_the_terms_trimmed_sorted_and_once_each() {
    let app = spawn_app().await;
    let w = app.world().await;
    let saved = set_terms(&app, &w, json!([" đồ ngu ", "đm", "đm", ""])).await;
    let read = json_of(
        app.get("/api/v1/admin/screening/terms", &w.admin.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&saved, &read),
        (&json!({ "terms": ["đm", "đồ ngu"] }), &saved)
    );
}

#[tokio::test]
async fn a_term_longer_than_a_hundred_characters_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .call(Method::PUT, "/api/v1/admin/screening/terms")
        .auth(&w.admin.token)
        .json(&json!({ "terms": ["x".repeat(101)] }))
        .send()
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

/// An app that flags comments screening scores at 60 or more, with "đồ ngốc" blocked.
async fn auto_flagging() -> (crate::helpers::TestApp, crate::world::World) {
    let app = crate::helpers::spawn_app_with(|s| s.moderation.auto_flag_score = 60).await;
    let w = app.world().await;
    let res = app
        .call(reqwest::Method::PUT, "/api/v1/admin/screening/terms")
        .auth(&w.admin.token)
        .json(&serde_json::json!({ "terms": ["đồ ngốc"] }))
        .send()
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    (app, w)
}

#[tokio::test]
async fn a_comment_above_the_auto_flag_score_is_flagged_by_the_system() {
    let (app, w) = auto_flagging().await;
    let c = app
        .comment(
            &w.employee,
            w.doc,
            serde_json::json!({ "body": "Ai viết điều này đúng là đồ ngốc" }),
        )
        .await;
    let id = c["id"].as_i64().expect("id");
    let detail = crate::helpers::json_of(
        app.get(&format!("/api/v1/comments/{id}"), &w.moderator.token)
            .await,
        reqwest::StatusCode::OK,
    )
    .await;
    let event = &detail["history"][0];
    assert_eq!(
        (&detail["status"], &event["action"], &event["actor_id"]),
        (
            &serde_json::json!("flagged"),
            &serde_json::json!("flag"),
            &serde_json::Value::Null
        ),
        "{detail}"
    );
    assert!(
        event["note"]
            .as_str()
            .is_some_and(|n| n.contains("blocked_term")),
        "{detail}"
    );
}

#[tokio::test]
async fn a_comment_below_the_auto_flag_score_stays_pending() {
    let (app, w) = auto_flagging().await;
    let c = app
        .comment(
            &w.employee,
            w.doc,
            serde_json::json!({ "body": "XEM LẠI ĐIỀU NÀY NGAY!!!!!!" }),
        )
        .await;
    assert_eq!(c["status"], "pending", "{c}");
}
