//! The audit log's hash chain: intact after ordinary work (also with many writers at once),
//! and each kind of tampering named by `GET /admin/audit/verify` and `gopy audit verify`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, spawn_app, TestApp};
use crate::process::gopy;
use crate::world::World;

async fn verify(app: &TestApp, w: &World) -> Value {
    json_of(
        app.get("/api/v1/admin/audit/verify", &w.admin.token).await,
        StatusCode::OK,
    )
    .await
}

/// A world with a few comments decided: some rows in the log.
async fn worked(app: &TestApp) -> World {
    let w = app.world().await;
    for n in 0..3 {
        let id = app
            .comment_id(&w.employee, w.doc, &format!("Góp ý số {n}"))
            .await;
        app.decide(&w.moderator, id, json!({ "action": "approve" }))
            .await;
    }
    w
}

#[tokio::test]
async fn the_log_of_ordinary_work_is_one_intact_chain() {
    let app = spawn_app().await;
    let w = worked(&app).await;
    let v = verify(&app, &w).await;
    assert!(
        v["intact"] == true && v["checked"].as_u64() > Some(10) && v["first_problem"].is_null(),
        "{v}"
    );
}

#[tokio::test]
async fn a_row_edited_in_the_database_is_named_as_altered() {
    let app = spawn_app().await;
    let w = worked(&app).await;
    app.sql("UPDATE audit_log SET detail = '{}' WHERE id = 5")
        .await;
    let v = verify(&app, &w).await;
    assert_eq!(
        (&v["intact"], &v["first_problem"]),
        (&json!(false), &json!({ "id": 5, "fault": "altered" })),
        "{v}"
    );
}

#[tokio::test]
async fn a_deleted_row_breaks_the_link_of_the_row_after_it() {
    let app = spawn_app().await;
    let w = worked(&app).await;
    app.sql("DELETE FROM audit_log WHERE id = 5").await;
    let v = verify(&app, &w).await;
    assert_eq!(
        v["first_problem"],
        json!({ "id": 6, "fault": "broken_link" }),
        "{v}"
    );
}

#[tokio::test]
async fn a_row_added_by_hand_is_not_in_the_chain() {
    let app = spawn_app().await;
    let w = worked(&app).await;
    app.sql(
        "INSERT INTO audit_log (action, entity, created_at) \
         VALUES ('comment.moderate', 'comment', '2026-11-26 08:00:00')",
    )
    .await;
    let v = verify(&app, &w).await;
    assert_eq!(v["first_problem"]["fault"], "unsealed", "{v}");
}

#[tokio::test]
async fn the_cli_exits_non_zero_and_names_the_altered_row() {
    let app = spawn_app().await;
    let _w = worked(&app).await;
    app.sql("UPDATE audit_log SET ip = '10.0.0.66' WHERE id = 7")
        .await;
    let dir = tempfile::tempdir().expect("dir");
    let out = gopy(&app._db, dir.path())
        .args(["audit", "verify"])
        .output()
        .expect("gopy runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.code() == Some(1) && stdout.contains("row 7 was altered"),
        "{stdout}"
    );
}

#[tokio::test]
async fn many_writers_at_once_still_make_one_chain() {
    let app = spawn_app().await;
    let w = app.world().await;
    // Comments (the group-committing writer), decisions and sign-ins, all at the same time.
    let mut tasks = Vec::new();
    for n in 0..24 {
        let (app, w) = (&app, &w);
        tasks.push(async move {
            let id = app
                .comment_id(&w.employee, w.doc, &format!("Góp ý đồng thời {n}"))
                .await;
            app.decide(&w.moderator, id, json!({ "action": "approve" }))
                .await;
        });
    }
    let sign_ins = [&w.admin, &w.moderator, &w.secretariat]
        .map(|u| app.login(&u.email, crate::helpers::PASSWORD));
    futures_util::future::join(
        futures_util::future::join_all(tasks),
        futures_util::future::join_all(sign_ins),
    )
    .await;
    let v = verify(&app, &w).await;
    assert!(
        v["intact"] == true && v["checked"].as_u64() > Some(24 * 2 + 3),
        "{v}"
    );
}
