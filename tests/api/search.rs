//! Search with or without diacritics.

use diesel::prelude::*;

use crate::helpers::spawn_app;

#[tokio::test]
async fn rows_written_before_search_existed_are_filled_in_by_migrate() {
    let app = spawn_app().await;
    let w = app.world().await;
    let comment = app
        .comment_id(&w.employee, w.doc, "Quy hoạch cán bộ ĐẢNG VIÊN")
        .await;
    app.sql("UPDATE documents SET title_lower = ''; UPDATE sections SET text_search = '', text_lower = ''; UPDATE comments SET text_search = '', text_lower = ''").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::process::gopy(&app._db, dir.path())
        .arg("migrate")
        .output()
        .expect("gopy migrate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("search forms filled in for 4 rows"),
        "{stdout}"
    );
    let (folded, lower): (String, String) = app
        .with_conn(move |conn, _| {
            use gopy::db::schema::comments;
            comments::table
                .find(comment)
                .select((comments::text_search, comments::text_lower))
                .first(conn)
                .expect("row")
        })
        .await;
    assert_eq!(
        (folded.as_str(), lower.as_str()),
        ("quy hoach can bo dang vien", "quy hoạch cán bộ đảng viên")
    );
    let again = crate::process::gopy(&app._db, dir.path())
        .arg("migrate")
        .output()
        .expect("gopy migrate");
    assert!(
        !String::from_utf8_lossy(&again.stdout).contains("filled in"),
        "a second run has nothing to do"
    );
}

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, TestApp, TestUser};
use crate::world::World;

async fn search(app: &TestApp, who: &TestUser, query: &str) -> Value {
    json_of(
        app.get(&format!("/api/v1/search?{query}"), &who.token)
            .await,
        StatusCode::OK,
    )
    .await
}

/// (kind, id) of each hit.
fn hits(page: &Value) -> Vec<(String, i64)> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap_or_default().to_owned(),
                h["id"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

/// The world with two approved comments on the published draft.
async fn with_comments(app: &TestApp) -> (World, i64, i64) {
    let w = app.world().await;
    let a = app
        .comment_id(
            &w.employee,
            w.doc,
            "Đề nghị làm rõ công tác quy hoạch cán bộ trẻ.",
        )
        .await;
    let b = app
        .comment_id(
            &w.employee,
            w.doc,
            "Cần tăng số lượng đảng viên là nữ; thể lệ bầu cử giữ nguyên.",
        )
        .await;
    for id in [a, b] {
        app.decide(&w.moderator, id, json!({ "action": "approve" }))
            .await;
    }
    (w, a, b)
}

#[tokio::test]
async fn words_typed_without_diacritics_find_text_with_them() {
    let app = spawn_app().await;
    let (w, a, _) = with_comments(&app).await;
    let page = search(&app, &w.other_employee, "q=quy%20hoach%20can%20bo").await;
    assert_eq!(hits(&page), [("comment".to_owned(), a)]);
    assert!(
        page["items"][0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("quy hoạch cán bộ")),
        "{page}"
    );
}

#[tokio::test]
async fn d_without_its_bar_finds_dj() {
    let app = spawn_app().await;
    let (w, _, b) = with_comments(&app).await;
    let page = search(&app, &w.other_employee, "q=DANG%20VIEN").await;
    assert_eq!(hits(&page), [("comment".to_owned(), b)]);
}

#[tokio::test]
async fn words_typed_with_diacritics_match_exactly() {
    let app = spawn_app().await;
    let (w, _, b) = with_comments(&app).await;
    assert_eq!(
        hits(&search(&app, &w.other_employee, "q=th%E1%BB%83%20l%E1%BB%87").await),
        [("comment".to_owned(), b)]
    );
    // "thế" is another word than "thể".
    assert!(hits(&search(&app, &w.other_employee, "q=th%E1%BA%BF").await).is_empty());
}

#[tokio::test]
async fn a_query_in_decomposed_unicode_finds_the_same() {
    let app = spawn_app().await;
    let (w, a, _) = with_comments(&app).await;
    // "cán bộ" as NFD: a + U+0301, o + U+0323 + U+0302.
    let page = search(
        &app,
        &w.other_employee,
        "q=ca%CC%81n%20bo%CC%A3%CC%82&kind=comment",
    )
    .await;
    assert_eq!(hits(&page), [("comment".to_owned(), a)]);
}

#[tokio::test]
async fn sections_and_document_titles_are_found_too() {
    let app = spawn_app().await;
    let w = app.world().await;
    let page = search(&app, &w.employee, "q=can%20bo%20cong%20chuc").await;
    let kinds: Vec<String> = hits(&page).into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["document", "section", "section"], "{page}");
    assert_eq!(page["items"][1]["title_or_path"], "Điều 2");
}

#[tokio::test]
async fn employees_find_no_one_elses_pending_comment_and_no_unpublished_draft() {
    let app = spawn_app().await;
    let w = app.world().await;
    let pending = app
        .comment_id(
            &w.other_employee,
            w.doc,
            "Ý kiến riêng chưa duyệt về biên chế",
        )
        .await;
    app.document(&w.secretariat, json!({ "title": "Bản nháp về biên chế" }))
        .await;
    assert!(hits(&search(&app, &w.employee, "q=bien%20che").await).is_empty());
    let seen = hits(&search(&app, &w.moderator, "q=bien%20che&kind=comment").await);
    assert_eq!(seen, [("comment".to_owned(), pending)]);
}

#[tokio::test]
async fn a_search_pages_through_every_kind() {
    let app = spawn_app().await;
    let w = app.world().await;
    let mut seen = Vec::new();
    let mut query = "q=dieu&limit=1".to_owned();
    loop {
        let page = search(&app, &w.employee, &query).await;
        seen.extend(hits(&page));
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("q=dieu&limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            ("section".to_owned(), w.sections[1]),
            ("section".to_owned(), w.sections[0])
        ]
    );
}

#[tokio::test]
async fn an_empty_search_is_refused() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app.get("/api/v1/search?q=", &w.employee.token).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["q"].is_array(), "{body}");
}

#[tokio::test]
async fn a_search_without_a_word_finds_nothing() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Spaces, punctuation and an invisible control character (U+0085).
    let res = app
        .get("/api/v1/search?q=%20!%C2%85", &w.employee.token)
        .await;
    let page = json_of(res, StatusCode::OK).await;
    assert_eq!(
        page,
        serde_json::json!({ "items": [], "next_cursor": null })
    );
}

#[tokio::test]
async fn a_comment_older_than_the_newest_window_is_still_found() {
    let app = spawn_app().await;
    let w = app.world().await;
    let old = app
        .comment_id(&w.employee, w.doc, "Công tác quy hoạch cán bộ trẻ")
        .await;
    // The next comment gets an id far past it: the newest window holds only the new one.
    let bump = if app.db_url().starts_with("postgres") {
        "SELECT setval(pg_get_serial_sequence('comments', 'id'), 900000)"
    } else {
        "UPDATE sqlite_sequence SET seq = 900000 WHERE name = 'comments'"
    };
    app.sql(bump).await;
    let new = app
        .comment_id(&w.employee, w.doc, "Một ý kiến khác hẳn")
        .await;
    assert!(new > 900_000, "{new}");
    let page = search(&app, &w.employee, "q=quy%20hoach&kind=comment").await;
    assert_eq!(hits(&page), [("comment".to_owned(), old)]);
}
