//! `gopy backup` and `gopy restore` through the binary: a copy taken under write load holds
//! every comment acknowledged before it began, and a restore never replaces a database that a
//! gopy process has open. The embedded database is SQLite, so these run on SQLite in both
//! suites; on PostgreSQL the commands point to pg_dump.

use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::faults::{check_acked, client, login, present, seed, History};
use crate::helpers::TestDb;
use crate::process::{gopy, Server};

fn run(db: &TestDb, dir: &Path, args: &[&str]) -> Output {
    gopy(db, dir).args(args).output().expect("gopy runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A SQLite database with people and a published draft; returns the draft's id.
async fn seeded(db: &TestDb) -> i64 {
    let url = db.url().to_owned();
    tokio::task::spawn_blocking(move || seed(&url, 4).0)
        .await
        .expect("seeded")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_comment_acknowledged_before_it() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let doc = seeded(&db).await;
    let mut server = Server::start(&db, dir.path(), false);
    let history = Arc::new(Mutex::new(History::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for n in 0..4 {
        let token = login(&server.base, &format!("nv{n}@fault.vn")).await;
        clients.push(tokio::spawn(client(
            server.base.clone(),
            token,
            doc,
            format!("c{n}"),
            stop.clone(),
            history.clone(),
        )));
    }
    // Wait for the load to be under way (the clients' own acknowledgements are the event).
    while history.lock().await.acked.len() < 100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = history.lock().await.acked.clone();
    let file = dir.path().join("gopy-backup.sqlite3");
    let out = tokio::task::spawn_blocking({
        let (url, path, file) = (db.url().to_owned(), dir.path().to_owned(), file.clone());
        move || {
            run(
                &TestDb::existing(&url),
                &path,
                &["backup", &file.to_string_lossy()],
            )
        }
    })
    .await
    .unwrap();
    assert!(out.status.success(), "backup: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("backup: "),
        "{}",
        text(&out.stdout)
    );
    // Writes went on while and after it ran.
    let after = history.lock().await.acked.len() + 50;
    while history.lock().await.acked.len() < after {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    server.stop();

    let out = run(&db, dir.path(), &["restore", &file.to_string_lossy()]);
    assert!(out.status.success(), "restore: {}", text(&out.stderr));
    let h = history.lock().await;
    let restored = present(db.url(), doc);
    check_acked(&restored, &before, &h.attempted);
    assert!(
        restored.len() < h.acked.len(),
        "the copy is of the moment it was taken, not of the end ({} of {})",
        restored.len(),
        h.acked.len()
    );
}

#[tokio::test]
async fn a_restore_is_refused_while_a_gopy_process_has_the_database_open() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    seeded(&db).await;
    let server = Server::start(&db, dir.path(), false);
    let file = dir.path().join("copy.sqlite3");
    let out = run(&db, dir.path(), &["backup", &file.to_string_lossy()]);
    assert!(out.status.success(), "backup: {}", text(&out.stderr));

    let out = run(&db, dir.path(), &["restore", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("in use"),
        "{}",
        text(&out.stderr)
    );
    let res = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the running service keeps its database");
}

#[tokio::test]
async fn a_restore_keeps_the_database_it_replaces() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let doc = seeded(&db).await;
    let file = dir.path().join("copy.sqlite3");
    let out = run(&db, dir.path(), &["backup", &file.to_string_lossy()]);
    assert!(out.status.success(), "backup: {}", text(&out.stderr));

    let out = run(&db, dir.path(), &["restore", &file.to_string_lossy()]);
    assert!(out.status.success(), "restore: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let aside = stdout
        .lines()
        .find_map(|l| l.strip_prefix("the database it replaced: "))
        .unwrap_or_else(|| panic!("names where the old database went: {stdout}"));
    let old = TestDb::existing(&format!("sqlite://{aside}"));
    assert_eq!(present(old.url(), doc), present(db.url(), doc));
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    seeded(&db).await;
    let file = dir.path().join("taken.sqlite3");
    std::fs::write(&file, b"something precious").unwrap();

    let out = run(&db, dir.path(), &["backup", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"something precious");
}

#[tokio::test]
async fn a_restore_refuses_a_file_that_is_not_a_gopy_database() {
    let db = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let doc = seeded(&db).await;
    let file = dir.path().join("not-a-backup.sqlite3");
    std::fs::write(&file, "email,full_name\nnv@x.vn,Người Thử\n").unwrap();
    let comments_before = present(db.url(), doc);

    let out = run(&db, dir.path(), &["restore", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a sound gopy database"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(present(db.url(), doc), comments_before);
}

#[tokio::test]
async fn a_backup_of_postgresql_points_to_pg_dump() {
    let db = TestDb::new();
    if db.url().starts_with("sqlite") {
        eprintln!("the PostgreSQL answer of gopy backup is checked in the PostgreSQL suite");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg.dump");
    let out = run(&db, dir.path(), &["backup", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("pg_dump"),
        "{}",
        text(&out.stderr)
    );
    assert!(!file.exists());
}
