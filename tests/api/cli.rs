use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{json_of, TestDb};
use crate::process::{gopy, Server};

fn run(cmd: &mut Command, stdin: Option<&str>) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gopy starts");
    if let Some(input) = stdin {
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(input.as_bytes()).expect("stdin");
        }
    }
    let out = child.wait_with_output().expect("gopy ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `gopy ARGS` on `db` from an empty folder: (succeeded, stdout, stderr).
pub fn cli(
    db: &TestDb,
    dir: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    run(gopy(db, dir).args(args), stdin)
}

/// A fresh database with Sở Nội vụ › Văn phòng Sở added by the CLI; returns both ids.
pub fn with_units(db: &TestDb, dir: &std::path::Path) -> (i64, i64) {
    let (ok, out, err) = cli(db, dir, &["unit", "add", "--name", "Sở Nội vụ"], None);
    assert!(ok, "{err}");
    let parent: i64 = out.trim().parse().expect("an id");
    let (ok, out, err) = cli(
        db,
        dir,
        &[
            "unit",
            "add",
            "--name",
            "Văn phòng Sở",
            "--parent-id",
            &parent.to_string(),
        ],
        None,
    );
    assert!(ok, "{err}");
    (parent, out.trim().parse().expect("an id"))
}

const ADMIN_PASSWORD: &str = "mật khẩu quản trị 2026";

pub fn add_admin(db: &TestDb, dir: &std::path::Path, unit: i64) -> i64 {
    let unit = unit.to_string();
    let args = [
        "user",
        "add",
        "--email",
        "Admin@So.gov.vn",
        "--name",
        "Nguyễn Quản Trị",
        "--role",
        "admin,secretariat",
        "--unit-id",
        &unit,
        "--password-stdin",
    ];
    let (ok, out, err) = cli(db, dir, &args, Some(&format!("{ADMIN_PASSWORD}\n")));
    assert!(ok, "{err}");
    out.trim().parse().expect("an id")
}

#[test]
fn migrate_brings_a_fresh_database_up_to_date() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, out, err) = cli(&db, dir.path(), &["migrate"], None);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"), "{out}");
}

#[test]
fn unit_add_prints_the_new_units_id() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (parent, child) = with_units(&db, dir.path());
    assert!(child > parent);
}

#[test]
fn unit_add_refuses_an_unknown_parent() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (ok, _, err) = cli(
        &db,
        dir.path(),
        &["unit", "add", "--name", "X", "--parent-id", "9999"],
        None,
    );
    assert!(!ok && err.contains("parent_id"), "{err}");
}

#[test]
fn user_add_refuses_a_weak_password() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [
        "user",
        "add",
        "--email",
        "b@so.gov.vn",
        "--name",
        "B",
        "--role",
        "employee",
        "--password-stdin",
    ];
    let (ok, _, err) = cli(&db, dir.path(), &args, Some("short\n"));
    assert!(!ok && err.contains("password"), "{err}");
}

#[test]
fn user_add_refuses_an_unknown_role() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let args = [
        "user",
        "add",
        "--email",
        "c@so.gov.vn",
        "--name",
        "C",
        "--role",
        "boss",
        "--password-stdin",
    ];
    let (ok, _, err) = cli(&db, dir.path(), &args, Some("mật khẩu đủ dài 2026\n"));
    assert!(!ok && err.contains("unknown role"), "{err}");
}

