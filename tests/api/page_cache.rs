//! Pages of a section's approved comments that a node keeps for its readers
//! (`comments::page_cache`): every change to an approved comment, made on any node or by any
//! write path, reaches the next page a reader is served; a reader's own comments are on their
//! page whatever is kept.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{ids, json_of, spawn_app, TestApp, TestUser};
use crate::world::World;

async fn page(app: &TestApp, base: &str, reader: &TestUser, w: &World) -> Vec<i64> {
    let res = app
        .client
        .get(format!(
            "{base}/api/v1/documents/{}/comments?section_id={}&limit=50",
            w.doc, w.sections[0]
        ))
        .bearer_auth(&reader.token)
        .send()
        .await
        .expect("request");
    ids(&json_of(res, StatusCode::OK).await)
}

/// The employee's comment on the first section, waiting for a decision.
async fn pending(app: &TestApp, w: &World, body: &str) -> i64 {
    app.comment(
        &w.employee,
        w.doc,
        json!({ "body": body, "section_id": w.sections[0] }),
    )
    .await["id"]
        .as_i64()
        .expect("id")
}

/// A comment on the first section, approved.
async fn approved(app: &TestApp, w: &World, body: &str) -> i64 {
    let c = pending(app, w, body).await;
    let decided: Value = app
        .decide(&w.moderator, c, json!({ "action": "approve" }))
        .await;
    assert_eq!(decided["status"], "approved");
    c
}

/// A second gopy node on the same database, as production runs several.
async fn second_node(app: &TestApp) -> String {
    let mut settings = app.settings.clone();
    settings.database.url = app.db_url();
    let node = gopy::startup::Application::build(settings)
        .await
        .expect("second node");
    let base = format!("http://127.0.0.1:{}", node.port());
    tokio::spawn(node.run_until_stopped());
    base
}

#[tokio::test]
async fn a_decision_taken_on_another_node_is_on_the_next_page_this_node_serves() {
    let app = spawn_app().await;
    let w = app.world().await;
    let first = approved(&app, &w, "Góp ý thứ nhất về phạm vi").await;
    assert_eq!(
        page(&app, &app.address, &w.other_employee, &w).await,
        [first]
    );

    let other = second_node(&app).await;
    let c = pending(&app, &w, "Góp ý thứ hai về phạm vi").await;
    let res = app
        .client
        .post(format!("{other}/api/v1/comments/{c}/moderation"))
        .bearer_auth(&w.moderator.token)
        .json(&json!({ "action": "approve" }))
        .send()
        .await
        .expect("request");
    assert_eq!(json_of(res, StatusCode::OK).await["status"], "approved");

    assert_eq!(
        page(&app, &app.address, &w.other_employee, &w).await,
        [first, c]
    );
}

#[tokio::test]
async fn a_readers_own_pending_comment_is_on_their_page_and_no_one_elses() {
    let app = spawn_app().await;
    let w = app.world().await;
    let first = approved(&app, &w, "Góp ý đã được duyệt").await;
    assert_eq!(
        page(&app, &app.address, &w.other_employee, &w).await,
        [first]
    );

    let waiting = pending(&app, &w, "Góp ý đang chờ duyệt").await;

    assert_eq!(
        page(&app, &app.address, &w.employee, &w).await,
        [first, waiting]
    );
    assert_eq!(
        page(&app, &app.address, &w.other_employee, &w).await,
        [first]
    );
}

#[tokio::test]
async fn a_change_to_an_approved_comment_made_straight_in_the_database_reaches_the_next_page() {
    let app = spawn_app().await;
    let w = app.world().await;
    let first = approved(&app, &w, "Nội dung trước khi sửa").await;
    let before = page(&app, &app.address, &w.other_employee, &w).await;
    assert_eq!(before, [first]);

    // No service call: a write path the code does not know of (a bulk action, an operator).
    app.sql(&format!(
        "UPDATE comments SET status = 'rejected' WHERE id = {first}"
    ))
    .await;

    assert!(page(&app, &app.address, &w.other_employee, &w)
        .await
        .is_empty());
}
