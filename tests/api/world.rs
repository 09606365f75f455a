//! The world most tests start from — a unit, one account per role, a published draft with
//! two sections — and shortcuts for the steps tests repeat. Every step checks its answer.

use gopy::accounts::types::Role;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{json_of, TestApp, TestUser};

pub struct World {
    pub unit: i64,
    pub admin: TestUser,
    pub secretariat: TestUser,
    /// A moderator who is also an employee (so can comment too).
    pub moderator: TestUser,
    /// An employee of `unit`.
    pub employee: TestUser,
    pub other_employee: TestUser,
    /// Published, with `sections` (Điều 1, Điều 2).
    pub doc: i64,
    pub sections: Vec<i64>,
}

impl TestApp {
    pub async fn world(&self) -> World {
        let admin = self.user("Quản Trị Viên", &[Role::Admin], None).await;
        let unit = self.unit(&admin, "Phòng Tổ chức cán bộ", None).await;
        let secretariat = self.user("Trần Thư Ký", &[Role::Secretariat], None).await;
        let moderator = self
            .user("Lý Văn Kiểm", &[Role::Moderator, Role::Employee], None)
            .await;
        let employee = self
            .user("Ngô Thị Mai", &[Role::Employee], Some(unit))
            .await;
        let other_employee = self.user("Phạm Văn Khác", &[Role::Employee], None).await;
        let (doc, sections) = self.published_document(&secretariat).await;
        World {
            unit,
            admin,
            secretariat,
            moderator,
            employee,
            other_employee,
            doc,
            sections,
        }
    }

    pub async fn unit(&self, admin: &TestUser, name: &str, parent: Option<i64>) -> i64 {
        let res = self
            .post(
                "/api/v1/units",
                &admin.token,
                &json!({ "name": name, "parent_id": parent }),
            )
            .await;
        json_of(res, StatusCode::CREATED).await["id"]
            .as_i64()
            .expect("id")
    }

    /// A published document with two sections; returns (document id, [section ids]).
    pub async fn published_document(&self, secretariat: &TestUser) -> (i64, Vec<i64>) {
        let doc = self
            .document(
                secretariat,
                json!({ "title": "Dự thảo Luật Cán bộ, công chức (sửa đổi)" }),
            )
            .await;
        let s1 = self
            .section(secretariat, doc, json!({ "label": "Điều 1", "heading": "Phạm vi điều chỉnh", "body": "Luật này quy định về cán bộ, công chức." }))
            .await;
        let s2 = self
            .section(secretariat, doc, json!({ "label": "Điều 2", "heading": "Đối tượng áp dụng", "body": "Cán bộ, công chức và cơ quan, tổ chức có liên quan." }))
            .await;
        self.publish(secretariat, doc).await;
        (doc, vec![s1, s2])
    }

    pub async fn publish(&self, secretariat: &TestUser, doc: i64) {
        let res = self
            .post(
                &format!("/api/v1/documents/{doc}/publish"),
                &secretariat.token,
                &json!({}),
            )
            .await;
        let body = json_of(res, StatusCode::OK).await;
        assert_eq!(body["status"], "published");
    }

    pub async fn close(&self, secretariat: &TestUser, doc: i64) {
        let res = self
            .post(
                &format!("/api/v1/documents/{doc}/close"),
                &secretariat.token,
                &json!({}),
            )
            .await;
        let body = json_of(res, StatusCode::OK).await;
        assert_eq!(body["status"], "closed");
    }

    pub async fn document(&self, secretariat: &TestUser, body: Value) -> i64 {
        let res = self
            .post("/api/v1/documents", &secretariat.token, &body)
            .await;
        json_of(res, StatusCode::CREATED).await["id"]
            .as_i64()
            .expect("id")
    }

    pub async fn section(&self, secretariat: &TestUser, doc: i64, body: Value) -> i64 {
        let res = self
            .post(
                &format!("/api/v1/documents/{doc}/sections"),
                &secretariat.token,
                &body,
            )
            .await;
        json_of(res, StatusCode::CREATED).await["id"]
            .as_i64()
            .expect("id")
    }

    /// Schedule a round of a document's consultation; it must be created (201).
    pub async fn round(&self, secretariat: &TestUser, doc: i64, body: Value) -> Value {
        let res = self
            .post(
                &format!("/api/v1/documents/{doc}/rounds"),
                &secretariat.token,
                &body,
            )
            .await;
        json_of(res, StatusCode::CREATED).await
    }

    /// Submit a comment; it must be received (201).
    pub async fn comment(&self, employee: &TestUser, doc: i64, body: Value) -> Value {
        let res = self
            .post(
                &format!("/api/v1/documents/{doc}/comments"),
                &employee.token,
                &body,
            )
            .await;
        json_of(res, StatusCode::CREATED).await
    }

    /// The id of a new comment with this body on the whole draft.
    pub async fn comment_id(&self, employee: &TestUser, doc: i64, body: &str) -> i64 {
        self.comment(employee, doc, json!({ "body": body })).await["id"]
            .as_i64()
            .expect("id")
    }

    pub async fn moderate(&self, moderator: &TestUser, comment: i64, body: &Value) -> Response {
        self.post(
            &format!("/api/v1/comments/{comment}/moderation"),
            &moderator.token,
            body,
        )
        .await
    }

    /// Decide a comment; the decision must be taken (200).
    pub async fn decide(&self, moderator: &TestUser, comment: i64, body: Value) -> Value {
        json_of(
            self.moderate(moderator, comment, &body).await,
            StatusCode::OK,
        )
        .await
    }
}
