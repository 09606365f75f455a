//! Employees comment on sections and whole drafts; who sees which comment; what is refused.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ids, json_of, problem, spawn_app};

#[tokio::test]
async fn a_comment_is_stored_trimmed_and_nfc_normalised() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Sent decomposed (NFD) with stray spaces.
    let nfd = "  Đề nghị bổ sung cụm từ \u{201c}viên chức\u{201d} vào Điều 1.\nXin cảm ơn.  ";
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(nfd).collect();
    let created = app
        .comment(
            &w.employee,
            w.doc,
            json!({ "section_id": w.sections[0], "body": nfd }),
        )
        .await;
    assert_eq!(
        created["body"],
        "Đề nghị bổ sung cụm từ \u{201c}viên chức\u{201d} vào Điều 1.\nXin cảm ơn."
    );
}

#[tokio::test]
async fn a_comment_on_a_section_is_pending_with_its_path_unit_and_receipt() {
    let app = spawn_app().await;
    let w = app.world().await;
    let proposed = "Luật này quy định về cán bộ, công chức, viên chức.";
    let body = json!({ "section_id": w.sections[0], "body": "Đề nghị bổ sung.", "proposed_text": proposed });
    let created = app.comment(&w.employee, w.doc, body).await;
    assert_eq!(created["status"], "pending");
    assert_eq!(created["section_path"], "Điều 1");
    assert_eq!(created["unit_id"], w.unit);
    assert_eq!(created["unit_name"], "Phòng Tổ chức cán bộ");
    assert_eq!(created["proposed_text"], proposed);
    let receipt = created["receipt"].as_str().expect("receipt");
    assert!(
        receipt.starts_with("GY-") && receipt.len() == 14,
        "{receipt}"
    );
}

#[tokio::test]
async fn a_comment_on_the_whole_draft_has_no_section() {
    let app = spawn_app().await;
    let w = app.world().await;
    let whole = app
        .comment(&w.other_employee, w.doc, json!({ "body": "Góp ý chung." }))
        .await;
    assert!(whole["section_id"].is_null() && whole["section_path"].is_null());
    assert!(whole["unit_id"].is_null());
}

#[tokio::test]
async fn a_pending_comment_is_listed_to_its_author_and_moderators_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let mine = app.comment_id(&w.employee, w.doc, "Của tôi").await;
    let theirs = app
        .comment_id(&w.other_employee, w.doc, "Của người khác")
        .await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    let by_author = json_of(app.get(&path, &w.employee.token).await, StatusCode::OK).await;
    assert_eq!(ids(&by_author), [mine]);
    let by_moderator = json_of(app.get(&path, &w.moderator.token).await, StatusCode::OK).await;
    assert_eq!(ids(&by_moderator), [mine, theirs]);
}

#[tokio::test]
async fn someone_elses_pending_comment_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let theirs = app
        .comment_id(&w.other_employee, w.doc, "Của người khác")
        .await;
    let res = app
        .get(&format!("/api/v1/comments/{theirs}"), &w.employee.token)
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_approved_comment_is_listed_to_everyone() {
    let app = spawn_app().await;
    let w = app.world().await;
    let theirs = app
        .comment_id(&w.other_employee, w.doc, "Của người khác")
        .await;
    app.decide(&w.moderator, theirs, json!({ "action": "approve" }))
        .await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    let by_employee = json_of(app.get(&path, &w.employee.token).await, StatusCode::OK).await;
    assert_eq!(ids(&by_employee), [theirs]);
}

#[tokio::test]
async fn comments_are_listed_by_section() {
    let app = spawn_app().await;
    let w = app.world().await;
    let on_s1 = app
        .comment(
            &w.employee,
            w.doc,
            json!({ "section_id": w.sections[0], "body": "Điều 1" }),
        )
        .await;
    app.comment(
        &w.employee,
        w.doc,
        json!({ "section_id": w.sections[1], "body": "Điều 2" }),
    )
    .await;
    let path = format!(
        "/api/v1/documents/{}/comments?section_id={}",
        w.doc, w.sections[0]
    );
    let page = json_of(app.get(&path, &w.employee.token).await, StatusCode::OK).await;
    assert_eq!(ids(&page), [on_s1["id"].as_i64().expect("id")]);
}

