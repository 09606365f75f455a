//! Several gopy processes on one PostgreSQL database, as production runs them: two nodes
//! behind HAProxy (Debian's, installed by .ci/run), one killed with SIGKILL under mixed load
//! and started again; sessions ended on one node refused by the other within
//! `auth.session_cache_secs`; claims and the per-person limit holding across nodes.
//! PostgreSQL suite only (SQLite is the single-node embedded setup).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::faults::{check_acked, client, login, present, seed_with, History};
use crate::helpers::TestDb;
use crate::process::Server;
use crate::smtp::{free_port, SmtpServer};

const CACHE_SECS: u64 = 1;

fn postgres() -> Option<TestDb> {
    let db = TestDb::new();
    if db.url().starts_with("postgres") {
        Some(db)
    } else {
        eprintln!("several nodes share a PostgreSQL database: run in the PostgreSQL suite");
        None
    }
}

/// People and a published draft, straight into the database before any node runs.
struct Seeded {
    doc: i64,
    employees: Vec<String>,
    moderators: Vec<String>,
    admin: String,
}

fn seed(url: &str, employees: usize) -> Seeded {
    let more = [
        ("admin@nodes.vn", Role::Admin),
        ("kiemduyet0@nodes.vn", Role::Moderator),
        ("kiemduyet1@nodes.vn", Role::Moderator),
    ];
    let (doc, mut emails) = seed_with(url, employees, &more);
    let moderators = emails.split_off(employees + 1);
    let admin = emails.pop().expect("the admin");
    Seeded {
        doc,
        employees: emails,
        moderators,
        admin,
    }
}

/// The settings every node of a test shares.
fn node_env(port: u16, smtp: u16, extra: &[(&str, String)]) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("GOPY__SERVER__PORT", port.to_string()),
        ("GOPY__SERVER__WORKERS", "2".to_owned()),
        ("GOPY__SERVER__TRUSTED_PROXIES", "127.0.0.1/32".to_owned()),
        ("GOPY__AUTH__SESSION_CACHE_SECS", CACHE_SECS.to_string()),
        ("GOPY__MAIL__TRANSPORT", "smtp".to_owned()),
        ("GOPY__MAIL__SMTP_HOST", "127.0.0.1".to_owned()),
        ("GOPY__MAIL__SMTP_PORT", smtp.to_string()),
        ("GOPY__MAIL__POLL_INTERVAL_MS", "100".to_owned()),
    ];
    for (k, v) in extra {
        env.retain(|(key, _)| key != k);
        env.push((Box::leak(k.to_string().into_boxed_str()), v.clone()));
    }
    env
}

