//! The authorization matrix: every operation in the OpenAPI document × anonymous and each
//! role (× own and someone else's object where ownership matters). A new operation without
//! a row here fails the test.

use std::collections::BTreeSet;

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, spawn_app, TestApp, PASSWORD};
use crate::matrix_table::{rows, world, Access, CALLERS};

fn allowed(access: Access, caller: Option<Role>) -> bool {
    match (access, caller) {
        (Access::Public, _) => true,
        (_, None) => false,
        (Access::SignedIn, Some(_)) => true,
        (Access::Roles(roles), Some(r)) => roles.contains(&r),
    }
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    raw: Option<(&'static str, &'static str)>,
) -> u16 {
    let mut call = app.call(method, path);
    if let Some(t) = token {
        call = call.auth(t);
    }
    if let Some((content_type, text)) = raw {
        call = call.body(content_type, text);
    } else if let Some(b) = body {
        call = call.json(b);
    }
    call.send().await.status().as_u16()
}

#[tokio::test]
async fn every_operation_admits_exactly_the_roles_it_should() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let others_session = {
        let t = app.login(&w.other_employee.email, PASSWORD).await;
        json_of(app.get("/api/v1/me/sessions", &t).await, StatusCode::OK).await["items"][0]["id"]
            .as_i64()
            .unwrap()
    };
    let table = rows(&w, others_session);

    // Every documented operation has a row, and every row is a documented operation.
    let spec: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let covered: BTreeSet<String> = table
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the authorization matrix: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for undocumented operations: {stale:?}"
    );

    let mut failures = Vec::new();
    for r in &table {
        for caller in CALLERS {
            // A fresh session per call: some operations end the session or change state.
            let user = caller.map(|role| &w.users.iter().find(|(x, _)| *x == role).unwrap().1);
            let token = match user {
                Some(u) => Some(app.login(&u.email, PASSWORD).await),
                None => None,
            };
            let body = if r.template == "/api/v1/auth/login" {
                let email = user.map_or(w.other_employee.email.clone(), |u| u.email.clone());
                Some(json!({ "email": email, "password": PASSWORD }))
            } else {
                r.body.clone()
            };
            let got = send(
                &app,
                r.method.clone(),
                &r.path,
                token.as_deref(),
                body.as_ref(),
                match r.template {
                    "/api/v1/admin/roster" => Some((
                        "text/csv",
                        "email,full_name,unit_path,roles\nma.tran@so.vn,Ma Trận,Sở,employee\n",
                    )),
                    "/api/v1/documents/{id}/import" => {
                        Some(("text/plain", "Điều 1. Phạm vi\nNội dung."))
                    }
                    _ => None,
                },
            )
            .await;
            let expected = if allowed(r.access, caller) {
                r.ok
            } else if caller.is_none() {
                401
            } else {
                403
            };
            if got != expected {
                failures.push(format!(
                    "{} {} as {:?}: expected {expected}, got {got}",
                    r.method, r.path, caller
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn own_objects_versus_someone_elses() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let employee = &w
        .users
        .iter()
        .find(|(r, _)| *r == Role::Employee)
        .unwrap()
        .1;
    // A pending comment: visible to its author, not found for another employee.
    assert_eq!(
        app.get(
            &format!("/api/v1/comments/{}", w.own_comment),
            &employee.token
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/comments/{}", w.others_comment),
            &employee.token
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // A session: one's own can be ended, someone else's is not found.
    let second = app.login(&employee.email, PASSWORD).await;
    let mine = json_of(
        app.get("/api/v1/me/sessions", &second).await,
        StatusCode::OK,
    )
    .await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let theirs = {
        let t = app.login(&w.other_employee.email, PASSWORD).await;
        json_of(app.get("/api/v1/me/sessions", &t).await, StatusCode::OK).await["items"][0]["id"]
            .as_i64()
            .unwrap()
    };
    for (id, status) in [
        (theirs, StatusCode::NOT_FOUND),
        (mine, StatusCode::NO_CONTENT),
    ] {
        let path = format!("/api/v1/me/sessions/{id}");
        assert_eq!(
            app.call(Method::DELETE, &path)
                .auth(&employee.token)
                .send()
                .await
                .status(),
            status
        );
    }
    // A moderator who also comments cannot decide on their own comment.
    let both = app
        .user(
            "Vừa Góp Ý Vừa Duyệt",
            &[Role::Employee, Role::Moderator],
            None,
        )
        .await;
    let own = app
        .comment(&both, w.published, json!({ "body": "Tự duyệt?" }))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.moderate(&both, own, &json!({ "action": "approve" }))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.moderate(&both, w.others_comment, &json!({ "action": "approve" }))
            .await
            .status(),
        StatusCode::OK
    );
}

/// The roles the document names for each operation are the roles the matrix admits.
#[tokio::test]
async fn the_document_states_the_roles_each_operation_admits() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let spec: Value = app
        .call(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .json()
        .await
        .expect("JSON");
    let mut wrong = Vec::new();
    for r in rows(&w, 0) {
        let op = &spec["paths"][r.template][r.method.as_str().to_lowercase()];
        let stated: Option<Vec<String>> = op["security"].as_array().map(|reqs| {
            reqs.iter()
                .flat_map(|req| req["bearer"].as_array().cloned().unwrap_or_default())
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        });
        let expected: Option<Vec<String>> = match r.access {
            Access::Public => None,
            Access::SignedIn => Some(Vec::new()),
            Access::Roles(roles) => Some(roles.iter().map(|r| r.as_str().to_owned()).collect()),
        };
        if stated != expected {
            wrong.push(format!(
                "{} {}: document {stated:?}, server {expected:?}",
                r.method, r.template
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
