//! Collective comments: a unit representative speaks for the unit; exports and the report
//! show it as the unit's opinion and count it apart.

use gopy::identity::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser};
use crate::world::World;

async fn representative(app: &TestApp, w: &World) -> TestUser {
    app.user(
        "Đỗ Văn Đại",
        &[Role::Employee, Role::UnitRepresentative],
        Some(w.unit),
    )
    .await
}

async fn collective(app: &TestApp, w: &World, who: &TestUser) -> reqwest::Response {
    app.post(
        &format!("/api/v1/documents/{}/comments", w.doc),
        &who.token,
        &json!({ "body": "Đơn vị thống nhất đề nghị rút ngắn thời hạn.", "on_behalf_of_unit": true }),
    )
    .await
}

#[tokio::test]
async fn a_representative_comments_for_the_unit() {
    let app = spawn_app().await;
    let w = app.world().await;
    let rep = representative(&app, &w).await;
    let c = json_of(collective(&app, &w, &rep).await, StatusCode::CREATED).await;
    assert_eq!(
        (&c["on_behalf_of_unit"], &c["unit_id"]),
        (&json!(true), &json!(w.unit)),
        "{c}"
    );
}

#[tokio::test]
async fn an_employee_without_the_role_may_not_speak_for_the_unit() {
    let app = spawn_app().await;
    let w = app.world().await;
    problem(
        collective(&app, &w, &w.employee).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_representative_without_a_unit_is_told_so() {
    let app = spawn_app().await;
    let w = app.world().await;
    let rep = app
        .user(
            "Vũ Không Đơn Vị",
            &[Role::Employee, Role::UnitRepresentative],
            None,
        )
        .await;
    let p = problem(
        collective(&app, &w, &rep).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(p["errors"]["on_behalf_of_unit"].is_array(), "{p}");
}

#[tokio::test]
async fn the_export_marks_it_as_the_units_opinion() {
    let app = spawn_app().await;
    let w = app.world().await;
    let rep = representative(&app, &w).await;
    let c = json_of(collective(&app, &w, &rep).await, StatusCode::CREATED).await;
    let id = c["id"].as_i64().expect("id");
    let d = app
        .decide(&w.moderator, id, json!({ "action": "approve" }))
        .await;
    assert_eq!(d["status"], "approved", "{d}");
    let export = json_of(
        app.get(
            &format!("/api/v1/documents/{}/feedback?format=json", w.doc),
            &w.secretariat.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        export["items"][0]["on_behalf_of_unit"],
        json!(true),
        "{export}"
    );
}
