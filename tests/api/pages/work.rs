//! The moderators', secretariat's and admins' pages, and lists that go on over several pages.

use reqwest::StatusCode;

use super::location;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_moderation_page_is_for_moderators_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app.page(&w.employee, "/moderation").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_decision_posted_without_javascript_returns_to_the_queue() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Góp ý chờ duyệt").await;
    let csrf = app.csrf(&w.moderator, "/moderation").await;
    let fields = [("csrf", csrf.as_str()), ("action", "approve")];
    let res = app
        .form(
            &w.moderator,
            &format!("/moderation/{id}"),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::SEE_OTHER, format!("/moderation?decided={id}"))
    );
    let comment: serde_json::Value = app
        .get(&format!("/api/v1/comments/{id}"), &w.employee.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(comment["status"], "approved");
}

#[tokio::test]
async fn the_secretariat_pages_are_for_the_secretariat_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .page(&w.employee, &format!("/secretariat/drafts/{}", w.doc))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_draft_without_a_title_comes_back_with_the_field_named() {
    let app = spawn_app().await;
    let w = app.world().await;
    let csrf = app.csrf(&w.secretariat, "/secretariat").await;
    let fields = [("csrf", csrf.as_str()), ("title", "  "), ("code", "QC-01")];
    let res = app
        .form(
            &w.secretariat,
            "/secretariat/drafts",
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("aria-describedby=\"title-error\"") && html.contains("value=\"QC-01\""),
        "{html}"
    );
}

/// The `href` of the link with this text, unescaped as a browser would.
fn link_to(html: &str, text: &str) -> Option<String> {
    let end = html.find(text)?;
    let start = html[..end].rfind("href=\"")? + 6;
    let href = &html[start..start + html[start..].find('"')?];
    Some(html_escape::decode_html_entities(href).into_owned())
}

#[tokio::test]
async fn a_long_queue_goes_on_over_pages_keeping_the_draft_filter() {
    let app = spawn_app().await;
    let w = app.world().await;
    // One more than a page holds.
    for n in 1..=51 {
        app.comment_id(&w.employee, w.doc, &format!("Góp ý số {n:02} chờ duyệt"))
            .await;
    }
    let first = app
        .page_text(&w.moderator, &format!("/moderation?document_id={}", w.doc))
        .await;
    let next = link_to(&first, "Trang sau").expect("a link to the next page");
    let second = app.page_text(&w.moderator, &next).await;
    assert!(
        first.contains("Góp ý số 50 chờ duyệt")
            && !first.contains("Góp ý số 51 chờ duyệt")
            && next.contains(&format!("document_id={}", w.doc))
            && second.contains("Góp ý số 51 chờ duyệt")
            && !second.contains("Góp ý số 50 chờ duyệt")
            && link_to(&second, "Trang sau").is_none()
            && link_to(&second, "Trang đầu").is_some(),
        "{next}"
    );
}

#[tokio::test]
async fn the_audit_log_and_the_outbox_page_on_each_by_its_own_link() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Every comment leaves an audit row: more than a page of them.
    for n in 1..=51 {
        app.comment_id(&w.employee, w.doc, &format!("Góp ý số {n}"))
            .await;
    }
    let first = app.page_text(&w.admin, "/admin/records").await;
    let next = link_to(&first, "Trang sau").expect("a link to the next page");
    let second = app.page_text(&w.admin, &next).await;
    assert!(
        next.starts_with("/admin/records?audit=") && second.contains("Trang đầu"),
        "{next}"
    );
}

#[tokio::test]
async fn taking_a_batch_from_the_queue_page_marks_it_as_yours() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Góp ý để nhận việc")
        .await;
    let csrf = app.csrf(&w.moderator, "/moderation").await;
    let res = app
        .form(
            &w.moderator,
            "/moderation/claims",
            &[("csrf", csrf.as_str())],
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = app.page_text(&w.moderator, &location(&res)).await;
    assert!(html.contains("Bạn đang xử lý đến"), "{html}");
}
