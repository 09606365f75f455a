//! Fault tests in the style of Jepsen's set checker: clients submit comments with unique
//! Idempotency-Keys and retry until acknowledged while gopy is SIGKILLed and restarted, or
//! while PostgreSQL itself goes down. Afterwards every acknowledged comment is present exactly
//! once and nothing is present that was never attempted.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use gopy::accounts::service::users;
use gopy::accounts::types::{Role, UserRecord};
use gopy::db::schema::comments;
use gopy::identity::RequestMeta;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::cluster::Cluster;
use crate::helpers::{TestDb, PASSWORD};
use crate::process::Server;
use crate::smtp::free_port;

/// What a client saw: key → acknowledged comment id, and every key it ever sent.
#[derive(Default)]
pub struct History {
    pub acked: BTreeMap<String, i64>,
    pub attempted: BTreeSet<String>,
    /// Requests that got no answer or a 5xx (the process was down, or the database was).
    pub failed_requests: usize,
    /// Retries answered 200: the first attempt had committed but its answer was lost.
    pub replays: usize,
}

/// Submit comments as `token` until `stop`, each retried with its key until acknowledged.
pub async fn client(
    base: String,
    token: String,
    doc: i64,
    name: String,
    stop: Arc<AtomicBool>,
    history: Arc<Mutex<History>>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let key = format!("{name}-{i}");
        let body = json!({ "body": format!("Góp ý {key}") });
        history.lock().await.attempted.insert(key.clone());
        loop {
            assert!(Instant::now() < deadline, "{key} never acknowledged");
            let sent = http
                .post(format!("{base}/api/v1/documents/{doc}/comments"))
                .bearer_auth(&token)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await;
            if let Ok(res) = sent {
                if matches!(res.status(), StatusCode::CREATED | StatusCode::OK) {
                    let replay = res.status() == StatusCode::OK;
                    if let Ok(v) = res.json::<Value>().await {
                        let id = v["id"].as_i64().unwrap();
                        let mut h = history.lock().await;
                        h.replays += usize::from(replay);
                        if let Some(previous) = h.acked.insert(key.clone(), id) {
                            assert_eq!(previous, id, "one key, two comments");
                        }
                        break;
                    }
                } else {
                    assert!(
                        res.status().is_server_error(),
                        "{key}: unexpected {}",
                        res.status()
                    );
                }
            }
            history.lock().await.failed_requests += 1;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }
}

/// Seed people and a published draft straight into the database (gopy is not running yet).
pub fn seed(url: &str, employees: usize) -> (i64, Vec<String>) {
    let (doc, emails) = seed_with(url, employees, &[]);
    (doc, emails[..employees].to_vec())
}

/// `seed`, with more people (email and roles) after the employees; returns every email added
/// but the secretariat's, employees first.
pub fn seed_with(url: &str, employees: usize, more: &[(&str, Role)]) -> (i64, Vec<String>) {
    let settings = gopy::config::DatabaseSettings::only(url, 1, 5);
    let mut conn = gopy::db::connect_one(&settings).unwrap();
    let hash =
        gopy::context::hasher::hash_with(&argon2::Params::new(8, 1, 1, None).unwrap(), PASSWORD)
            .unwrap();
    let cli = RequestMeta::local("fault test");
    let app_settings = gopy::config::Settings::built_in().unwrap();
    let mut add = |email: String, roles: Vec<Role>| {
        let rec = UserRecord {
            email,
            full_name: "Người Thử".into(),
            unit_id: None,
            roles,
            password_hash: Some(hash.clone()),
        };
        users::create(&mut conn, None, &cli, &rec, &app_settings).unwrap()
    };
    let secretariat_id = add("thuky@fault.vn".into(), vec![Role::Secretariat]);
    let mut emails: Vec<String> = (0..employees).map(|i| format!("nv{i}@fault.vn")).collect();
    for e in &emails {
        add(e.clone(), vec![Role::Employee]);
    }
    for (email, role) in more {
        add((*email).to_owned(), vec![*role]);
        emails.push((*email).to_owned());
    }
    let secretariat = users::actor(&mut conn, secretariat_id).unwrap();
    let new = gopy::drafts::types::NewDocument {
        title: "Dự thảo chịu lỗi".into(),
        code: None,
        summary: None,
        opens_at: None,
        closes_at: None,
    };
    let doc = gopy::drafts::service::create(&mut conn, &secretariat, &cli, new)
        .unwrap()
        .id;
    gopy::drafts::service::publish(&mut conn, &secretariat, &cli, doc).unwrap();
    (doc, emails)
}

