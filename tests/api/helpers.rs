//! Starting gopy for a test, and the one way tests talk to it.

use std::sync::OnceLock;
use std::time::Duration;

use gopy::accounts::service::users;
use gopy::accounts::types::{Role, UserRecord};
use gopy::config::Settings;
use gopy::context::hasher::{hash_with, params};
use gopy::db::{DbConn, Pool};
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
    /// Where `GET /metrics` is served, when the test turned `server.metrics_port` on.
    pub metrics_address: Option<String>,
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

/// Start gopy with settings adjusted by `tune` (lower thresholds, shorter timeouts …). Mail is
/// not sent in the background unless `tune` turns `mail.send` on: tests deliver what the
/// outbox holds when they want it (`TestApp::mails`), so no test waits on a timer.
pub async fn spawn_app_with(tune: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::new();
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::built_in().expect("built-in settings");
    settings.server.port = 0;
    settings.server.workers = 1;
    settings.database.url = db.url().to_owned();
    settings.database.pool_size = 4;
    settings.mail.dir = mail_dir.path().display().to_string();
    settings.mail.send = false;
    settings.mail.poll_interval_ms = 50;
    // Round notices are queued by the tests that look for them (or on a setting they choose).
    settings.rounds.check_secs = 3600;
    // Tests write many comments as one person; the tests of the limit set their own.
    settings.comments.max_per_hour = 100_000;
    // A moderator's rejection is final and screening flags nothing by itself, unless a test
    // turns four-eyes (`moderation.second_review`) or `auto_flag_score` on.
    settings.moderation.second_review.clear();
    settings.moderation.auto_flag_score = 0;
    tune(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app.metrics_port().map(|p| format!("http://127.0.0.1:{p}"));
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        metrics_address,
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

    /// `GET path` as the holder of `token`.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.call(Method::GET, path).auth(token).send().await
    }

    /// `POST path` with a JSON body as the holder of `token`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.call(Method::POST, path)
            .auth(token)
            .json(body)
            .send()
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
        let id = self
            .with_conn(move |conn, settings| {
                users::create(conn, None, &RequestMeta::default(), &rec, settings)
            })
            .await
            .expect("insert user");
        let token = self.login(&email, PASSWORD).await;
        TestUser { id, email, token }
    }

    /// The mails in the outbox for `to`, as `admin` lists them.
    pub async fn mails_to(&self, admin: &TestUser, to: &TestUser) -> Vec<Value> {
        let page = json_of(
            self.get("/api/v1/admin/outbox", &admin.token).await,
            StatusCode::OK,
        )
        .await;
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|m| m["recipient"] == to.email.as_str())
            .cloned()
            .collect()
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let res = self
            .call(Method::POST, "/api/v1/auth/login")
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await;
        let body = json_of(res, StatusCode::OK).await;
        body["token"].as_str().expect("token").to_owned()
    }

    /// Run SQL against the test database (to age a token or a session, say).
    pub async fn sql(&self, statement: &str) {
        let statement = statement.to_owned();
        self.with_conn(move |conn, _| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&statement).expect("sql")
        })
        .await;
    }

    /// Run `f` on a connection from the app's pool, off the async runtime: the reads, writes
    /// and background passes a test does beside HTTP.
    pub async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut DbConn, &Settings) -> T + Send + 'static,
    ) -> T {
        let (pool, settings) = (self.pool.clone(), self.settings.clone());
        tokio::task::spawn_blocking(move || f(&mut pool.get().expect("conn"), &settings))
            .await
            .expect("join")
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

/// Assert the status and return the JSON body.
pub async fn json_of(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "unexpected status; body: {body}");
    body
}

/// The ids of a page's items.
/// Each element of the array `list`, as `f` picks from it: compare several fields at once.
pub fn each(list: &Value, f: impl Fn(&Value) -> Value) -> Vec<Value> {
    list.as_array().expect("an array").iter().map(f).collect()
}

pub fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect()
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
