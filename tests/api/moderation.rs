use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, problem, spawn_app};

#[tokio::test]
async fn moderators_work_the_queue() {
    let app = spawn_app().await;
    let secretariat = app.user("Thư Ký", &[Role::Secretariat], None).await;
    let author = app.user("Ngô Thị Mai", &[Role::Employee], None).await;
    let moderator = app
        .user("Lý Văn Kiểm", &[Role::Moderator, Role::Employee], None)
        .await;
    let (doc, sections) = app.published_document(&secretariat).await;
    let mut ids = Vec::new();
    for body in ["Ý kiến một", "Ý kiến hai", "Ý kiến ba", "Ý kiến bốn"] {
        ids.push(
            app.comment(
                &author,
                doc,
                json!({ "section_id": sections[0], "body": body }),
            )
            .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let own = app
        .comment(
            &moderator,
            doc,
            json!({ "body": "Ý kiến của chính người kiểm duyệt" }),
        )
        .await["id"]
        .as_i64()
        .unwrap();

    let queue = json_of(
        app.get(
            &format!("/api/v1/moderation/queue?document_id={doc}&limit=2"),
            &moderator.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let first: Vec<i64> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(first, ids[..2]);
    assert!(queue["next_cursor"].is_string());

    // Reject needs a reason; nothing changes without one.
    let body = problem(
        app.moderate(&moderator, ids[0], &json!({ "action": "reject" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["errors"]["reason"].is_array());
    problem(
        app.moderate(&moderator, ids[0], &json!({ "action": "delete" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let rejected = json_of(
        app.moderate(&moderator, ids[0], &json!({ "action": "reject", "reason": "Nội dung không liên quan đến dự thảo", "note": "spam lặp lại" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "Nội dung không liên quan đến dự thảo");
    problem(
        app.moderate(&moderator, ids[0], &json!({ "action": "approve" }))
            .await,
        StatusCode::CONFLICT,
        "invalid_transition",
    )
    .await;

    let approved = json_of(
        app.moderate(&moderator, ids[1], &json!({ "action": "approve" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(approved["decided_at"].is_string());
    problem(
        app.moderate(&moderator, ids[1], &json!({ "action": "flag" }))
            .await,
        StatusCode::CONFLICT,
        "invalid_transition",
    )
    .await;

    // Flag for escalation, then decide.
    let flagged = json_of(
        app.moderate(
            &moderator,
            ids[2],
            &json!({ "action": "flag", "note": "Cần Thư ký xem" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(flagged["status"], "flagged");
    problem(
        app.moderate(&moderator, ids[2], &json!({ "action": "flag" }))
            .await,
        StatusCode::CONFLICT,
        "invalid_transition",
    )
    .await;
    json_of(
        app.moderate(&moderator, ids[2], &json!({ "action": "approve" }))
            .await,
        StatusCode::OK,
    )
    .await;

    // Nobody moderates their own comment; employees and the secretariat do not moderate.
    problem(
        app.moderate(&moderator, own, &json!({ "action": "approve" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.moderate(&author, ids[3], &json!({ "action": "approve" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.moderate(&secretariat, ids[3], &json!({ "action": "approve" }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.get("/api/v1/moderation/queue", &author.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    problem(
        app.moderate(&moderator, 987654, &json!({ "action": "approve" }))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let queue = json_of(
        app.get("/api/v1/moderation/queue", &moderator.token).await,
        StatusCode::OK,
    )
    .await;
    let left: Vec<i64> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(left, [ids[3], own]);

    // History: moderators see notes, the author sees decisions and reasons only.
    let for_mod = json_of(
        app.get(&format!("/api/v1/comments/{}", ids[2]), &moderator.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let history = for_mod["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(
        (
            history[0]["action"].as_str(),
            history[0]["to_status"].as_str()
        ),
        (Some("flag"), Some("flagged"))
    );
    assert_eq!(history[0]["note"], "Cần Thư ký xem");
    assert_eq!(history[0]["moderator_name"], "Lý Văn Kiểm");
    assert_eq!(
        (
            history[1]["from_status"].as_str(),
            history[1]["to_status"].as_str()
        ),
        (Some("flagged"), Some("approved"))
    );
    let for_author = json_of(
        app.get(&format!("/api/v1/comments/{}", ids[0]), &author.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        for_author["history"][0]["reason"],
        "Nội dung không liên quan đến dự thảo"
    );
    assert!(for_author["history"][0]["note"].is_null());

    // The author is told of each decision by mail (via the outbox), in Vietnamese.
    let mails = app.mails(3).await;
    assert_eq!(mails.len(), 3);
    assert!(mails.iter().all(|m| m.to == "ngo.thi.mai@test.gopy.vn"));
    let rejected = &mails[0];
    assert!(
        rejected.subject.starts_with("Góp ý GY-")
            && rejected.subject.ends_with("không được chấp nhận"),
        "{}",
        rejected.subject
    );
    assert!(
        rejected.raw.contains("Subject: =?utf-8?"),
        "encoded Vietnamese subject"
    );
    assert!(rejected
        .text
        .contains("Lý do: Nội dung không liên quan đến dự thảo"));
    assert!(rejected
        .html
        .contains("Lý do: Nội dung không liên quan đến dự thảo"));
    assert!(mails[1].subject.ends_with("đã được duyệt"));
}
