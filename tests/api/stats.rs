//! Statistics: counts per dimension, participation per unit over its subtree.

use gopy::identity::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp};
use crate::world::World;

async fn stats(app: &TestApp, w: &World, query: &str) -> Value {
    json_of(
        app.get(
            &format!("/api/v1/documents/{}/stats?{query}", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

fn row<'a>(rows: &'a Value, key: &str, value: &Value) -> &'a Value {
    rows["rows"]
        .as_array()
        .and_then(|r| r.iter().find(|r| &r[key] == value))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_parent_unit_counts_the_staff_and_people_of_its_subtree() {
    let app = spawn_app().await;
    let w = app.world().await;
    let parent = app.unit(&w.admin, "Sở Nội vụ", None).await;
    let child = app.unit(&w.admin, "Phòng Công chức", Some(parent)).await;
    let a = app.user("Lê Văn An", &[Role::Employee], Some(child)).await;
    app.user("Lê Thị Bình", &[Role::Employee], Some(parent))
        .await;
    app.comment_id(&a, w.doc, "Đề nghị làm rõ điều 1").await;
    let s = stats(&app, &w, "group_by=unit").await;
    let p = row(&s, "unit_id", &json!(parent));
    assert_eq!(
        (
            &p["comments"],
            &p["people"],
            &p["staff"],
            &p["participation"]
        ),
        (&json!(1), &json!(1), &json!(2), &json!(50.0)),
        "{s}"
    );
}

#[tokio::test]
async fn a_unit_nobody_commented_from_is_listed_with_zero() {
    let app = spawn_app().await;
    let w = app.world().await;
    let s = stats(&app, &w, "group_by=unit").await;
    let u = row(&s, "unit_id", &json!(w.unit));
    assert_eq!(
        (&u["comments"], &u["staff"], &u["participation"]),
        (&json!(0), &json!(1), &json!(0.0)),
        "{s}"
    );
}

#[tokio::test]
async fn counts_by_status_leave_out_withdrawn_comments() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment_id(&w.employee, w.doc, "Ý kiến thứ nhất về dự thảo")
        .await;
    let gone = app
        .comment_id(&w.employee, w.doc, "Ý kiến rút lại sau đó")
        .await;
    let res = app
        .post(
            &format!("/api/v1/comments/{gone}/withdraw"),
            &w.employee.token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "withdrawn");
    let s = stats(&app, &w, "group_by=status").await;
    assert_eq!(
        s["rows"],
        json!([{
            "section_id": null, "section_path": null, "unit_id": null, "unit_name": null,
            "round": null, "status": "pending", "decision": null, "comments": 1,
            "collective": 0, "people": 1, "staff": null, "participation": null
        }]),
        "{s}"
    );
}

#[tokio::test]
async fn grouped_by_section_every_group_is_named_by_its_path() {
    let app = spawn_app().await;
    let w = app.world().await;
    app.comment(
        &w.employee,
        w.doc,
        json!({ "body": "Về điều 2", "section_id": w.sections[1] }),
    )
    .await;
    app.comment_id(&w.employee, w.doc, "Về cả dự thảo").await;
    let s = stats(&app, &w, "group_by=section,decision").await;
    let paths: Vec<&Value> = s["rows"]
        .as_array()
        .map(|r| r.iter().map(|r| &r["section_path"]).collect())
        .unwrap_or_default();
    assert_eq!(paths, [&json!("Toàn bộ dự thảo"), &json!("Điều 2")], "{s}");
}

#[tokio::test]
async fn an_unknown_dimension_is_a_field_error() {
    let app = spawn_app().await;
    let w = app.world().await;
    let p = problem(
        app.get(
            &format!("/api/v1/documents/{}/stats?group_by=unit,colour", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"]["group_by"].is_array(), "{p}");
}
