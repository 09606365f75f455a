//! Near-duplicate clusters: a campaign of copies with small edits is grouped, listed and
//! decided in one call; every member keeps its own history and notice.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp};
use crate::world::World;

const CAMPAIGN: &str = "Đề nghị giữ nguyên chế độ phụ cấp công vụ cho cán bộ cấp xã. \
    Việc cắt giảm sẽ ảnh hưởng lớn đến đời sống của anh chị em. \
    Kính đề nghị Ban soạn thảo xem xét lại điều khoản này.";

/// The campaign's text as different people send it: other case, no diacritics, sentences
/// in another order, a word changed.
fn variants() -> Vec<String> {
    vec![
        CAMPAIGN.to_owned(),
        CAMPAIGN.to_uppercase(),
        "De nghi giu nguyen che do phu cap cong vu cho can bo cap xa, viec cat giam se anh \
         huong lon den doi song cua anh chi em! Kinh de nghi Ban soan thao xem xet lai dieu \
         khoan nay"
            .to_owned(),
        "Kính đề nghị Ban soạn thảo xem xét lại điều khoản này. Đề nghị giữ nguyên chế độ \
         phụ cấp công vụ cho cán bộ cấp xã. Việc cắt giảm sẽ ảnh hưởng lớn đến đời sống của \
         anh chị em."
            .to_owned(),
        CAMPAIGN.replace("ảnh hưởng lớn", "ảnh hưởng rất lớn"),
    ]
}

/// The campaign sent by the employee, plus one unrelated comment; the campaign's ids.
async fn campaign(app: &TestApp, w: &World) -> Vec<i64> {
    let mut ids = Vec::new();
    for text in variants() {
        ids.push(app.comment_id(&w.employee, w.doc, &text).await);
    }
    app.comment_id(
        &w.other_employee,
        w.doc,
        "Chương II nên tách riêng quy định về hội đồng thẩm định.",
    )
    .await;
    ids
}

/// The world's moderator decides cluster `id` with `body`; the answer (200 checked).
async fn decide_cluster(app: &TestApp, w: &World, id: i64, body: Value) -> Value {
    json_of(
        app.post(
            &format!("/api/v1/moderation/clusters/{id}/decision"),
            &w.moderator.token,
            &body,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn clusters(app: &TestApp, w: &World, query: &str) -> Value {
    json_of(
        app.get(
            &format!("/api/v1/moderation/clusters{query}"),
            &w.moderator.token,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn a_campaign_with_small_edits_is_one_cluster() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = campaign(&app, &w).await;
    let page = clusters(&app, &w, "").await;
    let found: Vec<(Value, Value)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| (c["id"].clone(), c["members"].clone()))
        .collect();
    assert_eq!(found, vec![(json!(ids[0]), json!(ids))], "{page}");
}

#[tokio::test]
async fn a_cluster_reports_its_least_similarity_at_or_above_the_threshold() {
    let app = spawn_app().await;
    let w = app.world().await;
    campaign(&app, &w).await;
    let page = clusters(&app, &w, "").await;
    let least = page["items"][0]["min_similarity"].as_f64().expect("number");
    assert!((0.7..1.0).contains(&least), "{page}");
}

#[tokio::test]
async fn min_size_leaves_out_smaller_clusters() {
    let app = spawn_app().await;
    let w = app.world().await;
    campaign(&app, &w).await;
    let page = clusters(&app, &w, "?min_size=6").await;
    assert_eq!(page["items"], json!([]), "{page}");
}

#[tokio::test]
async fn members_carry_the_duplicate_label_in_the_queue() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = campaign(&app, &w).await;
    let page = json_of(
        app.get(
            "/api/v1/moderation/queue?label=duplicate",
            &w.moderator.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(crate::helpers::ids(&page), ids, "{page}");
}

#[tokio::test]
async fn one_call_decides_every_member_but_the_exception() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = campaign(&app, &w).await;
    let decided = decide_cluster(
        &app,
        &w,
        ids[0],
        json!({ "action": "reject", "reason_code": "duplicate", "except": [ids[4]] }),
    )
    .await;
    assert_eq!(decided["decided"], json!(ids[..4]), "{decided}");
}

#[tokio::test]
async fn each_member_decided_together_has_its_own_history_row() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = campaign(&app, &w).await;
    decide_cluster(&app, &w, ids[0], json!({ "action": "approve" })).await;
    let last = json_of(
        app.get(&format!("/api/v1/comments/{}", ids[3]), &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&last["status"], last["history"].as_array().map(Vec::len)),
        (&json!("approved"), Some(1)),
        "{last}"
    );
}

#[tokio::test]
async fn deciding_an_unknown_cluster_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .post(
            "/api/v1/moderation/clusters/987654/decision",
            &w.moderator.token,
            &json!({ "action": "approve" }),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn different_drafts_never_share_a_cluster() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (other_doc, _) = app.published_document(&w.secretariat).await;
    let a = app.comment_id(&w.employee, w.doc, CAMPAIGN).await;
    let b = app
        .comment(&w.employee, other_doc, json!({ "body": CAMPAIGN }))
        .await;
    let first = json_of(
        app.get(&format!("/api/v1/comments/{a}"), &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&first["cluster_id"], &b["cluster_id"]),
        (&Value::Null, &Value::Null),
        "{first} {b}"
    );
}

#[tokio::test]
async fn the_summary_counts_clusters_and_their_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    campaign(&app, &w).await;
    let summary = json_of(
        app.get(
            &format!("/api/v1/documents/{}/summary", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        summary["duplicates"],
        json!({ "clusters": 1, "comments": 5 }),
        "{summary}"
    );
}

#[tokio::test]
async fn the_export_shows_each_approved_members_cluster() {
    let app = spawn_app().await;
    let w = app.world().await;
    let ids = campaign(&app, &w).await;
    decide_cluster(&app, &w, ids[0], json!({ "action": "approve" })).await;
    let export = json_of(
        app.get(
            &format!("/api/v1/documents/{}/feedback?format=json", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let clusters: Vec<Value> = export["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["cluster_id"].clone())
        .collect();
    assert_eq!(clusters, vec![json!(ids[0]); 5], "{export}");
}
