//! A fresh database with seeded people, drafts and comments, and gopy started on it as a
//! separate process (so its memory can be measured on its own).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::accounts::service::{login, users};
use crate::accounts::types::{Role, UserRecord};
use crate::config::{DatabaseSettings, Settings};
use crate::context::hasher::{hash_with, params};
use crate::db::{self, Backend, ConnectionManager, DbConn};
use crate::drafts::service as drafts;
use crate::drafts::types::{NewDocument, NewSection};
use crate::identity::RequestMeta;

pub const BENCH_PASSWORD: &str = "đo hiệu năng gopy 2026 bench";
/// Accounts signing in during scenario 4. Enough that a flood admitted up to
/// `auth.hash_max_wait_ms` deep (300 sign-ins a second, a second's worth in flight) holds
/// well under `auth.lockout_threshold` (5) attempts of one account in flight at once, which
/// the lockout counts: with 64 accounts that is about five, and a few runs had a failed
/// sign-in.
pub const LOGIN_ACCOUNTS: usize = 512;
/// Moderators deciding during the soak.
const MODERATORS: usize = 4;

/// Everything a scenario needs to know about the seeded data.
pub struct Seeded {
    pub doc: i64,
    pub submit_section: i64,
    pub read_section: i64,
    pub export_small: i64,
    pub export_large: i64,
    /// The section of `export_large` that holds its comments.
    pub export_large_section: i64,
    /// One session token per employee client.
    pub employee_tokens: Vec<String>,
    pub employee_ids: Vec<i64>,
    pub secretariat_token: String,
    /// Moderators (the soak's claims and decisions).
    pub moderator_tokens: Vec<String>,
    /// Accounts with a real (OWASP-cost) password hash, for the sign-in scenario.
    pub login_emails: Vec<String>,
    /// Scenario 9: drafts that receive the campaigns with screening on and off.
    pub campaign_docs: (i64, i64),
}

/// The bench's own database: `gopy_bench` next to the given PostgreSQL database, or a new
/// SQLite file under `target/bench/`.
pub fn fresh_database(url: &str, out_dir: &std::path::Path) -> anyhow::Result<String> {
    match ConnectionManager::new(url)?.backend() {
        Backend::Postgres => {
            let mut admin = ConnectionManager::new(url)?.establish()?;
            // Separate statements: several in one string run as one transaction, which DROP DATABASE refuses.
            admin.batch_execute("DROP DATABASE IF EXISTS gopy_bench WITH (FORCE)")?;
            admin.batch_execute("CREATE DATABASE gopy_bench")?;
            let mut u = url::Url::parse(url)?;
            u.set_path("/gopy_bench");
            Ok(u.to_string())
        }
        Backend::Sqlite => {
            let file = out_dir.join("bench.sqlite3");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
            Ok(format!("sqlite://{}", file.display()))
        }
    }
}

