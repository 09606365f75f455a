//! `database.replica_url`: reads that may lag are served by a streaming replica, a person who
//! just wrote reads the primary, and a replica that is gone degrades to the primary with a
//! warning. The replica is real: a throwaway primary cluster and a standby made from it with
//! `pg_basebackup -R`, whose replay the test pauses (PostgreSQL suite).

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_query;
use gopy::accounts::types::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cluster::Cluster;
use crate::faults::{login, seed_with};
use crate::helpers::TestDb;
use crate::process::Server;
use crate::smtp::free_port;

fn in_postgres_suite() -> bool {
    let pg = std::env::var("GOPY_TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"));
    if !pg {
        eprintln!("the read replica is PostgreSQL's: run in the PostgreSQL suite");
    }
    pg
}

fn sql(url: &str, statement: &str) {
    let mut conn = PgConnection::establish(url).expect("connect");
    sql_query(statement).execute(&mut conn).expect(statement);
}

/// A primary with a gopy database, seeded, and a standby streaming it.
struct Replicated {
    primary: Cluster,
    standby: Cluster,
    doc: i64,
    /// nv0 and nv1 (employees), then a moderator.
    people: Vec<String>,
}

fn replicated() -> Replicated {
    let primary = Cluster::create();
    primary.start();
    sql(&primary.url(), "CREATE DATABASE gopy");
    let (doc, people) = seed_with(
        &primary.url_of("gopy"),
        2,
        &[("kiemduyet@replica.vn", Role::Moderator)],
    );
    let standby = Cluster::standby_of(&primary);
    Replicated {
        primary,
        standby,
        doc,
        people,
    }
}

fn serve(r: &Replicated, dir: &std::path::Path, replica_url: String) -> Server {
    let env = [
        ("GOPY__DATABASE__REPLICA_URL", replica_url),
        ("GOPY__DATABASE__REPLICA_GRACE_SECS", "30".to_owned()),
        ("GOPY__SERVER__PORT", free_port().to_string()),
    ];
    Server::start_with(
        &TestDb::existing(&r.primary.url_of("gopy")),
        dir,
        false,
        &env,
    )
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn approved(&self, token: &str, doc: i64) -> usize {
        let res = self
            .http
            .get(format!("{}/api/v1/documents/{doc}/comments", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["items"]
            .as_array()
            .unwrap()
            .len()
    }

    /// A comment by `author`, approved by `moderator`.
    async fn approved_comment(&self, author: &str, moderator: &str, doc: i64, body: &str) {
        let res = self
            .http
            .post(format!("{}/api/v1/documents/{doc}/comments", self.base))
            .bearer_auth(author)
            .json(&json!({ "body": body }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let res = self
            .http
            .post(format!("{}/api/v1/comments/{id}/moderation", self.base))
            .bearer_auth(moderator)
            .json(&json!({ "action": "approve" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    /// The draft page as `token`'s session shows it.
    async fn draft_page(&self, token: &str, doc: i64) -> String {
        let res = self
            .http
            .get(format!("{}/drafts/{doc}", self.base))
            .header("cookie", format!("gopy_session={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    }

    /// Wait until `token` sees `n` approved comments.
    async fn until_approved(&self, token: &str, doc: i64, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.approved(token, doc).await != n {
            assert!(
                Instant::now() < deadline,
                "{n} approved comments never showed"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// gopy on a replicated database, with one approved comment the replica already shows.
struct Running {
    r: Replicated,
    _dir: tempfile::TempDir,
    server: Server,
    api: Api,
    author: String,
    reader: String,
    moderator: String,
}

async fn running() -> Running {
    let r = tokio::task::spawn_blocking(replicated).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&r, dir.path(), r.standby.url_of("gopy"));
    let api = Api {
        base: server.base.clone(),
        http: reqwest::Client::new(),
    };
    let author = login(&api.base, &r.people[0]).await;
    let reader = login(&api.base, &r.people[1]).await;
    let moderator = login(&api.base, &r.people[2]).await;
    api.approved_comment(&author, &moderator, r.doc, "Góp ý thứ nhất.")
        .await;
    api.until_approved(&reader, r.doc, 1).await;
    Running {
        r,
        _dir: dir,
        server,
        api,
        author,
        reader,
        moderator,
    }
}

impl Running {
    /// Pause the replica's replay, then have a second comment approved through the primary.
    async fn second_comment_while_paused(&self) {
        sql(
            &self.r.standby.url_of("gopy"),
            "SELECT pg_wal_replay_pause()",
        );
        self.api
            .approved_comment(&self.author, &self.moderator, self.r.doc, "Góp ý thứ hai.")
            .await;
    }

    fn resume(&self) {
        sql(
            &self.r.standby.url_of("gopy"),
            "SELECT pg_wal_replay_resume()",
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_come_from_the_replica_and_a_writer_reads_their_own_writes() {
    if !in_postgres_suite() {
        return;
    }
    // Bound whole: the server and the folder live to the end of the test.
    let run = running().await;
    let (api, doc) = (&run.api, run.r.doc);

    run.second_comment_while_paused().await;
    // The reader wrote nothing: the paused replica answers, without the second comment.
    assert_eq!(api.approved(&run.reader, doc).await, 1);
    // The moderator just approved it: read from the primary.
    assert_eq!(api.approved(&run.moderator, doc).await, 2);

    run.resume();
    api.until_approved(&run.reader, doc, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_stops_degrades_to_the_primary_with_a_warning() {
    if !in_postgres_suite() {
        return;
    }
    let Running {
        r,
        _dir,
        server,
        api,
        reader,
        ..
    } = running().await;

    r.standby.stop_immediate();
    // Every read is answered, from the primary.
    for _ in 0..5 {
        assert_eq!(api.approved(&reader, r.doc).await, 1);
    }
    let log = server.stop_and_read_log();
    let warnings = log
        .iter()
        .filter(|l| l.contains("read replica unavailable"))
        .count();
    assert_eq!(warnings, 1, "one warning, not one a read: {log:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_draft_page_comes_from_the_replica_and_a_writer_sees_their_own_writes() {
    if !in_postgres_suite() {
        return;
    }
    let run = running().await;
    let (api, doc) = (&run.api, run.r.doc);
    assert!(api
        .draft_page(&run.reader, doc)
        .await
        .contains("Góp ý thứ nhất."));

    run.second_comment_while_paused().await;
    // The reader's page comes from the paused replica; the author, who just wrote through
    // this node, reads the primary and sees the comment approved.
    assert!(!api
        .draft_page(&run.reader, doc)
        .await
        .contains("Góp ý thứ hai."));
    assert!(api
        .draft_page(&run.author, doc)
        .await
        .contains("Góp ý thứ hai."));
    run.resume();
}
