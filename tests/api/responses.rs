//! The response register: how each approved comment was handled (tiếp thu, giải trình).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser};
use crate::world::World;

async fn put(app: &TestApp, who: &TestUser, comment: i64, body: Value) -> reqwest::Response {
    app.call(Method::PUT, &format!("/api/v1/comments/{comment}/response"))
        .auth(&who.token)
        .json(&body)
        .send()
        .await
}

/// A comment by the world's employee, approved.
async fn approved(app: &TestApp, w: &World, body: &str) -> i64 {
    let id = app.comment_id(&w.employee, w.doc, body).await;
    let d = app
        .decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    assert_eq!(d["status"], "approved", "{d}");
    id
}

fn not_accepted() -> Value {
    json!({ "decision": "not_accepted", "rationale": "Đã được quy định tại luật khác" })
}

#[tokio::test]
async fn a_response_is_recorded_for_an_approved_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Đề nghị bổ sung quy định").await;
    let r = json_of(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&r["comment_id"], &r["decision"], &r["rationale"]),
        (
            &json!(id),
            &json!("not_accepted"),
            &json!("Đã được quy định tại luật khác")
        ),
        "{r}"
    );
}

#[tokio::test]
async fn a_pending_comment_gets_no_response() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Chưa duyệt").await;
    problem(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::CONFLICT,
        "not_approved",
    )
    .await;
}

