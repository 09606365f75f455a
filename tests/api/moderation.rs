//! Moderators work the queue: the state machine of decisions, who may decide, the history,
//! and the author's notice.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ids, json_of, problem, spawn_app, TestApp};
use crate::world::World;

/// The world plus `n` pending comments by the employee, oldest first.
async fn with_comments(app: &TestApp, n: usize) -> (World, Vec<i64>) {
    let w = app.world().await;
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            app.comment_id(&w.employee, w.doc, &format!("Ý kiến số {i}"))
                .await,
        );
    }
    (w, out)
}

#[tokio::test]
async fn the_queue_lists_undecided_comments_oldest_first_in_pages() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 3).await;
    let path = format!("/api/v1/moderation/queue?document_id={}&limit=2", w.doc);
    let page = json_of(app.get(&path, &w.moderator.token).await, StatusCode::OK).await;
    assert_eq!(ids(&page), c[..2]);
    let next = page["next_cursor"].as_str().expect("a next page");
    let page = json_of(
        app.get(&format!("{path}&cursor={next}"), &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&page), c[2..]);
}

#[tokio::test]
async fn decided_comments_leave_the_queue_and_flagged_ones_stay() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 4).await;
    app.decide(&w.moderator, c[0], json!({ "action": "approve" }))
        .await;
    app.decide(
        &w.moderator,
        c[1],
        json!({ "action": "reject", "reason": "Lạc đề" }),
    )
    .await;
    app.decide(&w.moderator, c[2], json!({ "action": "flag" }))
        .await;
    let page = json_of(
        app.get("/api/v1/moderation/queue", &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&page), [c[2], c[3]]);
}

#[tokio::test]
async fn a_rejection_needs_a_reason() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    let res = app
        .moderate(
            &w.moderator,
            c[0],
            &json!({ "action": "reject", "reason": "   " }),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["reason"].is_array(), "{body}");
}

#[tokio::test]
async fn an_unknown_action_is_422() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    let res = app
        .moderate(&w.moderator, c[0], &json!({ "action": "delete" }))
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["errors"]["action"].is_array(), "{body}");
}

#[tokio::test]
async fn a_rejection_records_its_reason_on_the_comment() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    let body = json!({ "action": "reject", "reason": "Nội dung không liên quan đến dự thảo", "note": "spam lặp lại" });
    let rejected = app.decide(&w.moderator, c[0], body).await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "Nội dung không liên quan đến dự thảo");
    assert!(rejected["decided_at"].is_string());
}

#[tokio::test]
async fn a_decided_comment_cannot_be_decided_again() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    app.decide(&w.moderator, c[0], json!({ "action": "approve" }))
        .await;
    for action in ["approve", "reject", "flag"] {
        let body = json!({ "action": action, "reason": "lý do" });
        problem(
            app.moderate(&w.moderator, c[0], &body).await,
            StatusCode::CONFLICT,
            "invalid_transition",
        )
        .await;
    }
}

#[tokio::test]
async fn a_flagged_comment_is_decided_later_but_not_flagged_twice() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    let flagged = app
        .decide(
            &w.moderator,
            c[0],
            json!({ "action": "flag", "note": "Cần Thư ký xem" }),
        )
        .await;
    assert_eq!(flagged["status"], "flagged");
    let again = app
        .moderate(&w.moderator, c[0], &json!({ "action": "flag" }))
        .await;
    problem(again, StatusCode::CONFLICT, "invalid_transition").await;
    let approved = app
        .decide(&w.moderator, c[0], json!({ "action": "approve" }))
        .await;
    assert_eq!(approved["status"], "approved");
}

#[tokio::test]
async fn nobody_moderates_their_own_comment() {
    let app = spawn_app().await;
    let w = app.world().await;
    let own = app
        .comment_id(&w.moderator, w.doc, "Ý kiến của chính người kiểm duyệt")
        .await;
    let res = app
        .moderate(&w.moderator, own, &json!({ "action": "approve" }))
        .await;
    problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn employees_and_the_secretariat_do_not_moderate() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    for who in [&w.other_employee, &w.secretariat] {
        let res = app
            .moderate(who, c[0], &json!({ "action": "approve" }))
            .await;
        problem(res, StatusCode::FORBIDDEN, "forbidden").await;
        problem(
            app.get("/api/v1/moderation/queue", &who.token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
}

#[tokio::test]
async fn deciding_an_unknown_comment_is_404() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .moderate(&w.moderator, 987_654, &json!({ "action": "approve" }))
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_history_shows_each_decision_with_its_moderator_and_note() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    app.decide(
        &w.moderator,
        c[0],
        json!({ "action": "flag", "note": "Cần Thư ký xem" }),
    )
    .await;
    app.decide(&w.moderator, c[0], json!({ "action": "approve" }))
        .await;
    let seen = json_of(
        app.get(&format!("/api/v1/comments/{}", c[0]), &w.moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let history = seen["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0]["action"].as_str(),
            history[0]["to_status"].as_str()
        ),
        (Some("flag"), Some("flagged"))
    );
    assert_eq!(history[0]["note"], "Cần Thư ký xem");
    assert_eq!(history[0]["actor_name"], "Lý Văn Kiểm");
    assert_eq!(
        (
            history[1]["from_status"].as_str(),
            history[1]["to_status"].as_str()
        ),
        (Some("flagged"), Some("approved"))
    );
}

#[tokio::test]
async fn the_author_sees_a_rejections_reason_but_never_the_note() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    let body = json!({ "action": "reject", "reason": "Lạc đề", "note": "spam lặp lại" });
    app.decide(&w.moderator, c[0], body).await;
    let seen = json_of(
        app.get(&format!("/api/v1/comments/{}", c[0]), &w.employee.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["history"][0]["reason"], "Lạc đề");
    assert!(seen["history"][0]["note"].is_null());
}

#[tokio::test]
async fn the_author_is_told_of_a_rejection_by_mail_in_vietnamese() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    let body = json!({ "action": "reject", "reason": "Nội dung không liên quan đến dự thảo" });
    app.decide(&w.moderator, c[0], body).await;
    let mail = app.mail_to(&w.employee.email, 0).await;
    assert!(
        mail.subject.starts_with("Góp ý GY-") && mail.subject.ends_with("không được chấp nhận"),
        "{}",
        mail.subject
    );
    assert!(
        mail.raw.contains("Subject: =?utf-8?"),
        "encoded Vietnamese subject"
    );
    assert!(mail
        .text
        .contains("Lý do: Nội dung không liên quan đến dự thảo"));
    assert!(mail
        .html
        .contains("Lý do: Nội dung không liên quan đến dự thảo"));
}

#[tokio::test]
async fn the_author_is_told_of_an_approval_by_mail() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    app.decide(&w.moderator, c[0], json!({ "action": "approve" }))
        .await;
    let mail = app.mail_to(&w.employee.email, 0).await;
    assert!(mail.subject.ends_with("đã được duyệt"), "{}", mail.subject);
}

#[tokio::test]
async fn flagging_sends_no_mail() {
    let app = spawn_app().await;
    let (w, c) = with_comments(&app, 1).await;
    app.decide(&w.moderator, c[0], json!({ "action": "flag" }))
        .await;
    assert_eq!(app.deliver_mail().await, 0);
    let res = app
        .call(Method::GET, "/api/v1/moderation/queue")
        .auth(&w.moderator.token)
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