#[tokio::test]
async fn an_admin_added_by_the_cli_signs_in_to_the_service() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, unit) = with_units(&db, dir.path());
    add_admin(&db, dir.path(), unit);
    let server = Server::start(&db, dir.path(), false);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&serde_json::json!({ "email": "admin@so.gov.vn", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("request");
    let login = json_of(res, StatusCode::OK).await;
    assert_eq!(login["user"]["unit_name"], "Văn phòng Sở");
    assert_eq!(
        login["user"]["roles"],
        serde_json::json!(["secretariat", "admin"])
    );
    let token = login["token"].as_str().expect("token");
    let res = client
        .get(format!("{}/api/v1/users", server.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let users = json_of(res, StatusCode::OK).await;
    assert_eq!(
        users["items"].as_array().map(Vec::len),
        Some(1),
        "the refused additions wrote nothing"
    );
}

#[test]
fn serve_demo_seeds_once_and_the_demo_can_be_tried_at_once() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&db, dir.path(), true);
    let banner = server.stdout.join("\n");
    assert!(banner.contains("Demo data created"), "{banner}");
    assert!(banner.contains("nhanvien1@demo.gopy.vn"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = server.base.clone();
    let summary = rt.block_on(async move {
        let client = reqwest::Client::new();
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({ "email": "thuky@demo.gopy.vn", "password": gopy::demo::DEMO_PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap().to_owned();
        let docs: Value = client.get(format!("{base}/api/v1/documents")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let doc = docs["items"][0]["id"].as_i64().unwrap();
        let detail: Value = client.get(format!("{base}/api/v1/documents/{doc}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let labels: Vec<String> = detail["sections"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap().to_owned()).collect();
        for l in ["Chương I", "Điều 1", "Khoản 1", "Chương II", "Mục 1", "Điều 3"] {
            assert!(labels.iter().any(|x| x == l), "{l} in {labels:?}");
        }
        let summary: Value = client.get(format!("{base}/api/v1/documents/{doc}/summary")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        summary
    });
    for state in ["pending", "approved", "rejected", "flagged"] {
        assert!(
            summary["totals"][state].as_i64().unwrap() > 0,
            "{state} in {summary}"
        );
    }
    server.stop();

    // A restart finds the demo data and does not duplicate it.
    let mut again = Server::start(&db, dir.path(), true);
    let banner = again.stdout.join("\n");
    assert!(banner.contains("already present"), "{banner}");
    again.stop();
}

#[test]
fn configuration_layers_files_then_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/staging.toml"),
        "[database]\nurl = \"sqlite://from-staging-file.sqlite3\"\n",
    )
    .unwrap();
    let migrate = |env_url: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gopy"));
        cmd.current_dir(dir.path())
            .env("GOPY_ENV", "staging")
            .env_remove("GOPY__DATABASE__URL")
            .arg("migrate");
        if let Some(url) = env_url {
            cmd.env("GOPY__DATABASE__URL", url);
        }
        run(&mut cmd, None)
    };
    let (ok, _, err) = migrate(None);
    assert!(ok, "{err}");
    assert!(
        dir.path().join("from-staging-file.sqlite3").exists(),
        "config/$GOPY_ENV.toml applies"
    );
    let (ok, _, err) = migrate(Some("sqlite://from-env.sqlite3"));
    assert!(ok, "{err}");
    assert!(
        dir.path().join("from-env.sqlite3").exists(),
        "GOPY__DATABASE__URL overrides the file"
    );
    // A wrong URL is reported with its cause, not swallowed.
    let (ok, _, err) = migrate(Some("mysql://nope"));
    assert!(
        !ok && err.contains("unsupported database URL scheme"),
        "{err}"
    );
    let (ok, _, err) = migrate(Some("postgres://nobody@127.0.0.1:1/none"));
    assert!(!ok && err.to_lowercase().contains("connect"), "{err}");
}

#[test]
fn roster_import_from_the_command_line() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/roster.csv");
    let (ok, out, err) = run(
        gopy(&db, dir.path()).args(["roster", "import", sample, "--dry-run"]),
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.starts_with("DRY RUN") && out.contains("12 rows: 12 created"),
        "{out}"
    );
    let (ok, out, err) = run(
        gopy(&db, dir.path()).args(["roster", "import", sample]),
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.starts_with("12 rows: 12 created, 0 updated, 0 unchanged; 8 units created"),
        "{out}"
    );
    let (ok, out, _) = run(
        gopy(&db, dir.path()).args(["roster", "import", sample]),
        None,
    );
    assert!(
        ok && out.starts_with("12 rows: 0 created, 0 updated, 12 unchanged"),
        "{out}"
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "email,full_name,unit_path,roles\nx@so.vn,X,Sở,employee\nnot-email,Y,Sở,employee\n",
    )
    .unwrap();
    let (ok, _, err) = run(
        gopy(&db, dir.path()).args(["roster", "import"]).arg(&bad),
        None,
    );
    assert!(!ok && err.contains("line 3, email"), "{err}");
}

/// What one `gopy bench` run printed and wrote.
struct BenchRun {
    postgres: bool,
    stdout: String,
    /// The JSON results file whose name starts with `prefix`.
    results: Value,
}

/// On PostgreSQL every bench run makes its own database under one name (`gopy_bench`), dropping
/// the one before: two at once would drop each other's.
static BENCH_DATABASE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// `gopy bench ARGS` on this suite's backend (PostgreSQL when the suite runs on it, else a new
/// SQLite file), which must succeed and write its results file `<prefix>-…json`.
fn bench(args: &[&str], prefix: &str) -> BenchRun {
    let _one_at_a_time = BENCH_DATABASE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("GOPY_TEST_DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => u,
        _ => format!("sqlite://{}", dir.path().join("bench.sqlite3").display()),
    };
    let out = Command::new(env!("CARGO_BIN_EXE_gopy"))
        .current_dir(dir.path())
        .env("RUST_LOG", "warn")
        .args(["bench", "--database-url", &url])
        .args(args)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .expect("a JSON result file");
    BenchRun {
        postgres: url.starts_with("postgres"),
        results: serde_json::from_slice(&std::fs::read(json.path()).unwrap()).unwrap(),
        stdout,
    }
}

#[test]
fn the_benchmark_runs_from_one_command() {
    // A short run on this suite's backend (the scenarios and their baselines all run; the
    // numbers are not judged here).
    let run = bench(
        &[
            "--duration",
            "1",
            "--clients",
            "4",
            "--export-rows",
            "3000",
            "--campaign-comments",
            "300",
            "--report-comments",
            "600",
        ],
        "bench-",
    );
    let stdout = &run.stdout;
    for scenario in [
        "2. page of 50",
        "3. CSV export of 10000",
        "3. CSV export of 3000",
        "4a. sign-ins alone",
        "4b. a reader during a sign-in flood",
        "6. search",
        "7. import a 1,000-article draft",
        "8. draft page",
        "9. campaigns",
        "10a. XLSX workbook of 3000",
        "10b. Word report, 300 sections, 600 comments",
        "12. pages of 50 comments with metrics on",
    ] {
        assert!(
            stdout.contains(scenario),
            "{scenario} missing from\n{stdout}"
        );
    }
    let outcomes = run.results["outcomes"].as_array().unwrap();
    // Scenario 1 (pgbench) runs on PostgreSQL only, 5 and 11 (a raw loop, a backup) on SQLite.
    assert!(
        stdout.contains("11. backup of the database") != run.postgres,
        "{stdout}"
    );
    assert_eq!(outcomes.len(), if run.postgres { 13 } else { 14 });
    assert!(outcomes
        .iter()
        .all(|o| o["gopy"]["requests"].as_u64().unwrap() > 0));
}

#[test]
fn the_soak_runs_from_one_command_and_finds_no_server_error() {
    // A short soak on this suite's backend: every kind of request is sent, answered without a
    // server error, and reported for its first and last window.
    let run = bench(
        &[
            "--duration",
            "2",
            "--clients",
            "4",
            "--export-rows",
            "1000",
            "--soak",
            "6",
        ],
        "soak-",
    );
    let report = run.results;
    let kinds = report["kinds"].as_array().unwrap();
    let names: Vec<&str> = kinds.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["submission", "read", "moderation", "export", "sign_in"]
    );
    for k in kinds {
        assert!(k["first"]["ok"].as_u64().unwrap() > 0, "{k}");
        assert!(k["last"]["ok"].as_u64().unwrap() > 0, "{k}");
        assert_eq!(k["server_errors"], 0, "{k}");
        assert_eq!(k["unexpected"], 0, "{k}");
    }
}
