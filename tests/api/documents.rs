use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app};
use crate::samples::post_sample_draft;

#[tokio::test]
async fn secretariat_publishes_a_structured_vietnamese_draft() {
    let app = spawn_app().await;
    let secretariat = app
        .user("Trần Thị Thu Hà", &[Role::Secretariat], None)
        .await;
    let employee = app.user("Đặng Văn Lâm", &[Role::Employee], None).await;

    let (doc, created) = post_sample_draft(&app, &secretariat).await;
    assert!(created.len() >= 10, "sample has many sections");

    // The employee cannot see an unpublished draft at all.
    problem(
        app.get(&format!("/api/v1/documents/{doc}"), &employee.token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let list = json_of(
        app.get("/api/v1/documents", &employee.token).await,
        StatusCode::OK,
    )
    .await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let list = json_of(
        app.get("/api/v1/documents?status=draft", &secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["id"], doc);

    let published = json_of(
        app.post(
            &format!("/api/v1/documents/{doc}/publish"),
            &secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/publish"),
            &secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_document_state",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/sections"),
            &secretariat.token,
            &json!({ "body": "Thêm" }),
        )
        .await,
        StatusCode::CONFLICT,
        "document_not_draft",
    )
    .await;

    // Reading order, paths and every byte of Vietnamese text survive the round trip.
    let detail = json_of(
        app.get(&format!("/api/v1/documents/{doc}"), &employee.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        detail["title"],
        "Dự thảo Báo cáo chính trị của Ban Chấp hành Đảng bộ Sở"
    );
    assert_eq!(detail["code"], "BC-ĐH/2026");
    let sections = detail["sections"].as_array().unwrap();
    assert_eq!(sections.len(), created.len());
    for (got, (id, label, heading, body)) in sections.iter().zip(&created) {
        assert_eq!(got["id"], *id, "reading order");
        assert_eq!(got["label"], *label);
        assert_eq!(got["body"], *body);
        if !heading.is_empty() {
            assert_eq!(got["heading"], *heading);
        }
    }
    let paths: Vec<&str> = sections
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"Phần thứ nhất › I › 1"), "{paths:?}");
    assert!(paths.contains(&"Phần thứ hai › III › 2"), "{paths:?}");
    assert_eq!(sections[2]["depth"], 2);

    let closed = json_of(
        app.post(
            &format!("/api/v1/documents/{doc}/close"),
            &secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["status"], "closed");
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/close"),
            &secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_document_state",
    )
    .await;
    let list = json_of(
        app.get("/api/v1/documents", &employee.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "closed");
}

#[tokio::test]
async fn documents_refuse_bad_input_wrong_roles_and_unknown_ids() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let employee = app
        .user("Nhân Viên", &[Role::Employee, Role::Moderator], None)
        .await;

    problem(
        app.post(
            "/api/v1/documents",
            &employee.token,
            &json!({ "title": "X" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let body = problem(
        app.post(
            "/api/v1/documents",
            &secretariat.token,
            &json!({ "title": "  " }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["title"].is_array());
    let body = problem(
        app.post(
            "/api/v1/documents",
            &secretariat.token,
            &json!({ "title": "X", "opens_at": "2026-12-10T00:00:00+07:00", "closes_at": "2026-12-01T00:00:00Z" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["closes_at"].is_array());
    problem(
        app.post(
            "/api/v1/documents",
            &secretariat.token,
            &json!({ "title": "X", "opens_at": "tomorrow" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    let doc = app
        .document(
            &secretariat,
            json!({ "title": "Dự thảo", "opens_at": "2026-01-01T07:00:00+07:00" }),
        )
        .await;
    let got = json_of(
        app.get(&format!("/api/v1/documents/{doc}"), &secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["opens_at"], "2026-01-01T00:00:00Z");
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/sections"),
            &employee.token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let body = problem(
        app.post(
            &format!("/api/v1/documents/{doc}/sections"),
            &secretariat.token,
            &json!({ "parent_id": 424242, "body": "x" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["parent_id"].is_array());
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/sections"),
            &secretariat.token,
            &json!({ "body": "" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.post(
            "/api/v1/documents/999999/sections",
            &secretariat.token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/documents/999999", &secretariat.token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.get("/api/v1/documents/abc", &secretariat.token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/close"),
            &secretariat.token,
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_document_state",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/documents/{doc}/publish"),
            &employee.token,
            &json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Explicit positions order siblings; unset positions append.
    let a = app
        .section(
            &secretariat,
            doc,
            json!({ "label": "Điều 2", "body": "b", "position": 20 }),
        )
        .await;
    let b = app
        .section(
            &secretariat,
            doc,
            json!({ "label": "Điều 1", "body": "a", "position": 10 }),
        )
        .await;
    let c = app
        .section(&secretariat, doc, json!({ "label": "Điều 3", "body": "c" }))
        .await;
    let got = json_of(
        app.get(&format!("/api/v1/documents/{doc}"), &secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<i64> = got["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [b, a, c]);
}

#[tokio::test]
async fn document_list_paginates_newest_first_and_searches_without_diacritics() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let titles = [
        "Dự thảo Nghị quyết Đại hội",
        "Dự thảo Quy chế chi tiêu nội bộ",
        "Đề án vị trí việc làm",
    ];
    let mut ids = Vec::new();
    for t in titles {
        ids.push(app.document(&secretariat, json!({ "title": t })).await);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/documents?limit=2&cursor={c}"),
            None => "/api/v1/documents?limit=2".into(),
        };
        let page = json_of(app.get(&path, &secretariat.token).await, StatusCode::OK).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);

    let found: Value = json_of(
        app.get("/api/v1/documents?q=DE%20AN%20VI%20TRI", &secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["title"], "Đề án vị trí việc làm");
    let found: Value = json_of(
        app.get("/api/v1/documents?q=nghi%20quyet%20dai", &secretariat.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["title"], "Dự thảo Nghị quyết Đại hội");
    problem(
        app.get("/api/v1/documents?status=bogus", &secretariat.token)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}
