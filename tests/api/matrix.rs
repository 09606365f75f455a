//! The authorization matrix: every operation in the OpenAPI document × anonymous and each
//! role (× own and someone else's object where ownership matters). A new operation without
//! a row here fails the test.

use std::collections::BTreeSet;

use gopy::accounts::types::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, spawn_app, TestApp, TestUser, PASSWORD};

#[derive(Clone, Copy, Debug)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// Only these roles.
    Roles(&'static [Role]),
}

struct Row {
    method: Method,
    template: &'static str,
    path: String,
    access: Access,
    /// Status for a caller who is allowed.
    ok: u16,
    body: Option<Value>,
}

fn row(
    method: Method,
    template: &'static str,
    path: String,
    access: Access,
    ok: u16,
    body: Option<Value>,
) -> Row {
    Row {
        method,
        template,
        path,
        access,
        ok,
        body,
    }
}

const CALLERS: [Option<Role>; 5] = [
    None,
    Some(Role::Employee),
    Some(Role::Moderator),
    Some(Role::Secretariat),
    Some(Role::Admin),
];

struct World {
    users: Vec<(Role, TestUser)>,
    other_employee: TestUser,
    victim: TestUser,
    unit: i64,
    published: i64,
    section: i64,
    draft: i64,
    to_close: i64,
    approved_comment: i64,
    pending_comment: i64,
    own_comment: i64,
    others_comment: i64,
}

async fn world(app: &TestApp) -> World {
    let mut users = Vec::new();
    for role in [
        Role::Employee,
        Role::Moderator,
        Role::Secretariat,
        Role::Admin,
    ] {
        users.push((
            role,
            app.user(&format!("Người {}", role.as_str()), &[role], None)
                .await,
        ));
    }
    let by = |r: Role| users.iter().find(|(x, _)| *x == r).map(|(_, u)| u).unwrap();
    let (employee, moderator, secretariat, admin) = (
        by(Role::Employee),
        by(Role::Moderator),
        by(Role::Secretariat),
        by(Role::Admin),
    );
    let other_employee = app.user("Người Khác", &[Role::Employee], None).await;
    let victim = app.user("Người Được Sửa", &[Role::Employee], None).await;
    let unit = app.unit(admin, "Phòng Ma Trận", None).await;
    let (published, sections) = app.published_document(secretariat).await;
    let (to_close, _) = app.published_document(secretariat).await;
    let draft = app
        .document(secretariat, json!({ "title": "Bản nháp" }))
        .await;
    let c = |v: Value| v["id"].as_i64().unwrap();
    let approved_comment = c(app
        .comment(&other_employee, published, json!({ "body": "Đã duyệt" }))
        .await);
    app.moderate(moderator, approved_comment, &json!({ "action": "approve" }))
        .await;
    let pending_comment = c(app
        .comment(&other_employee, published, json!({ "body": "Chờ duyệt" }))
        .await);
    let own_comment = c(app
        .comment(employee, published, json!({ "body": "Của tôi" }))
        .await);
    let others_comment = c(app
        .comment(
            &other_employee,
            published,
            json!({ "body": "Của người khác" }),
        )
        .await);
    World {
        users,
        other_employee,
        victim,
        unit,
        published,
        section: sections[0],
        draft,
        to_close,
        approved_comment,
        pending_comment,
        own_comment,
        others_comment,
    }
}

