//! The secretariat writes, publishes and closes drafts; who sees which; what is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ids, json_of, problem, spawn_app};
use crate::samples::post_sample_draft;

#[tokio::test]
async fn a_structured_vietnamese_draft_reads_back_in_order_with_its_paths() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (doc, created) = post_sample_draft(&app, &w.secretariat).await;
    assert!(created.len() >= 10, "the sample has many sections");
    let detail = json_of(
        app.get(&format!("/api/v1/documents/{doc}"), &w.secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        detail["title"],
        "Dự thảo Báo cáo chính trị của Ban Chấp hành Đảng bộ Sở"
    );
    assert_eq!(detail["code"], "BC-ĐH/2026");
    let sections = detail["sections"].as_array().expect("sections");
    assert_eq!(sections.len(), created.len());
    for (got, (id, label, heading, body)) in sections.iter().zip(&created) {
        assert_eq!(got["id"], *id, "reading order");
        assert_eq!(got["label"], *label);
        assert_eq!(got["body"], *body);
        if !heading.is_empty() {
            assert_eq!(got["heading"], *heading);
        }
    }
    let paths: Vec<&str> = sections.iter().filter_map(|s| s["path"].as_str()).collect();
    assert!(paths.contains(&"Phần thứ nhất › I › 1"), "{paths:?}");
    assert!(paths.contains(&"Phần thứ hai › III › 2"), "{paths:?}");
    assert_eq!(sections[2]["depth"], 2);
}

#[tokio::test]
async fn an_unpublished_draft_is_invisible_to_employees() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    problem(
        app.get(&format!("/api/v1/documents/{draft}"), &w.employee.token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let list = json_of(
        app.get("/api/v1/documents", &w.employee.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&list), [w.doc]);
}

#[tokio::test]
async fn the_secretariat_lists_drafts_by_status() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let list = json_of(
        app.get("/api/v1/documents?status=draft", &w.secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&list), [draft]);
}

#[tokio::test]
async fn publishing_stamps_the_time_and_happens_once() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let path = format!("/api/v1/documents/{draft}/publish");
    let published = json_of(
        app.post(&path, &w.secretariat.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert!(published["published_at"].is_string());
    problem(
        app.post(&path, &w.secretariat.token, &json!({})).await,
        StatusCode::CONFLICT,
        "invalid_document_state",
    )
    .await;
}

#[tokio::test]
async fn a_closed_draft_takes_no_new_sections() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.close(&w.secretariat, w.doc).await;
    let res = app
        .post(
            &format!("/api/v1/documents/{}/sections", w.doc),
            &w.secretariat.token,
            &json!({ "body": "Thêm" }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "document_not_draft").await;
}

#[tokio::test]
async fn closing_happens_once_and_employees_still_see_the_closed_draft() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.close(&w.secretariat, w.doc).await;
    let again = app
        .post(
            &format!("/api/v1/documents/{}/close", w.doc),
            &w.secretariat.token,
            &json!({}),
        )
        .await;
    problem(again, StatusCode::CONFLICT, "invalid_document_state").await;
    let list = json_of(
        app.get("/api/v1/documents", &w.employee.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "closed");
}

#[tokio::test]
async fn a_draft_cannot_be_closed_before_it_is_published() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let res = app
        .post(
            &format!("/api/v1/documents/{draft}/close"),
            &w.secretariat.token,
            &json!({}),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "invalid_document_state").await;
}

#[tokio::test]
async fn only_the_secretariat_writes_and_publishes_drafts() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    for who in [&w.employee, &w.moderator, &w.admin] {
        let create = app
            .post("/api/v1/documents", &who.token, &json!({ "title": "X" }))
            .await;
        problem(create, StatusCode::FORBIDDEN, "forbidden").await;
        let section = app
            .post(
                &format!("/api/v1/documents/{draft}/sections"),
                &who.token,
                &json!({ "body": "x" }),
            )
            .await;
        problem(section, StatusCode::FORBIDDEN, "forbidden").await;
        let publish = app
            .post(
                &format!("/api/v1/documents/{draft}/publish"),
                &who.token,
                &json!({}),
            )
            .await;
        problem(publish, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn a_blank_title_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .post(
            "/api/v1/documents",
            &w.secretariat.token,
            &json!({ "title": "  " }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["title"].is_array());
}

#[tokio::test]
async fn a_window_that_closes_before_it_opens_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let body = json!({ "title": "X", "opens_at": "2026-12-10T00:00:00+07:00", "closes_at": "2026-12-01T00:00:00Z" });
    let res = app
        .post("/api/v1/documents", &w.secretariat.token, &body)
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["closes_at"].is_array());
}