#[tokio::test]
async fn moderators_list_comments_by_status() {
    let app = spawn_app().await;
    let w = app.world().await;
    let approved = app.comment_id(&w.employee, w.doc, "Sẽ được duyệt").await;
    let pending = app.comment_id(&w.employee, w.doc, "Còn chờ").await;
    app.decide(&w.moderator, approved, json!({ "action": "approve" }))
        .await;
    let path = format!("/api/v1/documents/{}/comments?status=pending", w.doc);
    let page = json_of(app.get(&path, &w.moderator.token).await, StatusCode::OK).await;
    assert_eq!(ids(&page), [pending]);
}

#[tokio::test]
async fn my_comments_show_their_status_newest_first() {
    let app = spawn_app().await;
    let w = app.world().await;
    let first = app.comment_id(&w.employee, w.doc, "Thứ nhất").await;
    let second = app.comment_id(&w.employee, w.doc, "Thứ hai").await;
    app.decide(&w.moderator, first, json!({ "action": "approve" }))
        .await;
    let mine = json_of(
        app.get("/api/v1/me/comments", &w.employee.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&mine), [second, first]);
    assert_eq!(mine["items"][1]["status"], "approved");
}

#[tokio::test]
async fn a_blank_comment_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .post(
            &format!("/api/v1/documents/{}/comments", w.doc),
            &w.employee.token,
            &json!({ "body": "   " }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["body"].is_array());
}

