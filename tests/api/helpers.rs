use std::sync::OnceLock;
use std::time::Duration;

use gopy::accounts::password::{hash_with, params};
use gopy::accounts::service::users;
use gopy::accounts::types::{Role, UserRecord};
use gopy::config::Settings;
use gopy::db::Pool;
use gopy::identity::RequestMeta;
use gopy::startup::Application;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

pub use crate::db::TestDb;

pub const PASSWORD: &str = "mật-khẩu-rất-dài-123";

pub struct TestUser {
    pub id: i64,
    pub email: String,
    pub token: String,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    pub settings: Settings,
    pub mail_dir: tempfile::TempDir,
    /// Dropped last: the database outlives the server's use of it.
    pub _db: TestDb,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Start gopy with settings adjusted by `tune` (lower thresholds, shorter timeouts …).
pub async fn spawn_app_with(tune: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::new();
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::built_in().expect("built-in settings");
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.database.url = db.url().to_owned();
    settings.database.pool_size = 4;
    settings.mail.dir = mail_dir.path().display().to_string();
    settings.mail.poll_interval_ms = 50;
    tune(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        pool,
        settings,
        mail_dir,
        _db: db,
    }
}

impl TestApp {
    /// The URL of this test's database, for a second "process" on it.
    pub fn db_url(&self) -> String {
        self._db.url().to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The one way tests make requests: `app.call(Method::POST, path).auth(t).json(&b).send()`.
    pub fn call(&self, method: Method, path: &str) -> Call {
        Call(self.client.request(method, self.url(path)))
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut call = self.call(method, path);
        if let Some(t) = token {
            call = call.auth(t);
        }
        if let Some(b) = body {
            call = call.json(b);
        }
        call.send().await
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    /// Create an account directly (as the CLI does) and sign it in over HTTP.
    pub async fn user(&self, name: &str, roles: &[Role], unit_id: Option<i64>) -> TestUser {
        let email = format!("{}@test.gopy.vn", gopy::text::fold(name).replace(' ', "."));
        let rec = UserRecord {
            email: email.clone(),
            full_name: name.to_owned(),
            unit_id,
            roles: roles.to_vec(),
            password_hash: Some(test_hash()),
        };
        let (pool, settings) = (self.pool.clone(), self.settings.clone());
        let id = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().expect("conn");
            users::create(&mut conn, None, &RequestMeta::default(), &rec, &settings)
        })
        .await
        .expect("join")
        .expect("insert user");
        let token = self.login(&email, PASSWORD).await;
        TestUser { id, email, token }
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .request(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&json!({ "email": email, "password": password })),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email}");
        let body: Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn unit(&self, admin: &TestUser, name: &str, parent: Option<i64>) -> i64 {
        let res = self
            .post(
                "/api/v1/units",
                &admin.token,
                &json!({ "name": name, "parent_id": parent }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<Value>().await.expect("json")["id"]
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
        let s1 = self.section(secretariat, doc, json!({ "label": "Điều 1", "heading": "Phạm vi điều chỉnh", "body": "Luật này quy định về cán bộ, công chức." })).await;
        let s2 = self.section(secretariat, doc, json!({ "label": "Điều 2", "heading": "Đối tượng áp dụng", "body": "Cán bộ, công chức và cơ quan, tổ chức có liên quan." })).await;
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
        assert_eq!(res.status(), StatusCode::OK);
    }

    pub async fn document(&self, secretariat: &TestUser, body: Value) -> i64 {
        let res = self
            .post("/api/v1/documents", &secretariat.token, &body)
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<Value>().await.expect("json")["id"]
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
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<Value>().await.expect("json")["id"]
            .as_i64()
            .expect("id")
    }

    pub async fn comment(&self, employee: &TestUser, doc: i64, body: Value) -> Value {
        let res = self
            .post(
                &format!("/api/v1/documents/{doc}/comments"),
                &employee.token,
                &body,
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("json")
    }

    pub async fn moderate(&self, moderator: &TestUser, comment: i64, body: &Value) -> Response {
        self.post(
            &format!("/api/v1/comments/{comment}/moderation"),
            &moderator.token,
            body,
        )
        .await
    }

    /// The mails written so far (in outbox order), waiting up to 5 s for at least `n`.
    pub async fn mails(&self, n: usize) -> Vec<Mail> {
        for _ in 0..100 {
            let mails = read_mails(self.mail_dir.path());
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} mails in {}", self.mail_dir.path().display());
    }

    /// The newest mail to `to`, waiting for it.
    pub async fn mail_to(&self, to: &str, nth: usize) -> Mail {
        for _ in 0..100 {
            let mut mails: Vec<Mail> = read_mails(self.mail_dir.path())
                .into_iter()
                .filter(|m| m.to == to)
                .collect();
            if mails.len() > nth {
                return mails.swap_remove(nth);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail #{nth} to {to}");
    }

    /// Run SQL against the test database (to age a token or a session, say).
    pub async fn sql(&self, statement: &str) {
        let pool = self.pool.clone();
        let statement = statement.to_owned();
        tokio::task::spawn_blocking(move || {
            use diesel::connection::SimpleConnection;
            pool.get()
                .expect("conn")
                .batch_execute(&statement)
                .expect("sql")
        })
        .await
        .expect("join");
    }
}

/// A request being built; see `TestApp::call`.
pub struct Call(reqwest::RequestBuilder);

impl Call {
    pub fn auth(self, token: &str) -> Self {
        Call(self.0.bearer_auth(token))
    }

    pub fn json(self, body: &Value) -> Self {
        Call(self.0.json(body))
    }

    pub fn header(self, name: &str, value: &str) -> Self {
        Call(self.0.header(name, value))
    }

    /// A raw body with its content type.
    pub fn body(self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        Call(self.0.header("content-type", content_type).body(body))
    }

    pub async fn send(self) -> Response {
        self.0.send().await.expect("request failed")
    }
}

#[derive(Debug, Clone)]
pub struct Mail {
    pub outbox_id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

impl Mail {
    /// The token in the mailed link.
    pub fn token(&self) -> String {
        let start = self.text.find("token=").expect("a link with a token") + "token=".len();
        self.text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

pub fn read_mails(dir: &std::path::Path) -> Vec<Mail> {
    let mut out: Vec<Mail> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .filter_map(|e| std::fs::read(e.path()).ok())
                .filter_map(|raw| parse_mail(&raw))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|m| m.outbox_id);
    out
}

pub fn parse_mail(raw: &[u8]) -> Option<Mail> {
    let m = mail_parser::MessageParser::default().parse(raw)?;
    let id = m.message_id()?;
    let outbox_id = id
        .trim_start_matches("outbox-")
        .split('@')
        .next()?
        .parse()
        .ok()?;
    let to = m.to()?.first()?.address()?.to_string();
    Some(Mail {
        outbox_id,
        to,
        subject: m.subject()?.to_owned(),
        text: m.body_text(0)?.into_owned(),
        html: m.body_html(0).map(|h| h.into_owned()).unwrap_or_default(),
        raw: String::from_utf8_lossy(raw).into_owned(),
    })
}

/// One argon2 hash of PASSWORD for every test user (hashing is deliberately slow).
fn test_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let settings = Settings::built_in().expect("settings");
        hash_with(&params(&settings.auth).expect("params"), PASSWORD).expect("hash")
    })
    .clone()
}

/// Assert a problem+json response and return its body.
pub async fn problem(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status.as_u16());
    body
}

pub async fn json_of(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "unexpected status; body: {body}");
    body
}

/// Wait until `check` finds what background work (the mail worker, a spawned task) was
/// expected to produce, for at most 10 s; fail naming `what` otherwise.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
