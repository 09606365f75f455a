use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{json_of, TestDb};

fn gopy(db: &TestDb, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gopy"));
    // Run from an empty directory: built-in defaults, no config files needed.
    cmd.current_dir(dir)
        .env("GOPY__DATABASE__URL", db.url())
        .env("GOPY__SERVER__PORT", "0")
        .env("GOPY__MAIL__DIR", dir.join("mail"))
        .env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, stdin: Option<&str>) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn cli_adds_units_and_users_on_a_fresh_database() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(gopy(&db, dir.path()).args(["migrate"]), None);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"));

    let (ok, out, err) = run(
        gopy(&db, dir.path()).args(["unit", "add", "--name", "Sở Nội vụ"]),
        None,
    );
    assert!(ok, "{err}");
    let parent: i64 = out.trim().parse().unwrap();
    let (ok, out, _) = run(
        gopy(&db, dir.path()).args([
            "unit",
            "add",
            "--name",
            "Văn phòng Sở",
            "--parent-id",
            &parent.to_string(),
        ]),
        None,
    );
    assert!(ok);
    let unit: i64 = out.trim().parse().unwrap();
    let (ok, _, err) = run(
        gopy(&db, dir.path()).args(["unit", "add", "--name", "X", "--parent-id", "9999"]),
        None,
    );
    assert!(!ok && err.contains("parent_id"), "{err}");

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
    ];
    let mut cmd = gopy(&db, dir.path());
    cmd.args(args).arg(unit.to_string()).arg("--password-stdin");
    let (ok, out, err) = run(&mut cmd, Some("mật khẩu quản trị 2026\n"));
    assert!(ok, "{err}");
    assert!(out.trim().parse::<i64>().is_ok());
    // Weak input is refused and nothing is written.
    let mut cmd = gopy(&db, dir.path());
    cmd.args([
        "user",
        "add",
        "--email",
        "b@so.gov.vn",
        "--name",
        "B",
        "--role",
        "employee",
        "--password-stdin",
    ]);
    let (ok, _, err) = run(&mut cmd, Some("short\n"));
    assert!(!ok && err.contains("password"), "{err}");
    let mut cmd = gopy(&db, dir.path());
    cmd.args([
        "user",
        "add",
        "--email",
        "c@so.gov.vn",
        "--name",
        "C",
        "--role",
        "boss",
        "--password-stdin",
    ]);
    let (ok, _, err) = run(&mut cmd, Some("mật khẩu đủ dài 2026\n"));
    assert!(!ok && err.contains("unknown role"), "{err}");

    // The service on the same database lets the new admin in.
    let mut server = Server::start(&db, dir.path(), false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let login: Value = client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&serde_json::json!({ "email": "admin@so.gov.vn", "password": "mật khẩu quản trị 2026" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(login["user"]["unit_name"], "Văn phòng Sở");
        assert_eq!(login["user"]["roles"], serde_json::json!(["secretariat", "admin"]));
        let token = login["token"].as_str().unwrap();
        let users = client.get(format!("{}/api/v1/users", server.base)).bearer_auth(token).send().await.unwrap();
        let users = json_of(users, StatusCode::OK).await;
        assert_eq!(users["items"].as_array().unwrap().len(), 1);
    });
    server.stop();
}

/// Poll /healthz until the workers answer (the socket accepts before they run).
fn wait_ready(port: &str) {
    use std::io::Read;
    let mut last = String::new();
    for _ in 0..200 {
        match std::net::TcpStream::connect(format!("127.0.0.1:{port}")) {
            Ok(mut s) => {
                let _ =
                    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut buf = String::new();
                match s.read_to_string(&mut buf) {
                    Ok(_) if buf.starts_with("HTTP/1.1 200") => return,
                    Ok(_) => last = buf,
                    Err(e) => last = e.to_string(),
                }
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("gopy on port {port} never became ready: {last}");
}

struct Server {
    child: Child,
    base: String,
    stdout: Vec<String>,
}

impl Server {
    fn start(db: &TestDb, dir: &std::path::Path, demo: bool) -> Server {
        let mut cmd = gopy(db, dir);
        cmd.arg("serve").env("RUST_LOG", "info");
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Keep draining stderr on a thread so the server never writes into a closed pipe.
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut port = None;
        let mut log = Vec::new();
        while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(30)) {
            if let Some(rest) = line.split("listening port=").nth(1) {
                port = Some(
                    rest.trim()
                        .trim_end_matches(|c: char| !c.is_ascii_digit())
                        .to_owned(),
                );
                break;
            }
            log.push(line);
        }
        let port = port.unwrap_or_else(|| panic!("server did not report its port: {log:?}"));
        let mut stdout = Vec::new();
        if demo {
            let reader = BufReader::new(child.stdout.take().unwrap());
            for line in reader.lines() {
                let line = line.unwrap();
                let blank = line.trim().is_empty() && stdout.len() > 2;
                stdout.push(line);
                if blank {
                    break;
                }
            }
        }
        wait_ready(&port);
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            stdout,
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
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
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/samples/roster.csv");
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