#[tokio::test]
async fn a_time_that_is_not_a_time_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .post(
            "/api/v1/documents",
            &w.secretariat.token,
            &json!({ "title": "X", "opens_at": "tomorrow" }),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn times_with_an_offset_are_stored_in_utc() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app
        .document(
            &w.secretariat,
            json!({ "title": "Dự thảo", "opens_at": "2026-01-01T07:00:00+07:00" }),
        )
        .await;
    let got = json_of(
        app.get(&format!("/api/v1/documents/{doc}"), &w.secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["opens_at"], "2026-01-01T00:00:00Z");
}

#[tokio::test]
async fn a_section_under_an_unknown_parent_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let res = app
        .post(
            &format!("/api/v1/documents/{draft}/sections"),
            &w.secretariat.token,
            &json!({ "parent_id": 424242, "body": "x" }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["parent_id"].is_array());
}

#[tokio::test]
async fn a_section_with_nothing_in_it_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let res = app
        .post(
            &format!("/api/v1/documents/{draft}/sections"),
            &w.secretariat.token,
            &json!({ "body": "" }),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn unknown_and_malformed_document_ids_are_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let token = &w.secretariat.token;
    problem(
        app.post(
            "/api/v1/documents/999999/sections",
            token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/documents/999999", token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/documents/abc", token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn explicit_positions_order_siblings_and_unset_ones_append() {
    let app = spawn_app().await;
    let w = app.world().await;
    let doc = app
        .document(&w.secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let a = app
        .section(
            &w.secretariat,
            doc,
            json!({ "label": "Điều 2", "body": "b", "position": 20 }),
        )
        .await;
    let b = app
        .section(
            &w.secretariat,
            doc,
            json!({ "label": "Điều 1", "body": "a", "position": 10 }),
        )
        .await;
    let c = app
        .section(
            &w.secretariat,
            doc,
            json!({ "label": "Điều 3", "body": "c" }),
        )
        .await;
    let got = json_of(
        app.get(&format!("/api/v1/documents/{doc}"), &w.secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let order: Vec<i64> = got["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .filter_map(|s| s["id"].as_i64())
        .collect();
    assert_eq!(order, [b, a, c]);
}

#[tokio::test]
async fn the_document_list_pages_newest_first() {
    let app = spawn_app().await;
    let w = app.world().await;
    let mut made = vec![w.doc];
    for t in [
        "Dự thảo Nghị quyết Đại hội",
        "Dự thảo Quy chế chi tiêu nội bộ",
        "Đề án vị trí việc làm",
    ] {
        made.push(app.document(&w.secretariat, json!({ "title": t })).await);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/documents?limit=2".to_owned();
    loop {
        let page = json_of(app.get(&path, &w.secretariat.token).await, StatusCode::OK).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/documents?limit=2&cursor={c}"),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made);
}

#[tokio::test]
async fn the_document_list_searches_titles_without_diacritics() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.document(
        &w.secretariat,
        json!({ "title": "Dự thảo Nghị quyết Đại hội" }),
    )
    .await;
    let wanted = app
        .document(&w.secretariat, json!({ "title": "Đề án vị trí việc làm" }))
        .await;
    let found = json_of(
        app.get(
            "/api/v1/documents?q=DE%20AN%20VI%20TRI",
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&found), [wanted]);
}

#[tokio::test]
async fn an_unknown_status_filter_is_422() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .get("/api/v1/documents?status=bogus", &w.secretariat.token)
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn the_document_list_filters_by_creation_time() {
    let app = spawn_app().await;
    let w = app.world().await;
    let old = app
        .document(&w.secretariat, json!({ "title": "Dự thảo năm trước" }))
        .await;
    app.sql(&format!(
        "UPDATE documents SET created_at = '2025-03-01 00:00:00' WHERE id = {old}"
    ))
    .await;
    let path = "/api/v1/documents?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00%2B07:00";
    let page = json_of(app.get(path, &w.secretariat.token).await, StatusCode::OK).await;
    assert_eq!(ids(&page), [old]);
    let recent = json_of(
        app.get(
            "/api/v1/documents?from=2026-01-01T00:00:00Z",
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&recent), [w.doc]);
}