/// Insert `n` approved comments on `section` of `doc` in one statement, with their search
/// forms; one in a hundred speaks of "quy hoạch cán bộ" (what the search scenario looks for).
pub(crate) fn bulk_comments(
    conn: &mut DbConn,
    doc: i64,
    section: i64,
    author: i64,
    n: usize,
    tag: &str,
) -> anyhow::Result<()> {
    let columns = "document_id, section_id, author_id, body, status, receipt, created_at, updated_at, decided_at, text_search, text_lower";
    let common = "Góp ý số 0: đề nghị làm rõ phạm vi điều chỉnh, bổ sung đối tượng áp dụng.";
    let rare = "Góp ý số 0: cần gắn công tác quy hoạch cán bộ trẻ với đào tạo, bồi dưỡng.";
    // The number is spliced in where the template has its one digit, in every form.
    let spliced = |text: &str| -> anyhow::Result<String> {
        let (left, right) = text
            .split_once('0')
            .ok_or_else(|| anyhow::anyhow!("no digit"))?;
        Ok(format!("'{left}' || i || '{right}'"))
    };
    let pick = |form: &dyn Fn(&str) -> String| -> anyhow::Result<String> {
        let (c, r) = (spliced(&form(common))?, spliced(&form(rare))?);
        Ok(format!("CASE WHEN i % 100 = 0 THEN {r} ELSE {c} END"))
    };
    let body = pick(&|t| t.to_owned())?;
    let folded = pick(&crate::text::fold)?;
    let lowered = pick(&crate::text::lower)?;
    let row = format!(
        "{doc}, {section}, {author}, {body}, '{approved}', '{tag}-' || i, '2026-11-26 01:00:00', \
         '2026-11-26 01:00:00', '2026-11-26 02:00:00', {folded}, {lowered}",
        approved = crate::comments::types::CommentStatus::Approved.as_str(),
    );
    let sql = match conn {
        // The trigger that keeps each section's count of approved comments would update the one
        // section row once per inserted row: in one transaction PostgreSQL keeps every version
        // of that row, so seeding a million rows took hours. Triggers (and the foreign-key checks,
        // which are triggers too) are off for this insert; the count is added once after it.
        DbConn::Pg(_) => format!(
            "SET session_replication_role = replica; \
             INSERT INTO comments ({columns}) SELECT {row} FROM generate_series(1, {n}) AS i; \
             SET session_replication_role = DEFAULT; \
             UPDATE sections SET approved_comments = approved_comments + {n}, \
             comments_revision = comments_revision + 1 WHERE id = {section}"
        ),
        DbConn::Sqlite(_) => format!(
            "INSERT INTO comments ({columns}) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT {row} FROM s"
        ),
    };
    conn.batch_execute(&sql)?;
    Ok(())
}

