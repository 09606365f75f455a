//! Admins change units and accounts; every change is audited and applies at once.

use gopy::accounts::types::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, problem, spawn_app, TestApp, TestUser, PASSWORD};

async fn patch(app: &TestApp, admin: &TestUser, path: &str, body: Value) -> Response {
    app.call(Method::PATCH, path)
        .auth(&admin.token)
        .json(&body)
        .send()
        .await
}

/// Sở Nội vụ › Phòng Tổ chức › Tổ Biên chế, and Sở Nội vụ › Văn phòng.
async fn tree(app: &TestApp, admin: &TestUser) -> (i64, i64, i64, i64) {
    let so = app.unit(admin, "Sở Nội vụ", None).await;
    let phong = app.unit(admin, "Phòng Tổ chức", Some(so)).await;
    let to = app.unit(admin, "Tổ Biên chế", Some(phong)).await;
    let other = app.unit(admin, "Văn phòng", Some(so)).await;
    (so, phong, to, other)
}

fn actions(audit: &Value) -> Vec<&str> {
    audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect()
}

#[tokio::test]
async fn a_unit_is_renamed() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (_, phong, _, _) = tree(&app, &admin).await;
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/units/{phong}"),
        json!({ "name": "Phòng Tổ chức - Biên chế" }),
    )
    .await;
    assert_eq!(
        json_of(res, StatusCode::OK).await["name"],
        "Phòng Tổ chức - Biên chế"
    );
}

#[tokio::test]
async fn a_unit_never_moves_under_itself_or_its_own_sub_units() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (_, phong, to, _) = tree(&app, &admin).await;
    for parent in [phong, to] {
        let res = patch(
            &app,
            &admin,
            &format!("/api/v1/units/{phong}"),
            json!({ "parent_id": parent }),
        )
        .await;
        problem(res, StatusCode::CONFLICT, "unit_cycle").await;
    }
}

#[tokio::test]
async fn a_unit_cannot_move_beside_a_sibling_of_the_same_name() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (so, _, to, _) = tree(&app, &admin).await;
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/units/{to}"),
        json!({ "name": "Văn phòng", "parent_id": so }),
    )
    .await;
    problem(res, StatusCode::CONFLICT, "unit_exists").await;
}

