//! The database's own speed, measured in the same run: pgbench running the same INSERT and
//! SELECT, COPY for the export, and a raw SQLite insert loop with gopy's own settings.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::bench::load::{Run, Stats};
use crate::db::schema::comments;
use crate::db::{ConnectionManager, DbConn};

fn pg_tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.into_iter()
        .rev()
        .map(|d| d.join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The SELECT gopy runs for a page of a section's comments, as an employee sees them
/// (`:doc` is unused: gopy checks the section's document by its key first).
pub const PAGE_SQL: &str =
    "SELECT c.id, c.document_id, c.section_id, c.author_id, c.unit_id, c.body, c.proposed_text, \
     c.status, c.receipt, c.reason, c.created_at, c.decided_at, s.path, u.full_name, un.name \
     FROM comments c JOIN users u ON u.id = c.author_id LEFT JOIN units un ON un.id = c.unit_id \
     LEFT JOIN sections s ON s.id = c.section_id \
     WHERE c.section_id = :sec AND (c.status = 'approved' OR c.author_id = :me) \
     ORDER BY c.id LIMIT 51;";

/// The statements gopy runs for `GET /search?q=quy hoach&kind=comment&limit=50` as an employee:
/// the newest id, then the newest window of comments read in id order (the word is common
/// enough that the window holds a page).
pub const SEARCH_SQL: &str = "SELECT max(id) - 20000 AS floor, max(id) + 1 AS top FROM comments \\gset\n\
     SELECT c.id, c.document_id, c.section_id, s.path, c.body, c.proposed_text, c.created_at \
     FROM comments c JOIN documents d ON d.id = c.document_id \
     LEFT JOIN sections s ON s.id = c.section_id \
     WHERE d.status IN ('published', 'closed') AND c.id > :floor AND c.id < :top \
     AND (c.text_search || '') LIKE '%quy%' ESCAPE '\\' AND (c.text_search || '') LIKE '%hoach%' ESCAPE '\\' \
     AND (c.status = 'approved' OR c.author_id = :me) ORDER BY c.id DESC LIMIT 51;";

/// The INSERT of a comment with only the columns a row cannot do without: its search forms
/// empty, so the two trigram indexes get nothing to index (scenario 1's reference until
/// 2026-12-07, shown beside the one below).
pub const BARE_INSERT_SQL: &str = "\\set author random(:amin, :amax)\n\
     INSERT INTO comments (document_id, section_id, author_id, body, status, receipt, created_at, updated_at) \
     VALUES (:doc, :sec, :author, 'Góp ý đo hiệu năng: đề nghị bổ sung quy định chuyển tiếp.', 'pending', \
     md5(random()::text || clock_timestamp()::text), now()::timestamp, now()::timestamp);";

/// The INSERT of the row gopy wrote last on `section` — every column as gopy filled it, its
/// search forms (which the trigram indexes index) and screening included — with the author
/// drawn at random like the bare one and a receipt and times of its own.
pub fn same_row_insert_sql(url: &str, section: i64) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Script {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    let mut conn = crate::bench::setup::conn_for(url)?;
    let values = diesel::sql_query(
        "SELECT format('%L, %L, :author, %L, %L, %L, %L, \
             md5(random()::text || clock_timestamp()::text), now()::timestamp, now()::timestamp, \
             %L, %L, %L, %L, %L, %L, %L, %L', \
             document_id, section_id, unit_id, body, proposed_text, status, text_search, \
             text_lower, round_id, version, screening_score, screening, cluster_id, \
             on_behalf_of_unit) AS sql \
         FROM comments WHERE section_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind::<diesel::sql_types::BigInt, _>(section)
    .get_result::<Script>(&mut conn)?
    .sql;
    Ok(format!(
        "\\set author random(:amin, :amax)\n\
         INSERT INTO comments (document_id, section_id, author_id, unit_id, body, proposed_text, \
         status, receipt, created_at, updated_at, text_search, text_lower, round_id, version, \
         screening_score, screening, cluster_id, on_behalf_of_unit) VALUES ({values});"
    ))
}

/// Run a pgbench script with `clients` connections for `duration`; latencies from its log,
/// kept raw so that turns of it add up (`load::Run::add`).
pub(crate) fn pgbench(
    url: &str,
    script: &str,
    vars: &[(&str, i64)],
    clients: usize,
    duration: Duration,
    dir: &Path,
) -> anyhow::Result<Run> {
    let work = dir.join("pgbench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let file = work.join("script.sql");
    std::fs::write(&file, script)?;
    let mut cmd = Command::new(pg_tool("pgbench"));
    cmd.arg("-n")
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &duration.as_secs().to_string(),
        ])
        .arg("-f")
        .arg(&file)
        .arg("-l")
        .arg(format!("--log-prefix={}", work.join("log").display()));
    for (k, v) in vars {
        cmd.args(["-D", &format!("{k}={v}")]);
    }
    let out = cmd
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "pgbench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut micros = Vec::new();
    for entry in std::fs::read_dir(&work)?.flatten() {
        if !entry.file_name().to_string_lossy().starts_with("log") {
            continue;
        }
        for line in std::fs::read_to_string(entry.path())?.lines() {
            // client_id transaction_no latency_us script_no epoch epoch_us
            if let Some(us) = line
                .split_whitespace()
                .nth(2)
                .and_then(|v| v.parse::<u64>().ok())
            {
                micros.push(us);
            }
        }
    }
    Ok(Run {
        micros,
        errors: 0,
        seconds: duration.as_secs_f64(),
    })
}

/// COPY of the export's rows (the raw columns) to a pipe we read to the end: rows per second.
pub fn copy_export(url: &str, doc: i64) -> anyhow::Result<Stats> {
    let sql = format!(
        "COPY (SELECT c.id, c.receipt, s.path, u.full_name, un.name, c.created_at, c.decided_at, c.body, c.proposed_text \
         FROM comments c JOIN users u ON u.id = c.author_id LEFT JOIN units un ON un.id = c.unit_id \
         LEFT JOIN sections s ON s.id = c.section_id \
         WHERE c.document_id = {doc} AND c.status = 'approved' ORDER BY c.section_id, c.id) TO STDOUT (FORMAT csv, HEADER)"
    );
    Ok(psql_copy(url, &[sql])?.with_rows(|lines| lines.saturating_sub(1)))
}

/// PostgreSQL's own share of gopy's CSV export: the export's binary COPY of `section` (the
/// `rows` comments it holds), as psql runs it.
pub fn copy_export_as_gopy(url: &str, doc: i64, section: i64, rows: u64) -> anyhow::Result<Stats> {
    let statements = crate::feedback::copy_store::section_copy_statements(doc, section);
    // Binary: newlines in the data say nothing of its rows.
    Ok(psql_copy(url, &statements)?.with_rows(|_| rows))
}

/// Run `statements` with psql (the last a COPY … TO STDOUT), reading its output to the end:
/// the lines read in `requests`, and the time.
fn psql_copy(url: &str, statements: &[String]) -> anyhow::Result<Stats> {
    let start = Instant::now();
    let mut cmd = Command::new(pg_tool("psql"));
    cmd.arg(url).args(["-X", "-q"]);
    for s in statements {
        cmd.args(["-c", s]);
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn()?;
    let mut out = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        let n = out.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
    anyhow::ensure!(child.wait()?.success(), "psql COPY failed");
    Ok(Stats {
        requests: lines,
        seconds: start.elapsed().as_secs_f64(),
        ..Stats::default()
    })
}

/// One INSERT per transaction on a SQLite file with gopy's PRAGMAs (WAL, synchronous FULL).
pub fn sqlite_insert_loop(dir: &Path, duration: Duration) -> anyhow::Result<Stats> {
    let file = dir.join("raw.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let mut conn: DbConn =
        ConnectionManager::new(&format!("sqlite://{}", file.display()))?.establish()?;
    crate::db::run_migrations(&mut conn)?;
    diesel::sql_query(
        "INSERT INTO users (email, email_normalized, full_name, name_search, created_at, updated_at) \
         VALUES ('a@b.vn', 'a@b.vn', 'A', 'a', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .execute(&mut conn)?;
    diesel::sql_query(
        "INSERT INTO documents (title, title_search, status, created_by, created_at, updated_at) \
         VALUES ('D', 'd', 'published', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
    )
    .execute(&mut conn)?;
    let start = Instant::now();
    let mut micros = Vec::new();
    let mut n = 0u64;
    while start.elapsed() < duration {
        let t = Instant::now();
        let at = crate::db::now();
        diesel::insert_into(comments::table)
            .values((
                comments::document_id.eq(1i64),
                comments::author_id.eq(1i64),
                comments::body.eq("Góp ý đo hiệu năng: đề nghị bổ sung quy định chuyển tiếp."),
                comments::status.eq(crate::comments::types::CommentStatus::Pending.as_str()),
                comments::receipt.eq(format!("RAW-{n}")),
                comments::created_at.eq(at),
                comments::updated_at.eq(at),
            ))
            .execute(&mut conn)?;
        micros.push(t.elapsed().as_micros() as u64);
        n += 1;
    }
    Ok(Stats::from_latencies(
        micros,
        0,
        start.elapsed().as_secs_f64(),
    ))
}