fn start_node(url: &str, dir: &Path, env: &[(&'static str, String)]) -> Server {
    std::fs::create_dir_all(dir).unwrap();
    Server::start_with(&TestDb::existing(url), dir, false, env)
}

/// HAProxy in front of the nodes (round robin, health checks on /readyz, the balancer's
/// request id and the client's address handed on).
struct Balancer {
    child: Child,
    base: String,
}

impl Balancer {
    fn haproxy() -> Option<std::path::PathBuf> {
        ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.exists())
    }

    fn start(dir: &Path, nodes: &[u16]) -> Balancer {
        let port = free_port();
        let servers: String = nodes
            .iter()
            .enumerate()
            .map(|(i, p)| format!("  server node{i} 127.0.0.1:{p} check\n"))
            .collect();
        let config = format!(
            "global\n  maxconn 1024\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  \
             timeout server 30s\n  retries 3\n  option redispatch\n\
             frontend gopy\n  bind 127.0.0.1:{port}\n  option forwardfor\n  \
             unique-id-format lb-%pid-%rt\n  http-request set-header X-Request-Id %[unique-id]\n  \
             default_backend nodes\n\
             backend nodes\n  balance roundrobin\n  option httpchk GET /readyz\n  \
             http-check expect status 200\n  default-server inter 200ms fall 2 rise 1\n{servers}"
        );
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, config).unwrap();
        let exe = Self::haproxy().expect("haproxy");
        let child = Command::new(exe)
            .args(["-db", "-f"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
            if up {
                break;
            }
            assert!(Instant::now() < deadline, "haproxy never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        Balancer { child, base }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Is the balancer there? On CI it must be; elsewhere the test says what is missing.
fn have_haproxy() -> bool {
    if Balancer::haproxy().is_some() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "haproxy is missing: .ci/run installs it"
    );
    eprintln!("haproxy is not installed (apt-get install haproxy): the balancer test is skipped");
    false
}

/// A moderator approving whatever it can claim through `base` until `stop`.
async fn moderator(
    base: String,
    token: String,
    doc: i64,
    stop: Arc<AtomicBool>,
    decided: Arc<AtomicUsize>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    while !stop.load(Ordering::Relaxed) {
        let claimed = http
            .post(format!("{base}/api/v1/moderation/claims"))
            .bearer_auth(&token)
            .json(&json!({ "document_id": doc, "limit": 5 }))
            .send()
            .await;
        let Ok(res) = claimed else { continue };
        if res.status() != StatusCode::OK {
            assert!(res.status().is_server_error(), "claim: {}", res.status());
            continue;
        }
        let Ok(batch) = res.json::<Value>().await else {
            continue;
        };
        let ids: Vec<i64> = batch["items"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["id"].as_i64()).collect())
            .unwrap_or_default();
        if ids.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for id in ids {
            let res = http
                .post(format!("{base}/api/v1/comments/{id}/moderation"))
                .bearer_auth(&token)
                .json(&json!({ "action": "approve" }))
                .send()
                .await;
            if let Ok(res) = res {
                match res.status() {
                    StatusCode::OK => {
                        decided.fetch_add(1, Ordering::Relaxed);
                    }
                    // Its claim lapsed with the node that held it, or it was decided already.
                    StatusCode::CONFLICT => {}
                    s => assert!(s.is_server_error(), "decision: {s}"),
                }
            }
        }
    }
}

/// A reader of the draft's approved comments, until `stop`; counts what it was answered.
async fn reader(
    base: String,
    token: String,
    doc: i64,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    while !stop.load(Ordering::Relaxed) {
        let res = http
            .get(format!("{base}/api/v1/documents/{doc}/comments"))
            .bearer_auth(&token)
            .send()
            .await;
        if let Ok(res) = res {
            let status = res.status();
            assert!(
                status == StatusCode::OK || status.is_server_error(),
                "read: {status}"
            );
            // A node's answer carries the balancer's request id back; a 502 or 503 the
            // balancer made itself (its node killed mid-request) carries none.
            let id = res
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            assert!(
                id.as_deref().is_some_and(|v| v.starts_with("lb-")) || status.is_server_error(),
                "the balancer's request id is kept: {status} with {id:?}"
            );
            answered.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn message_ids(messages: &[Vec<u8>]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: ").map(str::to_owned))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_killed_under_load_behind_the_balancer_loses_no_comment_and_sends_no_mail_twice() {
    let Some(db) = postgres() else { return };
    if !have_haproxy() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let seeded = tokio::task::spawn_blocking({
        let url = db.url().to_owned();
        move || seed(&url, 6)
    })
    .await
    .unwrap();
    let smtp_port = free_port();
    let relay = SmtpServer::start(smtp_port);
    let ports = [free_port(), free_port()];
    let envs: Vec<_> = ports.iter().map(|&p| node_env(p, smtp_port, &[])).collect();
    let mut a = start_node(db.url(), &dir.path().join("a"), &envs[0]);
    let b = start_node(db.url(), &dir.path().join("b"), &envs[1]);
    let lb = Balancer::start(dir.path(), &ports);

    let history = Arc::new(Mutex::new(History::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let (decided, answered) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut tasks = Vec::new();
    for (n, email) in seeded.employees.iter().enumerate() {
        let token = login(&lb.base, email).await;
        tasks.push(tokio::spawn(client(
            lb.base.clone(),
            token.clone(),
            seeded.doc,
            format!("c{n}"),
            stop.clone(),
            history.clone(),
        )));
        if n < 2 {
            tasks.push(tokio::spawn(reader(
                lb.base.clone(),
                token,
                seeded.doc,
                stop.clone(),
                answered.clone(),
            )));
        }
    }
    for email in &seeded.moderators {
        let token = login(&lb.base, email).await;
        tasks.push(tokio::spawn(moderator(
            lb.base.clone(),
            token,
            seeded.doc,
            stop.clone(),
            decided.clone(),
        )));
    }
    // Under way: comments acknowledged and decided through both nodes.
    let under_way = |n: usize| {
        let (history, decided) = (history.clone(), decided.clone());
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while history.lock().await.acked.len() < n || decided.load(Ordering::Relaxed) < n / 4 {
                assert!(Instant::now() < deadline, "the load never got going");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    under_way(100).await;
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let acked_at_kill = history.lock().await.acked.len();
    under_way(acked_at_kill + 100).await;
    a = tokio::task::spawn_blocking({
        let (url, path, env) = (db.url().to_owned(), dir.path().join("a"), envs[0].clone());
        move || start_node(&url, &path, &env)
    })
    .await
    .unwrap();
    let acked_after_restart = history.lock().await.acked.len();
    under_way(acked_after_restart + 100).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let h = history.lock().await;
    eprintln!(
        "nodes: {} acknowledged, {} failed requests retried, {} replays, {} decided, {} reads",
        h.acked.len(),
        h.failed_requests,
        h.replays,
        decided.load(Ordering::Relaxed),
        answered.load(Ordering::Relaxed)
    );
    check_acked(&present(db.url(), seeded.doc), &h.acked, &h.attempted);
    assert_eq!(
        h.acked.len(),
        h.attempted.len(),
        "every attempt acknowledged in the end"
    );
    assert!(answered.load(Ordering::Relaxed) > 0);

    // Every decision's mail goes out once: let both nodes empty the outbox, then count.
    let decided = decided.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(30);
    while relay.received().len() < decided.saturating_sub(5) {
        assert!(Instant::now() < deadline, "mail never went out");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids = message_ids(&relay.received());
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "a mail was sent twice");
    drop((a, b));
}

/// Two nodes on one database (no balancer), started with `extra` settings.
async fn two_nodes(db: &TestDb, dir: &Path, extra: &[(&str, String)]) -> (Seeded, Server, Server) {
    let seeded = tokio::task::spawn_blocking({
        let url = db.url().to_owned();
        move || seed(&url, 2)
    })
    .await
    .unwrap();
    let smtp = free_port();
    let a = start_node(
        db.url(),
        &dir.join("a"),
        &node_env(free_port(), smtp, extra),
    );
    let b = start_node(
        db.url(),
        &dir.join("b"),
        &node_env(free_port(), smtp, extra),
    );
    (seeded, a, b)
}

async fn me(base: &str, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// How long until `base` refuses `token` (polled), at most `within`.
async fn refused_within(base: &str, token: &str, within: Duration) -> Duration {
    let start = Instant::now();
    while me(base, token).await == StatusCode::OK {
        assert!(
            start.elapsed() < within,
            "the other node still accepts the token"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

#[tokio::test]
async fn a_sign_out_on_one_node_is_refused_on_the_other_within_the_cache_time() {
    let Some(db) = postgres() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (seeded, a, b) = two_nodes(&db, dir.path(), &[]).await;
    let token = login(&a.base, &seeded.employees[0]).await;
    assert_eq!(
        me(&b.base, &token).await,
        StatusCode::OK,
        "node b knows the session"
    );
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/logout", a.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    refused_within(
        &b.base,
        &token,
        Duration::from_secs(CACHE_SECS) + Duration::from_millis(900),
    )
    .await;
}

#[tokio::test]
async fn a_deactivation_on_one_node_is_refused_on_the_other_within_the_cache_time() {
    let Some(db) = postgres() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (seeded, a, b) = two_nodes(&db, dir.path(), &[]).await;
    let token = login(&b.base, &seeded.employees[0]).await;
    assert_eq!(me(&b.base, &token).await, StatusCode::OK);
    let admin = login(&a.base, &seeded.admin).await;
    let me_id = reqwest::Client::new()
        .get(format!("{}/api/v1/me", b.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = reqwest::Client::new()
        .patch(format!("{}/api/v1/users/{me_id}", a.base))
        .bearer_auth(&admin)
        .json(&json!({ "active": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    refused_within(
        &b.base,
        &token,
        Duration::from_secs(CACHE_SECS) + Duration::from_millis(900),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_claiming_on_two_nodes_at_once_never_share_a_comment() {
    let Some(db) = postgres() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (seeded, a, b) = two_nodes(&db, dir.path(), &[]).await;
    let author = login(&a.base, &seeded.employees[0]).await;
    let http = reqwest::Client::new();
    for i in 0..40 {
        let res = http
            .post(format!(
                "{}/api/v1/documents/{}/comments",
                a.base, seeded.doc
            ))
            .bearer_auth(&author)
            .json(&json!({ "body": format!("Góp ý số {i} về dự thảo.") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let mut claims = Vec::new();
    for (email, node) in seeded.moderators.iter().zip([&a.base, &b.base]) {
        let token = login(node, email).await;
        let (node, doc) = (node.clone(), seeded.doc);
        claims.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut mine = BTreeSet::new();
            for _ in 0..4 {
                let res = http
                    .post(format!("{node}/api/v1/moderation/claims"))
                    .bearer_auth(&token)
                    .json(&json!({ "document_id": doc, "limit": 5 }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                let batch: Value = res.json().await.unwrap();
                for c in batch["items"].as_array().unwrap() {
                    mine.insert(c["id"].as_i64().unwrap());
                }
            }
            mine
        }));
    }
    let first = claims.remove(0).await.unwrap();
    let second = claims.remove(0).await.unwrap();
    assert_eq!(
        first.len() + second.len(),
        40,
        "all claimed: {first:?} {second:?}"
    );
    assert!(
        first.is_disjoint(&second),
        "{:?}",
        first.intersection(&second).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_per_person_limit_holds_across_nodes() {
    let Some(db) = postgres() else { return };
    let dir = tempfile::tempdir().unwrap();
    let limit = [("GOPY__COMMENTS__MAX_PER_HOUR", "10".to_owned())];
    let (seeded, a, b) = two_nodes(&db, dir.path(), &limit).await;
    let token = login(&a.base, &seeded.employees[0]).await;
    let http = reqwest::Client::new();
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    for i in 0..20 {
        let node = if i % 2 == 0 { &a.base } else { &b.base };
        let res = http
            .post(format!("{node}/api/v1/documents/{}/comments", seeded.doc))
            .bearer_auth(&token)
            .json(&json!({ "body": format!("Góp ý thứ {i}.") }))
            .send()
            .await
            .unwrap();
        *answers.entry(res.status().as_u16()).or_default() += 1;
    }
    assert_eq!(answers, BTreeMap::from([(201, 10), (429, 10)]));
}

#[test]
fn nodes_started_at_once_on_a_new_database_both_come_up() {
    let Some(db) = TestDb::empty_postgres() else {
        eprintln!("several nodes share a PostgreSQL database: run in the PostgreSQL suite");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let starts: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let (url, path) = (db.url().to_owned(), dir.path().join(name));
            // Each races the other to bring the schema up to date.
            std::thread::spawn(move || start_node(&url, &path, &node_env(0, free_port(), &[])))
        })
        .collect();
    for start in starts {
        let node = start.join().expect("the node came up");
        let ready = std::net::TcpStream::connect(node.base.trim_start_matches("http://"));
        assert!(ready.is_ok());
    }
}
