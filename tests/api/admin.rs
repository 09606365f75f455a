//! Admins change units and accounts; every change is audited.

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{json_of, problem, spawn_app, PASSWORD};

#[tokio::test]
async fn units_are_renamed_moved_without_cycles_and_deactivated() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let so = app.unit(&admin, "Sở Nội vụ", None).await;
    let phong = app.unit(&admin, "Phòng Tổ chức", Some(so)).await;
    let to = app.unit(&admin, "Tổ Biên chế", Some(phong)).await;
    let other = app.unit(&admin, "Văn phòng", Some(so)).await;

    let renamed = json_of(
        app.request(
            Method::PATCH,
            &format!("/api/v1/units/{phong}"),
            Some(&admin.token),
            Some(&json!({ "name": "Phòng Tổ chức - Biên chế" })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["name"], "Phòng Tổ chức - Biên chế");
    // Under itself or its own descendant: a cycle.
    for parent in [phong, to] {
        let res = app
            .request(
                Method::PATCH,
                &format!("/api/v1/units/{phong}"),
                Some(&admin.token),
                Some(&json!({ "parent_id": parent })),
            )
            .await;
        problem(res, StatusCode::CONFLICT, "unit_cycle").await;
    }
    let res = app
        .request(
            Method::PATCH,
            &format!("/api/v1/units/{to}"),
            Some(&admin.token),
            Some(&json!({ "name": "Văn phòng", "parent_id": so })),
        )
        .await;
    problem(res, StatusCode::CONFLICT, "unit_exists").await;
    let moved = json_of(
        app.request(
            Method::PATCH,
            &format!("/api/v1/units/{to}"),
            Some(&admin.token),
            Some(&json!({ "parent_id": other })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["parent_id"], other);
    let top = json_of(
        app.request(
            Method::PATCH,
            &format!("/api/v1/units/{to}"),
            Some(&admin.token),
            Some(&json!({ "parent_id": null, "active": false })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(top["parent_id"].is_null());
    assert_eq!(top["active"], false);
    let res = app
        .request(
            Method::PATCH,
            "/api/v1/units/99999",
            Some(&admin.token),
            Some(&json!({ "name": "X" })),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = app
        .request(
            Method::PATCH,
            &format!("/api/v1/units/{to}"),
            Some(&admin.token),
            Some(&json!({ "name": "" })),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    let audit = json_of(
        app.get(
            &format!("/api/v1/admin/audit?entity=unit&entity_id={to}"),
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["unit.update", "unit.update", "unit.create"]);
    assert_eq!(audit["items"][0]["detail"]["to"]["active"], false);
}

#[tokio::test]
async fn roles_units_and_deactivation_take_effect_at_once() {
    let app = spawn_app().await;
    let admin = app.user("Quản Trị", &[Role::Admin], None).await;
    let unit = app.unit(&admin, "Thanh tra Sở", None).await;
    let user = app.user("Cao Thị Hằng", &[Role::Employee], None).await;
    let path = format!("/api/v1/users/{}", user.id);

    problem(
        app.get("/api/v1/moderation/queue", &user.token).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let changed = json_of(
        app.request(Method::PATCH, &path, Some(&admin.token), Some(&json!({ "roles": ["moderator", "employee"], "unit_id": unit, "full_name": "Cao Thị Thu Hằng", "locale": "en" }))).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["roles"], json!(["employee", "moderator"]));
    assert_eq!(changed["unit_name"], "Thanh tra Sở");
    // Mail now comes in English.
    app.request(
        Method::POST,
        "/api/v1/auth/password-reset",
        None,
        Some(&json!({ "email": user.email })),
    )
    .await;
    let mail = app.mail_to(&user.email, 0).await;
    assert_eq!(mail.subject, "Reset your gopy password");
    assert!(mail.text.starts_with("Hello Cao Thị Thu Hằng,"));
    // The same session now has the new role.
    assert_eq!(
        app.get("/api/v1/moderation/queue", &user.token)
            .await
            .status(),
        StatusCode::OK
    );
    let cleared = json_of(
        app.request(
            Method::PATCH,
            &path,
            Some(&admin.token),
            Some(&json!({ "unit_id": null })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(cleared["unit_id"].is_null());
    assert_eq!(cleared["full_name"], "Cao Thị Thu Hằng");

    for bad in [
        json!({ "roles": [] }),
        json!({ "locale": "fr" }),
        json!({ "unit_id": 9999 }),
        json!({ "password": "x" }),
    ] {
        let res = app
            .request(Method::PATCH, &path, Some(&admin.token), Some(&bad))
            .await;
        problem(res, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    }

    // Deactivation ends the sessions and blocks sign-in; reactivation allows it again.
    let res = app
        .request(
            Method::PATCH,
            &path,
            Some(&admin.token),
            Some(&json!({ "active": false })),
        )
        .await;
    assert_eq!(json_of(res, StatusCode::OK).await["active"], false);
    problem(
        app.get("/api/v1/me", &user.token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({ "email": user.email, "password": PASSWORD })),
        )
        .await;
    problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    app.request(
        Method::PATCH,
        &path,
        Some(&admin.token),
        Some(&json!({ "active": true })),
    )
    .await;
    let fresh = app.login(&user.email, PASSWORD).await;

    // Admins cannot lock themselves out.
    let me = format!("/api/v1/users/{}", admin.id);
    for body in [json!({ "active": false }), json!({ "roles": ["employee"] })] {
        let res = app
            .request(Method::PATCH, &me, Some(&admin.token), Some(&body))
            .await;
        problem(res, StatusCode::CONFLICT, "cannot_change_own_access").await;
    }
    problem(
        app.request(
            Method::PATCH,
            &path,
            Some(&fresh),
            Some(&json!({ "roles": ["admin"] })),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let audit = json_of(
        app.get(
            &format!("/api/v1/admin/audit?entity=user&entity_id={}", user.id),
            &admin.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "user.roles_changed",
        "user.updated",
        "user.deactivated",
        "user.reactivated",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let roles_event = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "user.roles_changed")
        .unwrap();
    assert_eq!(
        roles_event["detail"],
        json!({ "from": ["employee"], "to": ["employee", "moderator"] })
    );
    assert_eq!(roles_event["actor_id"], admin.id);
}
