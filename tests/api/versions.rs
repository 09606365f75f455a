//! Versions: a published text revised as the draft of its next version, published, compared;
//! sections keep their ids and comments their version.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{each, json_of, problem, spawn_app, TestApp};
use crate::world::World;

/// Version 1 as the world publishes it: Điều 1 (Phạm vi điều chỉnh), Điều 2 (Đối tượng áp dụng).
/// This revision drops nothing, edits Điều 2 and adds Điều 3.
pub const REVISED: &str = "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về cán bộ, công chức.\n\
Điều 2. Đối tượng áp dụng\nCán bộ, công chức, viên chức và cơ quan, tổ chức có liên quan.\n\
Điều 3. Giải thích từ ngữ\nTrong Luật này, các từ ngữ dưới đây được hiểu như sau.\n";

impl TestApp {
    pub async fn revise(&self, w: &World, text: &str) -> Value {
        let res = self
            .import(w, w.doc, "text/plain", text.into(), false)
            .await;
        json_of(res, StatusCode::OK).await
    }

    async fn publish_version(&self, w: &World, n: i32) -> Value {
        let res = self
            .post(
                &format!("/api/v1/documents/{}/versions/{n}/publish", w.doc),
                &w.secretariat.token,
                &json!({}),
            )
            .await;
        json_of(res, StatusCode::OK).await
    }

    pub async fn diff(&self, w: &World, from: i32, to: i32) -> Value {
        let res = self
            .get(
                &format!("/api/v1/documents/{}/diff?from={from}&to={to}", w.doc),
                &w.secretariat.token,
            )
            .await;
        json_of(res, StatusCode::OK).await
    }

    async fn detail(&self, token: &str, doc: i64, query: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/documents/{doc}{query}"), token)
            .await
    }
}

fn ids(detail: &Value) -> Vec<i64> {
    detail["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| s["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn importing_into_a_published_draft_makes_a_draft_of_version_2_and_leaves_the_text_alone() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(&w, REVISED).await;
    let current = json_of(
        app.detail(&w.employee.token, w.doc, "").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (current["version"].clone(), ids(&current)),
        (json!(1), w.sections.clone())
    );
    let draft = json_of(
        app.detail(&w.secretariat.token, w.doc, "?version=2").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(draft["sections"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn employees_cannot_read_a_draft_version() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(&w, REVISED).await;
    let res = app.detail(&w.employee.token, w.doc, "?version=2").await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_unknown_version_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app.detail(&w.secretariat.token, w.doc, "?version=7").await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_published_version_keeps_the_ids_of_the_sections_it_carries() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(&w, REVISED).await;
    let doc = app.publish_version(&w, 2).await;
    assert_eq!(doc["current_version"], 2);
    let current = json_of(
        app.detail(&w.employee.token, w.doc, "").await,
        StatusCode::OK,
    )
    .await;
    let now = ids(&current);
    assert_eq!((&now[..2], now.len()), (&w.sections[..], 3));
}

#[tokio::test]
async fn a_renumbered_article_keeps_its_id() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Điều 1 is dropped: the old Điều 2 becomes Điều 1, word for word.
    let text = "Điều 1. Đối tượng áp dụng\nCán bộ, công chức và cơ quan, tổ chức có liên quan.\n";
    let outline = app.revise(&w, text).await;
    assert_eq!(outline["sections"][0]["id"], w.sections[1]);
}

#[tokio::test]
async fn comments_record_the_version_they_were_made_on_and_stay_on_their_section() {
    let app = spawn_app().await;
    let w = app.world().await;
    let before = app
        .comment(
            &w.employee,
            w.doc,
            json!({ "section_id": w.sections[1], "body": "Về Điều 2 cũ" }),
        )
        .await;
    app.revise(&w, REVISED).await;
    app.publish_version(&w, 2).await;
    let after = app
        .comment(
            &w.employee,
            w.doc,
            json!({ "section_id": w.sections[1], "body": "Về Điều 2 mới" }),
        )
        .await;
    let res = app
        .get(
            &format!("/api/v1/comments/{}", before["id"]),
            &w.employee.token,
        )
        .await;
    let old = json_of(res, StatusCode::OK).await;
    assert_eq!(
        (
            old["version"].clone(),
            old["section_id"].clone(),
            after["version"].clone()
        ),
        (json!(1), json!(w.sections[1]), json!(2))
    );
}

#[tokio::test]
async fn a_section_removed_in_the_new_version_takes_no_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(
        &w,
        "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về cán bộ, công chức.\n",
    )
    .await;
    app.publish_version(&w, 2).await;
    let res = app
        .post(
            &format!("/api/v1/documents/{}/comments", w.doc),
            &w.employee.token,
            &json!({ "section_id": w.sections[1], "body": "Điều 2 đâu rồi?" }),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn the_old_version_stays_readable() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(
        &w,
        "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về cán bộ, công chức.\n",
    )
    .await;
    app.publish_version(&w, 2).await;
    let old = json_of(
        app.detail(&w.employee.token, w.doc, "?version=1").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&old), w.sections);
}

#[tokio::test]
async fn a_published_version_cannot_be_published_again() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.revise(&w, REVISED).await;
    app.publish_version(&w, 2).await;
    let res = app
        .post(
            &format!("/api/v1/documents/{}/versions/2/publish", w.doc),
            &w.secretariat.token,
            &json!({}),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "version_not_draft").await;
}

#[tokio::test]
async fn adding_a_section_to_a_published_draft_goes_into_the_next_version() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app
        .section(
            &w.secretariat,
            w.doc,
            json!({ "label": "Điều 3", "body": "Mới" }),
        )
        .await;
    let current = json_of(
        app.detail(&w.employee.token, w.doc, "").await,
        StatusCode::OK,
    )
    .await;
    let draft = json_of(
        app.detail(&w.secretariat.token, w.doc, "?version=2").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (ids(&current), ids(&draft)),
        (w.sections.clone(), vec![w.sections[0], w.sections[1], id])
    );
}