pub fn seed(
    url: &str,
    settings: &Settings,
    clients: usize,
    read_rows: usize,
    export_rows: (usize, usize),
) -> anyhow::Result<Seeded> {
    let db_settings = DatabaseSettings::only(url, 1, 10);
    let mut conn = db::connect_one(&db_settings)?;
    let cli = RequestMeta::local("gopy bench");
    // Cheap hashes for the seeded clients (they get sessions directly); a real one for the login flood.
    let cheap = hash_with(
        &argon2::Params::new(8, 1, 1, None).map_err(|e| anyhow::anyhow!("{e}"))?,
        BENCH_PASSWORD,
    )?;
    let real = hash_with(&params(&settings.auth)?, BENCH_PASSWORD)?;
    let add = |conn: &mut DbConn, email: String, roles: Vec<Role>, hash: &str| {
        let rec = UserRecord {
            email,
            full_name: "Người Đo Hiệu Năng".into(),
            unit_id: None,
            roles,
            password_hash: Some(hash.to_owned()),
        };
        users::create(conn, None, &cli, &rec, settings).map_err(|e| anyhow::anyhow!(e.describe()))
    };
    let secretariat = add(
        &mut conn,
        "thuky@bench.gopy.vn".into(),
        vec![Role::Secretariat],
        &cheap,
    )?;
    // `n` accounts `<prefix><i>@bench.gopy.vn` holding `role`, with the cheap hash.
    let numbered = |conn: &mut DbConn, prefix: &str, n: usize, role: Role| {
        (0..n)
            .map(|i| {
                add(
                    conn,
                    format!("{prefix}{i}@bench.gopy.vn"),
                    vec![role],
                    &cheap,
                )
            })
            .collect::<anyhow::Result<Vec<i64>>>()
    };
    let employee_ids = numbered(&mut conn, "nv", clients, Role::Employee)?;
    // A flood is many people signing in, not one account (whose attempts in flight would count
    // towards its own lockout).
    let mut login_emails = Vec::new();
    for i in 0..LOGIN_ACCOUNTS {
        let email = format!("dangnhap{i}@bench.gopy.vn");
        add(&mut conn, email.clone(), vec![Role::Employee], &real)?;
        login_emails.push(email);
    }
    let moderator_ids = numbered(&mut conn, "kiemduyet", MODERATORS, Role::Moderator)?;
    let s = users::actor(&mut conn, secretariat).map_err(|e| anyhow::anyhow!(e.describe()))?;
    let document = |conn: &mut DbConn, title: &str| -> anyhow::Result<(i64, Vec<i64>)> {
        let new = NewDocument {
            title: title.into(),
            code: None,
            summary: None,
            opens_at: None,
            closes_at: None,
        };
        let id = drafts::create(conn, &s, &cli, new)
            .map_err(|e| anyhow::anyhow!(e.describe()))?
            .id;
        let mut sections = Vec::new();
        for label in ["Điều 1", "Điều 2"] {
            let sec = NewSection {
                parent_id: None,
                label: Some(label.into()),
                heading: None,
                body: "Nội dung điều khoản.".into(),
                position: None,
            };
            sections.push(
                drafts::add_section(conn, &s, &cli, id, sec)
                    .map_err(|e| anyhow::anyhow!(e.describe()))?
                    .id,
            );
        }
        drafts::publish(conn, &s, &cli, id).map_err(|e| anyhow::anyhow!(e.describe()))?;
        Ok((id, sections))
    };
    let (doc, sections) = document(&mut conn, "Dự thảo đo hiệu năng")?;
    let (export_small, small_sections) = document(&mut conn, "Dự thảo xuất nhỏ")?;
    let (export_large, large_sections) = document(&mut conn, "Dự thảo xuất lớn")?;
    let campaign_docs = (
        document(&mut conn, "Dự thảo đo chiến dịch (sàng lọc bật)")?.0,
        document(&mut conn, "Dự thảo đo chiến dịch (sàng lọc tắt)")?.0,
    );
    let author = employee_ids[0];
    bulk_comments(&mut conn, doc, sections[1], author, read_rows, "READ")?;
    bulk_comments(
        &mut conn,
        export_small,
        small_sections[0],
        author,
        export_rows.0,
        "SMALL",
    )?;
    bulk_comments(
        &mut conn,
        export_large,
        large_sections[0],
        author,
        export_rows.1,
        "LARGE",
    )?;
    if let DbConn::Pg(_) = *conn {
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    let mut token = |id: i64| -> anyhow::Result<String> {
        Ok(login::open_session(&mut conn, id, 24 * 60, &cli)?.0)
    };
    let mut tokens = |ids: &[i64]| {
        ids.iter()
            .map(|id| token(*id))
            .collect::<anyhow::Result<Vec<_>>>()
    };
    let employee_tokens = tokens(&employee_ids)?;
    let moderator_tokens = tokens(&moderator_ids)?;
    let secretariat_token = token(secretariat)?;
    Ok(Seeded {
        doc,
        submit_section: sections[0],
        read_section: sections[1],
        export_small,
        export_large,
        export_large_section: large_sections[0],
        employee_tokens,
        employee_ids,
        secretariat_token,
        moderator_tokens,
        login_emails,
        campaign_docs,
    })
}

/// `gopy serve` on `url`, as a child process.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(
        url: &str,
        out_dir: &std::path::Path,
        env: &[(&str, String)],
    ) -> anyhow::Result<Server> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("serve")
            .env("GOPY__DATABASE__URL", url)
            .env("GOPY__SERVER__PORT", "0")
            .env("GOPY__MAIL__DIR", out_dir.join("mail"))
            // The seeded clients each write thousands of comments a run: the limit is checked
            // (its cost measured) but set out of reach.
            .env("GOPY__COMMENTS__MAX_PER_HOUR", "100000000")
            .env("RUST_LOG", "warn,gopy=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn()?;
        let stderr = BufReader::new(
            child
                .stderr
                .take()
                .ok_or_else(|| anyhow::anyhow!("no stderr"))?,
        );
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let port = loop {
            let line = rx.recv_timeout(Duration::from_secs(60))?;
            if let Some(rest) = line.split("listening port=").nth(1) {
                break rest
                    .trim()
                    .trim_end_matches(|c: char| !c.is_ascii_digit())
                    .to_owned();
            }
        };
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "gopy did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Server { child, base })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, in KiB (Linux).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

pub fn conn_for(url: &str) -> anyhow::Result<DbConn> {
    Ok(ConnectionManager::new(url)?.establish()?)
}

/// Comments counted, for sanity checks.
pub fn count_comments(url: &str, doc: i64) -> anyhow::Result<i64> {
    use crate::db::schema::comments;
    let mut conn = conn_for(url)?;
    Ok(comments::table
        .filter(comments::document_id.eq(doc))
        .count()
        .get_result(&mut conn)?)
}
