//! Scenarios 11 and 12: what running gopy costs besides answering. (11) `gopy backup` of the
//! embedded database while the service runs, against copying the same file; (12) the metrics
//! middleware: pages of approved comments from a server with `server.metrics_port` set against
//! the bench's own server without it, measured by turns.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bench::load::{closed_loop_by_turns, Stats};
use crate::bench::scenarios::get_as_employee;
use crate::bench::setup::Server;
use crate::bench::{Ctx, Outcome};
use crate::config::DatabaseSettings;

/// One "request" of `seconds`, for scenarios timed once.
fn once(seconds: f64, units: u64) -> Stats {
    Stats {
        requests: units,
        errors: 0,
        seconds,
        throughput: units as f64 / seconds.max(1e-9),
        p50_ms: 1000.0 * seconds,
        p99_ms: 1000.0 * seconds,
        max_ms: 1000.0 * seconds,
    }
}

fn timed<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(T, f64)> {
    let t = Instant::now();
    let out = f()?;
    Ok((out, t.elapsed().as_secs_f64()))
}

/// Copy `from` to `to` and sync the copy: the file system's own speed for the same bytes.
fn plain_copy(from: &Path, to: &Path) -> anyhow::Result<u64> {
    let bytes = std::fs::copy(from, to)?;
    std::fs::File::open(to)?.sync_all()?;
    Ok(bytes)
}

/// Scenario 11 (SQLite): a backup of the seeded database while gopy serves it.
pub(crate) async fn backup(ctx: &Arc<Ctx>) -> anyhow::Result<Outcome> {
    let url = ctx.url.clone();
    let dir = ctx.args.out.clone();
    let (copy, native) = tokio::task::spawn_blocking(move || {
        let file = crate::db::sqlite_file(&url)?
            .ok_or_else(|| anyhow::anyhow!("a backup of PostgreSQL asked"))?;
        let (dest, plain) = (
            dir.join("bench-backup.sqlite3"),
            dir.join("bench-copy.sqlite3"),
        );
        for f in [&dest, &plain] {
            let _ = std::fs::remove_file(f);
        }
        let settings = DatabaseSettings::only(&url, 1, 10);
        let (copy, seconds) = timed(|| Ok(crate::backup::service::backup(&settings, &dest)?))?;
        let (bytes, native) = timed(|| plain_copy(&file, &plain))?;
        for f in [&dest, &plain] {
            let _ = std::fs::remove_file(f);
        }
        anyhow::Ok((
            (once(seconds, copy.bytes >> 20), copy.comments),
            once(native, bytes >> 20),
        ))
    })
    .await??;
    let ((gopy, comments), native) = (copy, native);
    let r = gopy.throughput / native.throughput.max(1e-9);
    Ok(Outcome {
        scenario: format!("11. backup of the database ({comments} comments) while serving (MB/s)"),
        goal: "≥ 0.2× copying the file (a backup within 5× a copy's time)".into(),
        met: r >= 0.2,
        note: format!(
            "{} MB in {:.2} s (VACUUM INTO, synced, checked); cp + fsync {:.2} s",
            gopy.requests, gopy.seconds, native.seconds
        ),
        ratio: Some(r),
        native: Some(native),
        native_name: "file copy + fsync",
        gopy,
    })
}

/// A page of 50 approved comments from the server at `base`, as the `client`th employee.
async fn page(c: &Ctx, base: &str, client: usize) -> bool {
    let s = &c.seeded;
    let url = format!(
        "{base}/api/v1/documents/{}/comments?section_id={}&limit=50",
        s.doc, s.read_section
    );
    get_as_employee(c, url, client).await
}

/// Scenario 12: the cost of counting every request for `/metrics`.
pub(crate) async fn metrics(ctx: &Arc<Ctx>) -> anyhow::Result<Outcome> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let counted = Server::start(
        &ctx.url,
        &ctx.args.out,
        &[("GOPY__SERVER__METRICS_PORT", port.to_string())],
    )?;
    let d = Duration::from_secs(ctx.args.duration);
    let (on_base, off_base) = (counted.base.clone(), ctx.server.base.clone());
    let (a, b) = (ctx.clone(), ctx.clone());
    let (on, off) = closed_loop_by_turns(
        ctx.args.clients,
        d,
        10,
        move |client, _| {
            let (c, base) = (a.clone(), on_base.clone());
            async move { page(&c, &base, client).await }
        },
        move |client, _| {
            let (c, base) = (b.clone(), off_base.clone());
            async move { page(&c, &base, client).await }
        },
    )
    .await;
    // The metrics listener answered while the pages were counted.
    let scrape = ctx
        .http
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    anyhow::ensure!(
        scrape.contains("/api/v1/documents/{id}/comments"),
        "the metrics did not count the pages"
    );
    drop(counted);
    let r = on.throughput / off.throughput.max(1e-9);
    Ok(Outcome {
        scenario: format!(
            "12. pages of 50 comments with metrics on, {} clients",
            ctx.args.clients
        ),
        goal: "≥ 0.95× metrics off".into(),
        met: r >= 0.95,
        note: format!(
            "{} and {} errors; p99 {:.2} ms on, {:.2} ms off",
            on.errors, off.errors, on.p99_ms, off.p99_ms
        ),
        ratio: Some(r),
        native: Some(off),
        native_name: "the same server, metrics off",
        gopy: on,
    })
}