#[tokio::test]
async fn the_length_limit_counts_characters_not_bytes() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Vietnamese letters are multi-byte: 5000 of them fit, 5001 do not.
    app.comment(&w.employee, w.doc, json!({ "body": "ệ".repeat(5000) }))
        .await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    let res = app
        .post(
            &path,
            &w.employee.token,
            &json!({ "body": "ệ".repeat(5001) }),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_422() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    for bad in [json!({ "body": 42 }), json!({ "body": "x", "extra": 1 })] {
        problem(
            app.post(&path, &w.employee.token, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
}

#[tokio::test]
async fn a_nul_byte_never_reaches_the_database() {
    let app = spawn_app().await;
    let w = app.world().await;
    let stored = app
        .comment(&w.employee, w.doc, json!({ "body": "a\u{0}b" }))
        .await;
    assert_eq!(stored["body"], "ab");
}

#[tokio::test]
async fn a_section_of_another_document_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (_, elsewhere) = app.published_document(&w.secretariat).await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    let res = app
        .post(
            &path,
            &w.employee.token,
            &json!({ "section_id": elsewhere[0], "body": "x" }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["section_id"].is_array());
}

#[tokio::test]
async fn listing_by_a_section_of_another_document_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let (other, elsewhere) = app.published_document(&w.secretariat).await;
    // The other section has an approved comment, which its own document does list.
    let there = app
        .comment(
            &w.employee,
            other,
            json!({ "section_id": elsewhere[0], "body": "Ở dự thảo khác" }),
        )
        .await;
    let there = there["id"].as_i64().expect("id");
    app.decide(&w.moderator, there, json!({ "action": "approve" }))
        .await;
    let own = format!(
        "/api/v1/documents/{other}/comments?section_id={}",
        elsewhere[0]
    );
    assert_eq!(
        ids(&json_of(app.get(&own, &w.employee.token).await, StatusCode::OK).await),
        [there]
    );
    let wrong = format!(
        "/api/v1/documents/{}/comments?section_id={}",
        w.doc, elsewhere[0]
    );
    problem(
        app.get(&wrong, &w.employee.token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn commenting_on_an_unknown_document_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .post(
            "/api/v1/documents/777777/comments",
            &w.employee.token,
            &json!({ "body": "x" }),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn only_employees_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let moderator_only = app
        .user(
            "Chỉ Kiểm Duyệt",
            &[gopy::accounts::types::Role::Moderator],
            None,
        )
        .await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    for who in [&moderator_only, &w.secretariat, &w.admin] {
        problem(
            app.post(&path, &who.token, &json!({ "body": "x" })).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
}

#[tokio::test]
async fn an_unpublished_draft_cannot_be_commented_on_or_seen() {
    let app = spawn_app().await;
    let w = app.world().await;
    let draft = app
        .document(&w.secretariat, json!({ "title": "Chưa công bố" }))
        .await;
    let res = app
        .post(
            &format!("/api/v1/documents/{draft}/comments"),
            &w.employee.token,
            &json!({ "body": "x" }),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_window_not_yet_open_refuses_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    let future = app
        .document(
            &w.secretariat,
            json!({ "title": "Sắp mở", "opens_at": "2099-01-01T00:00:00Z" }),
        )
        .await;
    app.publish(&w.secretariat, future).await;
    let res = app
        .post(
            &format!("/api/v1/documents/{future}/comments"),
            &w.employee.token,
            &json!({ "body": "x" }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "consultation_not_started").await;
}

#[tokio::test]
async fn a_window_that_is_over_refuses_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    let past = app
        .document(
            &w.secretariat,
            json!({ "title": "Đã hết hạn", "closes_at": "2020-01-01T00:00:00Z" }),
        )
        .await;
    app.publish(&w.secretariat, past).await;
    let res = app
        .post(
            &format!("/api/v1/documents/{past}/comments"),
            &w.employee.token,
            &json!({ "body": "x" }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "consultation_closed").await;
}

#[tokio::test]
async fn a_closed_consultation_refuses_comments_and_keeps_those_it_had() {
    let app = spawn_app().await;
    let w = app.world().await;
    let before = app.comment_id(&w.employee, w.doc, "Kịp hạn").await;
    app.close(&w.secretariat, w.doc).await;
    let path = format!("/api/v1/documents/{}/comments", w.doc);
    let res = app
        .post(
            &path,
            &w.employee.token,
            &json!({ "section_id": w.sections[1], "body": "Muộn" }),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "consultation_closed").await;
    let all = json_of(app.get(&path, &w.moderator.token).await, StatusCode::OK).await;
    assert_eq!(ids(&all), [before]);
}

/// The page query's PostgreSQL plan setting holds inside `with_generic_plans` only, and is put
/// back even when the work inside fails (SQLite: the work simply runs).
#[tokio::test]
async fn the_page_querys_plan_setting_never_outlives_it() {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use gopy::db::{with_generic_plans, ConnectionManager, DbConn};

    fn mode(conn: &mut DbConn) -> String {
        diesel::select(diesel::dsl::sql::<Text>(
            "current_setting('plan_cache_mode')",
        ))
        .get_result(conn)
        .unwrap()
    }

    let app = spawn_app().await;
    let mut conn = ConnectionManager::new(&app.db_url())
        .unwrap()
        .establish()
        .unwrap();
    if !matches!(conn, DbConn::Pg(_)) {
        let ran: Result<i32, diesel::result::Error> = with_generic_plans(&mut conn, |_| Ok(7));
        assert_eq!(ran.unwrap(), 7);
        return;
    }
    assert_eq!(mode(&mut conn), "auto");
    let inside = with_generic_plans(&mut conn, |c| Ok::<_, diesel::result::Error>(mode(c)));
    assert_eq!(inside.unwrap(), "force_generic_plan");
    assert_eq!(mode(&mut conn), "auto");
    let failed: Result<(), diesel::result::Error> =
        with_generic_plans(&mut conn, |_| Err(diesel::result::Error::NotFound));
    assert!(matches!(failed, Err(diesel::result::Error::NotFound)));
    assert_eq!(mode(&mut conn), "auto");
}
