//! The employee's pages: the drafts list, a draft with its contents and forms, their comments.

use reqwest::StatusCode;

use super::location;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_drafts_page_lists_a_published_draft_and_finds_it_without_diacritics() {
    let app = spawn_app().await;
    let w = app.world().await;
    let html = app.page_text(&w.employee, "/drafts?q=luat+can+bo").await;
    assert!(
        html.contains("Dự thảo Luật Cán bộ, công chức (sửa đổi)"),
        "{html}"
    );
}

#[tokio::test]
async fn the_draft_page_shows_contents_sections_and_a_form_per_section() {
    let app = spawn_app().await;
    let w = app.world().await;
    let html = app
        .page_text(&w.employee, &format!("/drafts/{}", w.doc))
        .await;
    for part in [
        "Mục lục",
        "Điều 1. Phạm vi điều chỉnh",
        "Luật này quy định về cán bộ, công chức.",
        "Nội dung góp ý",
        "Đề xuất sửa thành",
        "Gửi góp ý",
        &format!("name=\"section_id\" value=\"{}\"", w.sections[1]),
    ] {
        assert!(html.contains(part), "{part} missing");
    }
}

/// The line of the contents that links to section `id`.
fn toc_line(html: &str, id: i64) -> &str {
    let start = html
        .find(&format!("<li><a href=\"#s{id}\">"))
        .expect("a line in the contents");
    let end = html[start..].find("</li>").expect("end of the line") + start;
    &html[start..end]
}

#[tokio::test]
async fn the_contents_count_each_sections_approved_comments_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let on = |section: i64, body: &str| serde_json::json!({ "section_id": section, "body": body });
    let mut ids = Vec::new();
    for body in ["Góp ý một", "Góp ý hai", "Góp ý ba", "Góp ý bốn"] {
        let c = app
            .comment(&w.employee, w.doc, on(w.sections[0], body))
            .await;
        ids.push(c["id"].as_i64().expect("id"));
    }
    app.comment(&w.employee, w.doc, on(w.sections[1], "Góp ý chờ duyệt"))
        .await;
    app.decide(
        &w.moderator,
        ids[0],
        serde_json::json!({ "action": "approve" }),
    )
    .await;
    // Flagged first, then approved: counted once.
    app.decide(
        &w.moderator,
        ids[1],
        serde_json::json!({ "action": "flag" }),
    )
    .await;
    app.decide(
        &w.moderator,
        ids[1],
        serde_json::json!({ "action": "approve" }),
    )
    .await;
    app.decide(
        &w.moderator,
        ids[2],
        serde_json::json!({ "action": "reject", "reason": "Trùng lặp" }),
    )
    .await;
    let html = app
        .page_text(&w.employee, &format!("/drafts/{}", w.doc))
        .await;
    assert!(
        toc_line(&html, w.sections[0]).ends_with("<span class=\"hint\">(2)</span>")
            && !toc_line(&html, w.sections[1]).contains("hint"),
        "{html}"
    );
}

#[tokio::test]
async fn a_comment_sent_from_the_page_gets_its_receipt() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/drafts/{}", w.doc);
    let csrf = app.csrf(&w.employee, &path).await;
    let section = w.sections[0].to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("section_id", section.as_str()),
        ("body", "Đề nghị làm rõ phạm vi điều chỉnh."),
        (
            "proposed_text",
            "Luật này quy định về cán bộ, công chức và viên chức.",
        ),
    ];
    let res = app
        .form(
            &w.employee,
            &format!("{path}/comments"),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let receipt = to
        .split("sent=")
        .nth(1)
        .and_then(|r| r.split('#').next())
        .unwrap_or("")
        .to_owned();
    let html = app.page_text(&w.employee, &to).await;
    assert!(
        receipt.starts_with("GY-") && html.contains(&format!("Số tiếp nhận: {receipt}")),
        "{to}"
    );
}

#[tokio::test]
async fn a_refused_comment_keeps_what_was_typed_and_names_the_field() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/drafts/{}", w.doc);
    let csrf = app.csrf(&w.employee, &path).await;
    let section = w.sections[0].to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("section_id", section.as_str()),
        ("body", "   "),
        ("proposed_text", "Nội dung đề xuất giữ lại"),
    ];
    let res = app
        .form(
            &w.employee,
            &format!("{path}/comments"),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    let key = w.sections[0];
    assert!(
        html.contains("cần 1–5000 ký tự")
            && html.contains(&format!("aria-describedby=\"body-{key}-error\""))
            && html.contains(&format!("id=\"body-{key}-error\""))
            && html.contains(">Nội dung đề xuất giữ lại</textarea>"),
        "{html}"
    );
}

#[tokio::test]
async fn my_comments_shows_each_with_its_status_and_a_rejections_reason() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app
        .comment_id(&w.employee, w.doc, "Góp ý sẽ bị từ chối")
        .await;
    app.decide(
        &w.moderator,
        id,
        serde_json::json!({ "action": "reject", "reason": "Không liên quan đến dự thảo" }),
    )
    .await;
    let html = app.page_text(&w.employee, "/my/comments").await;
    assert!(
        html.contains("Không được chấp nhận") && html.contains("Không liên quan đến dự thảo"),
        "{html}"
    );
}

#[tokio::test]
async fn approved_comments_on_the_whole_draft_are_shown_to_readers_who_cannot_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app
        .comment_id(&w.employee, w.doc, "Góp ý chung cho cả dự thảo")
        .await;
    app.decide(&w.moderator, id, serde_json::json!({ "action": "approve" }))
        .await;
    // The secretariat reads the draft but does not comment on it: no form, the comment shown.
    let html = app
        .page_text(&w.secretariat, &format!("/drafts/{}", w.doc))
        .await;
    assert!(
        html.contains("Góp ý chung cho cả dự thảo") && !html.contains("Gửi góp ý"),
        "{html}"
    );
}
