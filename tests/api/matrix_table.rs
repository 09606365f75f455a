//! The rows of the authorization matrix and the world they act on.

use gopy::accounts::types::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};

#[derive(Clone, Copy, Debug)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// Only these roles.
    Roles(&'static [Role]),
}

pub struct Row {
    pub method: Method,
    pub template: &'static str,
    pub path: String,
    pub access: Access,
    /// Status for a caller who is allowed.
    pub ok: u16,
    pub body: Option<Value>,
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

pub const CALLERS: [Option<Role>; 5] = [
    None,
    Some(Role::Employee),
    Some(Role::Moderator),
    Some(Role::Secretariat),
    Some(Role::Admin),
];

pub struct World {
    pub users: Vec<(Role, TestUser)>,
    pub other_employee: TestUser,
    pub victim: TestUser,
    pub unit: i64,
    pub published: i64,
    pub section: i64,
    pub draft: i64,
    pub to_close: i64,
    /// Closed, to be archived.
    pub closed: i64,
    pub approved_comment: i64,
    pub pending_comment: i64,
    /// Flagged by a moderator: the secretariat's to decide.
    pub flagged_comment: i64,
    /// Two copies of one comment: a near-duplicate cluster (its id).
    pub cluster: i64,
    pub own_comment: i64,
    pub others_comment: i64,
    pub round: i64,
}

pub async fn world(app: &TestApp) -> World {
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
    // A draft of version 2 of the published document, and a round of the draft one.
    app.section(
        secretariat,
        published,
        json!({ "label": "Điều 3", "body": "Mới" }),
    )
    .await;
    let in_days = |d: i64| (chrono::Utc::now() + chrono::TimeDelta::days(d)).to_rfc3339();
    let round = app
        .round(
            secretariat,
            draft,
            json!({ "opens_at": in_days(10), "closes_at": in_days(11) }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let c = |v: Value| v["id"].as_i64().unwrap();
    let approved_comment = c(app
        .comment(&other_employee, published, json!({ "body": "Đã duyệt" }))
        .await);
    app.decide(moderator, approved_comment, json!({ "action": "approve" }))
        .await;
    let response = app
        .call(
            Method::PUT,
            &format!("/api/v1/comments/{approved_comment}/response"),
        )
        .auth(&secretariat.token)
        .json(&json!({ "decision": "noted" }))
        .send()
        .await;
    assert_eq!(response.status().as_u16(), 200, "response recorded");
    let (closed, _) = app.published_document(secretariat).await;
    app.close(secretariat, closed).await;
    let pending_comment = c(app
        .comment(&other_employee, published, json!({ "body": "Chờ duyệt" }))
        .await);
    let flagged_comment = c(app
        .comment(
            &other_employee,
            published,
            json!({ "body": "Cần Thư ký xem" }),
        )
        .await);
    app.decide(moderator, flagged_comment, json!({ "action": "flag" }))
        .await;
    let copy = json!({ "body": "Đề nghị bổ sung thời hạn trả lời ý kiến của người góp ý." });
    let cluster = c(app.comment(&other_employee, published, copy.clone()).await);
    let second = app.comment(&other_employee, published, copy).await;
    assert_eq!(second["cluster_id"], json!(cluster), "{second}");
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
        closed,
        approved_comment,
        pending_comment,
        flagged_comment,
        cluster,
        own_comment,
        others_comment,
        round,
    }
}

pub fn rows(w: &World, others_session: i64) -> Vec<Row> {
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
            "/api/v1/search",
            "/api/v1/search?q=du%20thao".into(),
            SignedIn,
            200,
            None,
        ),
        row(
            M::PATCH,
            "/api/v1/me",
            "/api/v1/me".into(),
            SignedIn,
            200,
            Some(json!({ "moderation_digest": true })),
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
            "/api/v1/admin/audit/verify",
            "/api/v1/admin/audit/verify".into(),
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
            "/api/v1/documents/{id}/import",
            format!("/api/v1/documents/{d}/import?dry_run=true"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/versions",
            format!("/api/v1/documents/{p}/versions"),
            SignedIn,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/versions/{n}/publish",
            format!("/api/v1/documents/{p}/versions/2/publish"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/diff",
            format!("/api/v1/documents/{p}/diff?from=1&to=1"),
            SignedIn,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/rounds",
            format!("/api/v1/documents/{d}/rounds"),
            SECRETARIAT,
            201,
            Some(json!({
                "opens_at": (chrono::Utc::now() + chrono::TimeDelta::days(20)).to_rfc3339(),
                "closes_at": (chrono::Utc::now() + chrono::TimeDelta::days(21)).to_rfc3339(),
            })),
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/rounds",
            format!("/api/v1/documents/{p}/rounds"),
            SignedIn,
            200,
            None,
        ),
        row(
            M::PATCH,
            "/api/v1/documents/{id}/rounds/{round_id}",
            format!("/api/v1/documents/{d}/rounds/{}", w.round),
            SECRETARIAT,
            200,
            Some(json!({ "title": "Đợt lấy ý kiến rộng rãi" })),
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
            "/api/v1/documents/{id}/stats",
            format!("/api/v1/documents/{p}/stats?group_by=unit,status"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/rollup",
            format!("/api/v1/documents/{p}/rollup"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/rollup",
            format!("/api/v1/documents/{p}/rollup?from_unit=S%E1%BB%9F"),
            SECRETARIAT,
            422,
            Some(json!({})),
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/report.docx",
            format!("/api/v1/documents/{p}/report.docx"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::PUT,
            "/api/v1/comments/{id}/response",
            format!("/api/v1/comments/{}/response", w.approved_comment),
            SECRETARIAT,
            200,
            Some(json!({ "decision": "accepted" })),
        ),
        row(
            M::GET,
            "/api/v1/comments/{id}/response",
            format!("/api/v1/comments/{}/response", w.approved_comment),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/responses",
            format!("/api/v1/documents/{p}/responses"),
            SECRETARIAT,
            200,
            Some(json!({ "comment_ids": [w.approved_comment], "decision": "noted" })),
        ),
        row(
            M::GET,
            "/api/v1/documents/{id}/responses",
            format!("/api/v1/documents/{p}/responses"),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/documents/{id}/archive",
            format!("/api/v1/documents/{}/archive", w.closed),
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
            M::PATCH,
            "/api/v1/comments/{id}",
            format!("/api/v1/comments/{}", w.own_comment),
            EMPLOYEE,
            200,
            Some(json!({ "body": "Của tôi, sửa lại" })),
        ),
        row(
            M::POST,
            "/api/v1/comments/{id}/withdraw",
            format!("/api/v1/comments/{}/withdraw", w.own_comment),
            EMPLOYEE,
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
        row(
            M::GET,
            "/api/v1/moderation/clusters",
            "/api/v1/moderation/clusters".into(),
            MODERATOR,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/moderation/clusters/{id}/decision",
            format!("/api/v1/moderation/clusters/{}/decision", w.cluster),
            MODERATOR,
            200,
            Some(json!({ "action": "flag" })),
        ),
        row(
            M::GET,
            "/api/v1/moderation/proposals",
            "/api/v1/moderation/proposals".into(),
            MODERATOR,
            200,
            None,
        ),
        row(
            M::GET,
            "/api/v1/moderation/escalated",
            "/api/v1/moderation/escalated".into(),
            SECRETARIAT,
            200,
            None,
        ),
        row(
            M::POST,
            "/api/v1/moderation/escalated/{id}/decision",
            format!(
                "/api/v1/moderation/escalated/{}/decision",
                w.flagged_comment
            ),
            SECRETARIAT,
            200,
            Some(json!({ "action": "approve" })),
        ),
        // After the decisions above: a claim takes the oldest comment still queued.
        row(
            M::POST,
            "/api/v1/moderation/claims",
            "/api/v1/moderation/claims".into(),
            MODERATOR,
            200,
            Some(json!({ "limit": 1 })),
        ),
        row(
            M::GET,
            "/api/v1/admin/screening/terms",
            "/api/v1/admin/screening/terms".into(),
            ADMIN,
            200,
            None,
        ),
        row(
            M::PUT,
            "/api/v1/admin/screening/terms",
            "/api/v1/admin/screening/terms".into(),
            ADMIN,
            200,
            Some(json!({ "terms": ["đm"] })),
        ),
        row(
            M::GET,
            "/api/v1/moderation/reasons",
            "/api/v1/moderation/reasons".into(),
            MODERATOR,
            200,
            None,
        ),
        row(
            M::DELETE,
            "/api/v1/moderation/claims",
            "/api/v1/moderation/claims".into(),
            MODERATOR,
            200,
            None,
        ),
    ]
}