pub async fn login(base: &str, email: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The comments of `doc` in the database at `url`, by body.
pub fn present(url: &str, doc: i64) -> BTreeMap<String, Vec<i64>> {
    let settings = gopy::config::DatabaseSettings::only(url, 1, 5);
    let mut conn = gopy::db::connect_one(&settings).unwrap();
    let rows: Vec<(i64, String)> = comments::table
        .filter(comments::document_id.eq(doc))
        .select((comments::id, comments::body))
        .load(&mut *conn)
        .unwrap();
    let mut by_body: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (id, body) in rows {
        by_body.entry(body).or_default().push(id);
    }
    by_body
}

/// Every comment of `acked` present exactly once in `by_body`, and nothing never attempted.
pub fn check_acked(
    by_body: &BTreeMap<String, Vec<i64>>,
    acked: &BTreeMap<String, i64>,
    attempted: &BTreeSet<String>,
) {
    for (key, id) in acked {
        let ids = by_body
            .get(&format!("Góp ý {key}"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            ids,
            vec![*id],
            "acknowledged {key} must be present exactly once"
        );
    }
    for body in by_body.keys() {
        let key = body.trim_start_matches("Góp ý ");
        assert!(attempted.contains(key), "{body} was never attempted");
    }
}

/// The set checker: every acknowledged comment once, nothing never attempted.
fn check(url: &str, doc: i64, history: &History) {
    check_acked(&present(url, doc), &history.acked, &history.attempted);
    assert_eq!(
        history.acked.len(),
        history.attempted.len(),
        "every attempt was eventually acknowledged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_load_loses_no_acknowledged_comment() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let (doc, emails) = tokio::task::spawn_blocking({
        let url = db.url().to_owned();
        move || seed(&url, 6)
    })
    .await
    .unwrap();
    let port = free_port();
    let env = [
        ("GOPY__SERVER__PORT", port.to_string()),
        ("GOPY__SERVER__WORKERS", "2".into()),
    ];
    let mut server = Server::start_with(&db, dir.path(), false, &env);
    let base = server.base.clone();
    let history = Arc::new(Mutex::new(History::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tokens = Vec::new();
    for email in &emails {
        tokens.push(login(&base, email).await);
    }
    let mut clients = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        clients.push(tokio::spawn(client(
            base.clone(),
            token,
            doc,
            format!("c{n}"),
            stop.clone(),
            history.clone(),
        )));
    }
    // Kill it five times while the clients write.
    for round in 0..5 {
        tokio::time::sleep(Duration::from_millis(200 + 60 * round)).await;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        server = tokio::task::spawn_blocking({
            let (url, path, env) = (db.url().to_owned(), dir.path().to_owned(), env.clone());
            move || {
                let db = TestDb::existing(&url);
                Server::start_with(&db, &path, false, &env)
            }
        })
        .await
        .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    server.stop();
    let h = history.lock().await;
    assert!(h.failed_requests > 0, "the kills must have hit the load");
    eprintln!(
        "sigkill: {} acknowledged, {} failed requests retried, {} replays",
        h.acked.len(),
        h.failed_requests,
        h.replays
    );
    check(db.url(), doc, &h);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_is_answered_503_and_recovered_without_restart() {
    if !std::env::var("GOPY_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("postgres outage test runs in the PostgreSQL suite");
        return;
    }
    let cluster = tokio::task::spawn_blocking(|| {
        let c = Cluster::create();
        c.start();
        c
    })
    .await
    .unwrap();
    let url = cluster.url();
    let (doc, emails) = tokio::task::spawn_blocking({
        let url = url.clone();
        move || seed(&url, 2)
    })
    .await
    .unwrap();
    let app = crate::helpers::spawn_app_with(|s| {
        s.database.url = url.clone();
        s.database.connect_timeout_secs = 1;
        s.database.pool_size = 4;
    })
    .await;
    let base = app.address.clone();
    let writer_token = login(&base, &emails[0]).await;
    let reader_token = login(&base, &emails[1]).await;
    let history = Arc::new(Mutex::new(History::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn(client(
        base.clone(),
        writer_token,
        doc,
        "w".into(),
        stop.clone(),
        history.clone(),
    ));
    // A reader counts its answers: 200 while the database is up, 503 with Retry-After while not.
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reader = tokio::spawn({
        let (base, stop, refused) = (base.clone(), stop.clone(), refused.clone());
        async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap();
            let mut ok = 0;
            while !stop.load(Ordering::Relaxed) {
                if let Ok(res) = http
                    .get(format!("{base}/api/v1/documents"))
                    .bearer_auth(&reader_token)
                    .send()
                    .await
                {
                    match res.status() {
                        StatusCode::OK => ok += 1,
                        StatusCode::SERVICE_UNAVAILABLE => {
                            assert!(res.headers().contains_key("retry-after"));
                            refused.fetch_add(1, Ordering::Relaxed);
                        }
                        other => panic!("reader got {other}"),
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            ok
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.stop_immediate();
        cluster
    })
    .await
    .unwrap();
    // Down: readiness fails and requests are refused with 503 + Retry-After, not hung.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for path in ["/readyz", "/api/v1/documents"] {
        let res = http
            .get(format!("{base}{path}"))
            .bearer_auth("any")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{path} while the database is down"
        );
        assert!(res.headers().contains_key("retry-after"));
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "unavailable");
    }
    // Stay down until the reader too has been told so (however busy the machine is).
    let deadline = Instant::now() + Duration::from_secs(30);
    while refused.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "the reader never saw the outage");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.start();
        cluster
    })
    .await
    .unwrap();
    // Back: the same process recovers on its own.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let res = http.get(format!("{base}/readyz")).send().await.unwrap();
        if res.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "gopy did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let ok = reader.await.unwrap();
    let unavailable = refused.load(Ordering::Relaxed);
    assert!(
        ok > 0 && unavailable > 0,
        "reader saw {ok} OK and {unavailable} 503"
    );
    let h = history.lock().await;
    eprintln!("outage: reader {ok} ok / {unavailable} 503; writer {} acknowledged, {} failed requests retried", h.acked.len(), h.failed_requests);
    let url = cluster.url();
    check(&url, doc, &h);
    drop(cluster);
}
