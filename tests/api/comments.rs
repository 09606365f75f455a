use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app};

#[tokio::test]
async fn employees_comment_on_sections_and_whole_drafts() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let unit = app.unit(&admin, "Phòng Công chức, viên chức", None).await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let an = app.user("Võ Thị An", &[Role::Employee], Some(unit)).await;
    let binh = app.user("Hoàng Văn Bình", &[Role::Employee], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let (doc, sections) = app.published_document(&secretariat).await;

    // Sent decomposed (NFD) with stray spaces: stored trimmed and NFC.
    let nfd = "  Đề nghị bổ sung cụm từ \u{201c}viên chức\u{201d} vào Điều 1.\nXin cảm ơn.  ";
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd(nfd).collect();
    let created = app
        .comment(&an, doc, json!({ "section_id": sections[0], "body": nfd, "proposed_text": "Luật này quy định về cán bộ, công chức, viên chức." }))
        .await;
    assert_eq!(created["status"], "pending");
    assert_eq!(
        created["body"],
        "Đề nghị bổ sung cụm từ \u{201c}viên chức\u{201d} vào Điều 1.\nXin cảm ơn."
    );
    assert_eq!(created["section_path"], "Điều 1");
    assert_eq!(created["unit_id"], unit);
    assert_eq!(created["unit_name"], "Phòng Công chức, viên chức");
    let receipt = created["receipt"].as_str().unwrap();
    assert!(
        receipt.starts_with("GY-") && receipt.len() == 14,
        "{receipt}"
    );

    let whole = app
        .comment(
            &binh,
            doc,
            json!({ "body": "Góp ý chung cho toàn bộ dự thảo." }),
        )
        .await;
    assert!(whole["section_id"].is_null());
    assert!(whole["unit_id"].is_null());

    // Pending comments are visible to their authors and to moderators only.
    let path = format!("/api/v1/documents/{doc}/comments");
    let seen = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let by_an = json_of(app.get(&path, &an.token).await, StatusCode::OK).await;
    assert_eq!(seen(&by_an), [created["id"].as_i64().unwrap()]);
    let by_mod = json_of(app.get(&path, &moderator.token).await, StatusCode::OK).await;
    assert_eq!(seen(&by_mod).len(), 2);
    problem(
        app.get(&format!("/api/v1/comments/{}", created["id"]), &binh.token)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let res = app
        .moderate(
            &moderator,
            created["id"].as_i64().unwrap(),
            &json!({ "action": "approve" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let by_binh = json_of(app.get(&path, &binh.token).await, StatusCode::OK).await;
    assert_eq!(
        seen(&by_binh),
        [
            created["id"].as_i64().unwrap(),
            whole["id"].as_i64().unwrap()
        ]
    );
    let only_s1 = json_of(
        app.get(&format!("{path}?section_id={}", sections[0]), &binh.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen(&only_s1), [created["id"].as_i64().unwrap()]);
    let pending_only = json_of(
        app.get(&format!("{path}?status=pending"), &moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen(&pending_only), [whole["id"].as_i64().unwrap()]);

    let mine = json_of(
        app.get("/api/v1/me/comments", &an.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["items"][0]["status"], "approved");
    assert_eq!(
        mine["items"][0]["proposed_text"],
        "Luật này quy định về cán bộ, công chức, viên chức."
    );
}

#[tokio::test]
async fn comments_are_refused_outside_the_window_and_for_bad_input() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let employee = app.user("Nhân Viên", &[Role::Employee], None).await;
    let moderator = app.user("Kiểm Duyệt", &[Role::Moderator], None).await;
    let (doc, sections) = app.published_document(&secretariat).await;
    let path = format!("/api/v1/documents/{doc}/comments");

    let body = problem(
        app.post(&path, &employee.token, &json!({ "body": "   " }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["body"].is_array());
    // 5000 characters (not bytes) is the limit: Vietnamese letters are multi-byte.
    let ok = "ệ".repeat(5000);
    app.comment(&employee, doc, json!({ "body": ok })).await;
    let too_long = "ệ".repeat(5001);
    problem(
        app.post(&path, &employee.token, &json!({ "body": too_long }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.post(&path, &employee.token, &json!({ "body": 42 }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.post(&path, &employee.token, &json!({ "body": "x", "extra": 1 }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // A NUL byte never reaches the database.
    let stored = app
        .comment(&employee, doc, json!({ "body": "a\u{0}b" }))
        .await;
    assert_eq!(stored["body"], "ab");

    // A section of another document.
    let (other, other_sections) = app.published_document(&secretariat).await;
    assert_ne!(other, doc);
    let body = problem(
        app.post(
            &path,
            &employee.token,
            &json!({ "section_id": other_sections[0], "body": "x" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["section_id"].is_array());
    // Listing by a section of another document is refused, not answered with its comments
    // (it has an approved one, which its own document does list).
    let elsewhere = app
        .comment(
            &employee,
            other,
            json!({ "section_id": other_sections[0], "body": "Góp ý ở dự thảo khác" }),
        )
        .await;
    let elsewhere = elsewhere["id"].as_i64().unwrap();
    let res = app
        .moderate(&moderator, elsewhere, &json!({ "action": "approve" }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listed = json_of(
        app.get(
            &format!(
                "/api/v1/documents/{other}/comments?section_id={}",
                other_sections[0]
            ),
            &employee.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"][0]["id"], elsewhere);
    problem(
        app.get(
            &format!("{path}?section_id={}", other_sections[0]),
            &employee.token,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    problem(
        app.post(
            "/api/v1/documents/777777/comments",
            &employee.token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Only employees comment.
    problem(
        app.post(&path, &moderator.token, &json!({ "body": "x" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.post(&path, &secretariat.token, &json!({ "body": "x" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // A draft is invisible; a window not yet open or already over is a 409.
    let draft = app
        .document(&secretariat, json!({ "title": "Chưa công bố" }))
        .await;
    problem(
        app.post(
            &format!("/api/v1/documents/{draft}/comments"),
            &employee.token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let future = app
        .document(
            &secretariat,
            json!({ "title": "Sắp mở", "opens_at": "2099-01-01T00:00:00Z" }),
        )
        .await;
    app.publish(&secretariat, future).await;
    problem(
        app.post(
            &format!("/api/v1/documents/{future}/comments"),
            &employee.token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::CONFLICT,
        "consultation_not_started",
    )
    .await;
    let past = app
        .document(
            &secretariat,
            json!({ "title": "Đã hết hạn", "closes_at": "2020-01-01T00:00:00Z" }),
        )
        .await;
    app.publish(&secretariat, past).await;
    problem(
        app.post(
            &format!("/api/v1/documents/{past}/comments"),
            &employee.token,
            &json!({ "body": "x" }),
        )
        .await,
        StatusCode::CONFLICT,
        "consultation_closed",
    )
    .await;
    app.post(
        &format!("/api/v1/documents/{doc}/close"),
        &secretariat.token,
        &json!({}),
    )
    .await;
    problem(
        app.post(
            &path,
            &employee.token,
            &json!({ "section_id": sections[1], "body": "Muộn" }),
        )
        .await,
        StatusCode::CONFLICT,
        "consultation_closed",
    )
    .await;

    // Exactly the two accepted comments exist.
    let all = json_of(app.get(&path, &moderator.token).await, StatusCode::OK).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
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