fn rows(w: &World, others_session: i64) -> Vec<Row> {
    use Access::*;
    use Method as M;
    const ADMIN: Access = Roles(&[Role::Admin]);
    const SECRETARIAT: Access = Roles(&[Role::Secretariat]);
    const MODERATOR: Access = Roles(&[Role::Moderator]);
    const EMPLOYEE: Access = Roles(&[Role::Employee]);
    let (d, p, s) = (w.draft, w.published, w.section);
    vec![
        row(M::GET, "/healthz", "/healthz".into(), Public, 200, None),
        row(M::GET, "/readyz", "/readyz".into(), Public, 200, None),
        row(
            M::POST,
            "/api/v1/auth/login",
            "/api/v1/auth/login".into(),
            Public,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/auth/activate",
            "/api/v1/auth/activate".into(),
            Public,
            422,
            Some(json!({ "token": "x", "password": "y" })),
        ),
        row(
            M::POST,
            "/api/v1/auth/password-reset",
            "/api/v1/auth/password-reset".into(),
            Public,
            202,
            Some(json!({ "email": "ai@do.vn" })),
        ),
        row(
            M::POST,
            "/api/v1/auth/password-reset/confirm",
            "/api/v1/auth/password-reset/confirm".into(),
            Public,
            422,
            Some(json!({ "token": "x", "password": "y" })),
        ),
        row(
            M::POST,
            "/api/v1/auth/logout",
            "/api/v1/auth/logout".into(),
            SignedIn,
            204,
            None,
        ),
        row(
            M::GET,
            "/api/v1/me",
            "/api/v1/me".into(),
            SignedIn,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/me/comments",
            "/api/v1/me/comments".into(),
            SignedIn,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/me/sessions",
            "/api/v1/me/sessions".into(),
            SignedIn,
            200,
            None,
        ),
        row(
            M::DELETE,
            "/api/v1/me/sessions",
            "/api/v1/me/sessions".into(),
            SignedIn,
            204,
            None,
        ),
        // Someone else's session is not found; one's own is ended (ownership rows below).
        row(
            M::DELETE,
            "/api/v1/me/sessions/{id}",
            format!("/api/v1/me/sessions/{others_session}"),
            SignedIn,
            404,
            None,
        ),
        row(
            M::POST,
            "/api/v1/me/password",
            "/api/v1/me/password".into(),
            SignedIn,
            422,
            Some(json!({ "current": "sai rồi", "new": "x" })),
        ),
        row(
            M::GET,
            "/api/v1/units",
            "/api/v1/units".into(),
            ADMIN,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/units",
            "/api/v1/units".into(),
            ADMIN,
            201,
            Some(json!({ "name": "Phòng mới", "parent_id": w.unit })),
        ),
        row(
            M::PATCH,
            "/api/v1/units/{id}",
            format!("/api/v1/units/{}", w.unit),
            ADMIN,
            200,
            Some(json!({ "name": "Phòng Ma Trận 2" })),
        ),
        row(
            M::GET,
            "/api/v1/users",
            "/api/v1/users".into(),
            ADMIN,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/users",
            "/api/v1/users".into(),
            ADMIN,
            201,
            Some(
                json!({ "email": "moi@so.gov.vn", "full_name": "Người Mới", "roles": ["employee"] }),
            ),
        ),
        row(
            M::PATCH,
            "/api/v1/users/{id}",
            format!("/api/v1/users/{}", w.victim.id),
            ADMIN,
            200,
            Some(json!({ "full_name": "Tên Mới" })),
        ),
        row(
            M::POST,
            "/api/v1/users/{id}/unlock",
            format!("/api/v1/users/{}/unlock", w.victim.id),
            ADMIN,
            204,
            None,
        ),
        row(
            M::GET,
            "/api/v1/admin/audit",
            "/api/v1/admin/audit".into(),
            ADMIN,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/admin/outbox",
            "/api/v1/admin/outbox".into(),
            ADMIN,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/admin/outbox/{id}/retry",
            "/api/v1/admin/outbox/999999/retry".into(),
            ADMIN,
            404,
            None,
        ),
        row(
            M::POST,
            "/api/v1/admin/roster",
            "/api/v1/admin/roster?dry_run=true".into(),
            ADMIN,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents",
            "/api/v1/documents".into(),
            SECRETARIAT,
            201,
            Some(json!({ "title": "Dự thảo mới" })),
        ),
        row(
            M::GET,
            "/api/v1/documents",
            "/api/v1/documents".into(),
            SignedIn,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}",
            format!("/api/v1/documents/{p}"),
            SignedIn,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/sections",
            format!("/api/v1/documents/{d}/sections"),
            SECRETARIAT,
            201,
            Some(json!({ "label": "Điều 1", "body": "…" })),
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/publish",
            format!("/api/v1/documents/{d}/publish"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/close",
            format!("/api/v1/documents/{}/close", w.to_close),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/comments",
            format!("/api/v1/documents/{p}/comments"),
            SignedIn,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/comments",
            format!("/api/v1/documents/{p}/comments"),
            EMPLOYEE,
            201,
            Some(json!({ "section_id": s, "body": "Góp ý" })),
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/feedback",
            format!("/api/v1/documents/{p}/feedback"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/summary",
            format!("/api/v1/documents/{p}/summary"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/comments/{id}",
            format!("/api/v1/comments/{}", w.approved_comment),
            SignedIn,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/moderation/queue",
            "/api/v1/moderation/queue".into(),
            MODERATOR,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/comments/{id}/moderation",
            format!("/api/v1/comments/{}/moderation", w.pending_comment),
            MODERATOR,
            200,
            Some(json!({ "action": "approve" })),
        ),
    ]
}

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
    csv: bool,
) -> u16 {
    let mut req = app.client.request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if csv {
        req = req
            .header("content-type", "text/csv")
            .body("email,full_name,unit_path,roles\nma.tran@so.vn,Ma Trận,Sở,employee\n");
    } else if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap().status().as_u16()
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
                r.template == "/api/v1/admin/roster",
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
            app.request(Method::DELETE, &path, Some(&employee.token), None)
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