#[tokio::test]
async fn a_unit_moves_to_the_top_and_is_deactivated() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (_, _, to, other) = tree(&app, &admin).await;
    let moved = json_of(
        patch(
            &app,
            &admin,
            &format!("/api/v1/units/{to}"),
            json!({ "parent_id": other }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["parent_id"], other);
    let top = patch(
        &app,
        &admin,
        &format!("/api/v1/units/{to}"),
        json!({ "parent_id": null, "active": false }),
    )
    .await;
    let top = json_of(top, StatusCode::OK).await;
    assert!(top["parent_id"].is_null());
    assert_eq!(top["active"], false);
}

#[tokio::test]
async fn an_unknown_unit_is_404_and_a_blank_name_422() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (_, _, to, _) = tree(&app, &admin).await;
    problem(
        patch(&app, &admin, "/api/v1/units/99999", json!({ "name": "X" })).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let res = patch(
        &app,
        &admin,
        &format!("/api/v1/units/{to}"),
        json!({ "name": "" }),
    )
    .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}

#[tokio::test]
async fn unit_changes_are_audited_newest_first() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let (_, _, to, other) = tree(&app, &admin).await;
    json_of(
        patch(
            &app,
            &admin,
            &format!("/api/v1/units/{to}"),
            json!({ "parent_id": other }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        patch(
            &app,
            &admin,
            &format!("/api/v1/units/{to}"),
            json!({ "active": false }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let audit = json_of(
        app.get(
            &format!("/api/v1/admin/audit?entity=unit&entity_id={to}"),
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        actions(&audit),
        ["unit.update", "unit.update", "unit.create"]
    );
    assert_eq!(audit["items"][0]["detail"]["to"]["active"], false);
}

#[tokio::test]
async fn new_roles_apply_to_a_session_at_once() {
    let app = spawn_app().await;
    let w = app.world().await;
    let queue = "/api/v1/moderation/queue";
    problem(
        app.get(queue, &w.employee.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    let changed = json_of(
        patch(
            &app,
            &w.admin,
            &path,
            json!({ "roles": ["moderator", "employee"] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["roles"], json!(["employee", "moderator"]));
    assert_eq!(
        app.get(queue, &w.employee.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn name_and_unit_change_and_the_unit_can_be_cleared() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.other_employee.id);
    let changed = patch(
        &app,
        &w.admin,
        &path,
        json!({ "unit_id": w.unit, "full_name": "Phạm Văn Khác Hẳn" }),
    )
    .await;
    let changed = json_of(changed, StatusCode::OK).await;
    assert_eq!(changed["unit_name"], "Phòng Tổ chức cán bộ");
    let cleared = json_of(
        patch(&app, &w.admin, &path, json!({ "unit_id": null })).await,
        StatusCode::OK,
    )
    .await;
    assert!(cleared["unit_id"].is_null());
    assert_eq!(cleared["full_name"], "Phạm Văn Khác Hẳn");
}

#[tokio::test]
async fn mail_comes_in_the_language_an_admin_sets() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    json_of(
        patch(&app, &w.admin, &path, json!({ "locale": "en" })).await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .call(Method::POST, "/api/v1/auth/password-reset")
        .json(&json!({ "email": w.employee.email }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let mail = app.mail_to(&w.employee.email, 0).await;
    assert_eq!(mail.subject, "Reset your gopy password");
    assert!(mail.text.starts_with("Hello Ngô Thị Mai,"), "{}", mail.text);
}

#[tokio::test]
async fn a_bad_change_to_an_account_is_422() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    for bad in [
        json!({ "roles": [] }),
        json!({ "locale": "fr" }),
        json!({ "unit_id": 9999 }),
        json!({ "password": "x" }),
    ] {
        problem(
            patch(&app, &w.admin, &path, bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
}

#[tokio::test]
async fn deactivation_ends_sessions_and_blocks_sign_in() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    let res = patch(&app, &w.admin, &path, json!({ "active": false })).await;
    assert_eq!(json_of(res, StatusCode::OK).await["active"], false);
    problem(
        app.get("/api/v1/me", &w.employee.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let res = app
        .call(Method::POST, "/api/v1/auth/login")
        .json(&json!({ "email": w.employee.email, "password": PASSWORD }))
        .send()
        .await;
    problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn reactivation_allows_sign_in_again() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    json_of(
        patch(&app, &w.admin, &path, json!({ "active": false })).await,
        StatusCode::OK,
    )
    .await;
    json_of(
        patch(&app, &w.admin, &path, json!({ "active": true })).await,
        StatusCode::OK,
    )
    .await;
    app.login(&w.employee.email, PASSWORD).await;
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let w = app.world().await;
    let me = format!("/api/v1/users/{}", w.admin.id);
    for body in [json!({ "active": false }), json!({ "roles": ["employee"] })] {
        problem(
            patch(&app, &w.admin, &me, body).await,
            StatusCode::CONFLICT,
            "cannot_change_own_access",
        )
        .await;
    }
}

#[tokio::test]
async fn nobody_but_an_admin_changes_an_account() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    let res = patch(&app, &w.employee, &path, json!({ "roles": ["admin"] })).await;
    problem(res, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn account_changes_are_audited_with_who_and_what() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/api/v1/users/{}", w.employee.id);
    json_of(
        patch(
            &app,
            &w.admin,
            &path,
            json!({ "roles": ["moderator", "employee"], "full_name": "Ngô Thị Mai Anh" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        patch(&app, &w.admin, &path, json!({ "active": false })).await,
        StatusCode::OK,
    )
    .await;
    json_of(
        patch(&app, &w.admin, &path, json!({ "active": true })).await,
        StatusCode::OK,
    )
    .await;
    let audit = format!(
        "/api/v1/admin/audit?entity=user&entity_id={}",
        w.employee.id
    );
    let audit = json_of(app.get(&audit, &w.admin.token).await, StatusCode::OK).await;
    let seen = actions(&audit);
    for a in [
        "user.roles_changed",
        "user.updated",
        "user.deactivated",
        "user.reactivated",
    ] {
        assert!(seen.contains(&a), "{a} in {seen:?}");
    }
    let roles = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "user.roles_changed")
        .expect("roles event");
    assert_eq!(
        roles["detail"],
        json!({ "from": ["employee"], "to": ["employee", "moderator"] })
    );
    assert_eq!(roles["actor_id"], w.admin.id);
}