#[tokio::test]
async fn versions_are_listed_with_their_counts() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Góp ý chung").await;
    app.revise(&w, REVISED).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/versions", w.doc),
            &w.secretariat.token,
        )
        .await;
    let list = json_of(res, StatusCode::OK).await;
    let brief = each(&list, |v| {
        json!([
            v["number"],
            v["status"],
            v["current"],
            v["sections"],
            v["comments"]
        ])
    });
    assert_eq!(
        brief,
        vec![
            json!([1, "published", true, 2, 1]),
            json!([2, "draft", false, 3, 0])
        ]
    );
}

#[tokio::test]
async fn a_sections_comments_can_be_listed_by_version() {
    let app = spawn_app().await;
    let w = app.world().await;
    let on = |body: &str| json!({ "section_id": w.sections[0], "body": body });
    app.comment(&w.employee, w.doc, on("Trên bản 1")).await;
    app.revise(&w, REVISED).await;
    app.publish_version(&w, 2).await;
    app.comment(&w.employee, w.doc, on("Trên bản 2")).await;
    let res = app
        .get(
            &format!(
                "/api/v1/documents/{}/comments?section_id={}&version=1",
                w.doc, w.sections[0]
            ),
            &w.secretariat.token,
        )
        .await;
    let page = json_of(res, StatusCode::OK).await;
    let bodies = each(&page["items"], |c| json!([c["body"], c["version"]]));
    assert_eq!(bodies, vec![json!(["Trên bản 1", 1])]);
}

#[tokio::test]
async fn comments_on_a_removed_section_stay_in_the_summary() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment(
        &w.employee,
        w.doc,
        json!({ "section_id": w.sections[1], "body": "Về Điều 2" }),
    )
    .await;
    app.revise(
        &w,
        "Điều 1. Phạm vi điều chỉnh\nLuật này quy định về cán bộ, công chức.\n",
    )
    .await;
    app.publish_version(&w, 2).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/summary", w.doc),
            &w.secretariat.token,
        )
        .await;
    let summary = json_of(res, StatusCode::OK).await;
    let last = summary["sections"]
        .as_array()
        .and_then(|s| s.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        json!([last["section_id"], last["path"], last["pending"]]),
        json!([w.sections[1], "Điều 2", 1])
    );
}

#[tokio::test]
async fn version_zero_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/comments?version=0", w.doc),
            &w.employee.token,
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn a_round_not_yet_open_consults_on_a_newly_published_version() {
    let app = spawn_app().await;
    let w = app.world().await;
    let in_hours = |h: i64| (chrono::Utc::now() + chrono::TimeDelta::hours(h)).to_rfc3339();
    app.round(
        &w.secretariat,
        w.doc,
        json!({ "opens_at": in_hours(1), "closes_at": in_hours(2) }),
    )
    .await;
    app.revise(&w, REVISED).await;
    app.publish_version(&w, 2).await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/rounds", w.doc),
            &w.employee.token,
        )
        .await;
    let rounds = json_of(res, StatusCode::OK).await;
    assert_eq!(rounds[0]["version"], 2);
}