#[tokio::test]
async fn not_accepting_without_a_reason_is_refused_per_field() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Cần lý do").await;
    let p = problem(
        put(
            &app,
            &w.secretariat,
            id,
            json!({ "decision": "not_accepted", "rationale": "  " }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"]["rationale"].is_array(), "{p}");
}

#[tokio::test]
async fn a_section_of_another_draft_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (_, other_sections) = app.published_document(&w.secretariat).await;
    let id = approved(&app, &w, "Áp dụng ở đâu").await;
    let body = json!({ "decision": "accepted", "applied_in_section_id": other_sections[0] });
    let p = problem(
        put(&app, &w.secretariat, id, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"]["applied_in_section_id"].is_array(), "{p}");
}

#[tokio::test]
async fn a_change_keeps_the_earlier_response_in_history() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Đổi ý").await;
    json_of(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    let changed = json!({ "decision": "accepted", "applied_in_section_id": w.sections[0] });
    json_of(put(&app, &w.secretariat, id, changed).await, StatusCode::OK).await;
    let r = json_of(
        app.get(
            &format!("/api/v1/comments/{id}/response"),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            &r["decision"],
            &r["history"][0]["decision"],
            r["history"].as_array().map(Vec::len)
        ),
        (&json!("accepted"), &json!("not_accepted"), Some(1)),
        "{r}"
    );
}

#[tokio::test]
async fn one_shared_response_answers_many_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    let a = approved(&app, &w, "Ý kiến thứ nhất").await;
    let b = approved(&app, &w, "Ý kiến thứ hai").await;
    let mut body = not_accepted();
    body["comment_ids"] = json!([a, b]);
    let r = json_of(
        app.post(
            &format!("/api/v1/documents/{}/responses", w.doc),
            &w.secretariat.token,
            &body,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&Value> = r
        .as_array()
        .map(|a| a.iter().map(|x| &x["comment_id"]).collect())
        .unwrap_or_default();
    assert_eq!(ids, vec![&json!(a), &json!(b)], "{r}");
}

#[tokio::test]
async fn a_shared_response_with_one_pending_comment_records_none() {
    let app = spawn_app().await;
    let w = app.world().await;
    let a = approved(&app, &w, "Đã duyệt").await;
    let b = app.comment_id(&w.employee, w.doc, "Còn chờ").await;
    let mut body = not_accepted();
    body["comment_ids"] = json!([a, b]);
    problem(
        app.post(
            &format!("/api/v1/documents/{}/responses", w.doc),
            &w.secretariat.token,
            &body,
        )
        .await,
        StatusCode::CONFLICT,
        "not_approved",
    )
    .await;
    let list = json_of(
        app.get(
            &format!("/api/v1/documents/{}/responses", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"], json!([]), "{list}");
}

#[tokio::test]
async fn the_list_filters_by_decision() {
    let app = spawn_app().await;
    let w = app.world().await;
    let a = approved(&app, &w, "Không tiếp thu").await;
    let b = approved(&app, &w, "Tiếp thu").await;
    json_of(
        put(&app, &w.secretariat, a, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    json_of(
        put(&app, &w.secretariat, b, json!({ "decision": "accepted" })).await,
        StatusCode::OK,
    )
    .await;
    let list = json_of(
        app.get(
            &format!("/api/v1/documents/{}/responses?decision=accepted", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        list["items"].as_array().map(|i| i
            .iter()
            .map(|x| x["comment_id"].clone())
            .collect::<Vec<_>>()),
        Some(vec![json!(b)]),
        "{list}"
    );
}

#[tokio::test]
async fn the_author_sees_the_response_on_their_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Tác giả xem").await;
    json_of(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    let mine = json_of(
        app.get("/api/v1/me/comments", &w.employee.token).await,
        StatusCode::OK,
    )
    .await;
    let r = &mine["items"][0]["response"];
    assert_eq!(
        (&r["decision"], &r["label"]),
        (&json!("not_accepted"), &json!("Không tiếp thu")),
        "{mine}"
    );
}

#[tokio::test]
async fn the_author_is_mailed_once_when_the_first_response_is_recorded() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Thư báo").await;
    let before = app.mails_to(&w.admin, &w.employee).await.len();
    json_of(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    json_of(
        put(&app, &w.secretariat, id, json!({ "decision": "noted" })).await,
        StatusCode::OK,
    )
    .await;
    let mails = app.mails_to(&w.admin, &w.employee).await;
    let new: Vec<&Value> = mails
        .iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .is_some_and(|s| s.contains("Tiếp thu, giải trình"))
        })
        .collect();
    assert_eq!((mails.len() - before, new.len()), (1, 1), "{mails:?}");
}

#[tokio::test]
async fn an_open_draft_cannot_be_archived() {
    let app = spawn_app().await;
    let w = app.world().await;
    problem(
        app.post(
            &format!("/api/v1/documents/{}/archive", w.doc),
            &w.secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_document_state",
    )
    .await;
}

/// The world's draft with one approved comment, closed and archived.
async fn archived(app: &TestApp, w: &World) -> i64 {
    let id = approved(app, w, "Trước khi lưu trữ").await;
    app.close(&w.secretariat, w.doc).await;
    let d = json_of(
        app.post(
            &format!("/api/v1/documents/{}/archive", w.doc),
            &w.secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(d["archived_at"].is_string(), "{d}");
    id
}

#[tokio::test]
async fn an_archived_draft_takes_no_more_responses() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = archived(&app, &w).await;
    problem(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::CONFLICT,
        "document_archived",
    )
    .await;
}

#[tokio::test]
async fn an_archived_draft_takes_no_more_moderation() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = archived(&app, &w).await;
    problem(
        app.moderate(
            &w.moderator,
            id,
            &json!({ "action": "flag", "reason": "Xem lại" }),
        )
        .await,
        StatusCode::CONFLICT,
        "document_archived",
    )
    .await;
}

#[tokio::test]
async fn the_list_filters_by_round() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Trong đợt nào").await;
    json_of(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    let list = |round: i32| {
        let (app, w) = (&app, &w);
        async move {
            json_of(
                app.get(
                    &format!("/api/v1/documents/{}/responses?round={round}", w.doc),
                    &w.secretariat.token,
                )
                .await,
                StatusCode::OK,
            )
            .await
        }
    };
    // The world's draft has no rounds: no comment is of round 1.
    let none = list(1).await;
    assert_eq!(none["items"], json!([]), "{none}");
}

#[tokio::test]
async fn the_csv_export_carries_the_response_and_its_rationale() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Xuất ra bảng tính").await;
    json_of(
        put(&app, &w.secretariat, id, not_accepted()).await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .get(
            &format!("/api/v1/documents/{}/feedback", w.doc),
            &w.secretariat.token,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "status");
    let text = res.text().await.expect("text");
    let row = text.lines().nth(1).unwrap_or_default();
    assert!(
        row.ends_with(",Không tiếp thu,Đã được quy định tại luật khác"),
        "{text}"
    );
}

#[tokio::test]
async fn the_json_export_carries_the_decision() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = approved(&app, &w, "Xuất ra JSON").await;
    json_of(
        put(&app, &w.secretariat, id, json!({ "decision": "accepted" })).await,
        StatusCode::OK,
    )
    .await;
    let v = json_of(
        app.get(
            &format!("/api/v1/documents/{}/feedback?format=json", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&v["items"][0]["decision"], &v["items"][0]["rationale"]),
        (&json!("accepted"), &json!("")),
        "{v}"
    );
}
