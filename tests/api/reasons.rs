//! Reasons as codes: the list with its labels, a rejection by code alone, `other` needing
//! words, and a reason without a code counted as `other`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, problem, spawn_app};

#[tokio::test]
async fn the_reasons_are_listed_with_vietnamese_and_english_labels() {
    let app = spawn_app().await;
    let w = app.world().await;
    let list = json_of(
        app.get("/api/v1/moderation/reasons", &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let codes: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(
        codes
            == [
                "off_topic",
                "abusive",
                "spam",
                "duplicate",
                "personal_data",
                "other"
            ]
            && list[0]["vi"] == "Không liên quan đến dự thảo"
            && list[0]["en"] == "Off topic",
        "{list}"
    );
}

#[tokio::test]
async fn a_rejection_by_code_alone_reaches_the_author_with_its_code() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Mua hàng giá rẻ").await;
    app.decide(
        &w.moderator,
        id,
        json!({ "action": "reject", "reason_code": "spam" }),
    )
    .await;
    let mine = json_of(
        app.get(&format!("/api/v1/comments/{id}"), &w.employee.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&mine["status"], &mine["reason_code"]),
        (&json!("rejected"), &json!("spam")),
        "{mine}"
    );
}

#[tokio::test]
async fn the_code_other_needs_words() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Ý kiến").await;
    let res = app
        .moderate(
            &w.moderator,
            id,
            &json!({ "action": "reject", "reason_code": "other" }),
        )
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(p["errors"]["reason"].is_array(), "{p}");
}

#[tokio::test]
async fn a_reason_without_a_code_counts_as_other() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Ý kiến").await;
    let decided = app
        .decide(
            &w.moderator,
            id,
            json!({ "action": "reject", "reason": "Không phù hợp" }),
        )
        .await;
    assert_eq!(decided["reason_code"], "other", "{decided}");
}
