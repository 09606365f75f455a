//! Scenario 10: what the secretariat hands upward. (a) The XLSX workbook of the large export
//! against gopy's own CSV export of the same comments; (b) the Word report of a draft of 300
//! sections with 20,000 approved comments against the CSV export of the same comments. The
//! server's peak RSS is sampled during each download.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::bench::load::Stats;
use crate::bench::setup::{self, rss_kib};
use crate::bench::{Ctx, Outcome};
use crate::drafts::service as drafts;
use crate::drafts::types::{NewDocument, NewSection};
use crate::identity::RequestMeta;

/// One download, measured.
pub(crate) struct Fetched {
    pub bytes: u64,
    /// Line ends in the body (CSV rows + 1).
    pub newlines: u64,
    pub seconds: f64,
    /// The server's peak resident memory while it answered, in MB.
    pub peak_mb: f64,
    pub head: Vec<u8>,
}

/// GET `path` as the secretariat, reading the body to its end while sampling the server's RSS.
pub(crate) async fn fetch(ctx: &Arc<Ctx>, path: &str) -> anyhow::Result<Fetched> {
    let pid = ctx.server.pid();
    let peak = Arc::new(AtomicU64::new(rss_kib(pid).unwrap_or(0)));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let start = Instant::now();
    let res = ctx
        .http
        .get(format!("{}{path}", ctx.server.base))
        .bearer_auth(&ctx.seeded.secretariat_token)
        .timeout(Duration::from_secs(3600))
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "{path} answered {}",
        res.status()
    );
    let mut stream = res.bytes_stream();
    let (mut bytes, mut newlines, mut head) = (0u64, 0u64, Vec::new());
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if head.len() < 4 {
            head.extend(chunk.iter().take(4 - head.len()));
        }
        bytes += chunk.len() as u64;
        newlines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let _ = sampler.join();
    Ok(Fetched {
        bytes,
        newlines,
        seconds,
        peak_mb: peak.load(Ordering::Relaxed) as f64 / 1024.0,
        head,
    })
}

fn rows_per_second(rows: u64, seconds: f64) -> Stats {
    Stats {
        requests: rows,
        errors: 0,
        seconds,
        throughput: rows as f64 / seconds,
        p50_ms: 0.0,
        p99_ms: 0.0,
        max_ms: 0.0,
    }
}

/// A published draft of `sections` sections with `comments` approved comments spread over
/// them, made through the services and bulk SQL as the other seeded drafts are.
fn report_draft(ctx: &Ctx, sections: usize, comments: usize) -> anyhow::Result<i64> {
    let mut conn = setup::conn_for(&ctx.url)?;
    let meta = RequestMeta::local("gopy bench");
    let email = "thuky@bench.gopy.vn";
    let id = crate::accounts::store::users::active_id(&mut conn, email)?
        .ok_or_else(|| anyhow::anyhow!("no {email}"))?;
    let actor = crate::accounts::service::users::actor(&mut conn, id)
        .map_err(|e| anyhow::anyhow!(e.describe()))?;
    let fail = |e: crate::error::AppError| anyhow::anyhow!(e.describe());
    let new = NewDocument {
        title: "Dự thảo đo báo cáo".into(),
        code: None,
        summary: None,
        opens_at: None,
        closes_at: None,
    };
    let doc = drafts::create(&mut conn, &actor, &meta, new)
        .map_err(fail)?
        .id;
    let mut ids = Vec::with_capacity(sections);
    for i in 1..=sections {
        let s = NewSection {
            parent_id: None,
            label: Some(format!("Điều {i}")),
            heading: None,
            body: "Nội dung điều khoản.".into(),
            position: None,
        };
        ids.push(
            drafts::add_section(&mut conn, &actor, &meta, doc, s)
                .map_err(fail)?
                .id,
        );
    }
    drafts::publish(&mut conn, &actor, &meta, doc).map_err(fail)?;
    let author = ctx.seeded.employee_ids[0];
    for (i, section) in ids.iter().enumerate() {
        let n = comments / sections + usize::from(i < comments % sections);
        setup::bulk_comments(&mut conn, doc, *section, author, n, &format!("R{i}"))?;
    }
    Ok(doc)
}

pub(crate) async fn closing(ctx: &Arc<Ctx>) -> anyhow::Result<Vec<Outcome>> {
    let mut out = Vec::new();
    let large = ctx.seeded.export_large;
    let rows = ctx.args.export_rows as u64;
    let feedback =
        |doc: i64, format: &str| format!("/api/v1/documents/{doc}/feedback?format={format}");
    let csv = fetch(ctx, &feedback(large, "csv")).await?;
    anyhow::ensure!(csv.newlines == rows + 1, "CSV had {} lines", csv.newlines);
    let xlsx = fetch(ctx, &feedback(large, "xlsx")).await?;
    anyhow::ensure!(xlsx.head.starts_with(b"PK"), "the workbook is not a zip");
    let (gopy, native) = (
        rows_per_second(rows, xlsx.seconds),
        rows_per_second(rows, csv.seconds),
    );
    let r = gopy.throughput / native.throughput;
    out.push(Outcome {
        scenario: format!("10a. XLSX workbook of {rows} comments (rows/s)"),
        goal: "≥ 0.25× CSV, peak RSS ≤ 96 MB".into(),
        met: r >= 0.25 && xlsx.peak_mb <= 96.0,
        note: format!(
            "gopy peak RSS {:.1} MB, {:.1} MB file",
            xlsx.peak_mb,
            xlsx.bytes as f64 / 1e6
        ),
        ratio: Some(r),
        native: Some(native),
        native_name: "gopy CSV export, same comments",
        gopy,
    });

    let (sections, comments) = (300, ctx.args.report_comments);
    let c = ctx.clone();
    let doc = tokio::task::spawn_blocking(move || report_draft(&c, sections, comments)).await??;
    let csv = fetch(ctx, &feedback(doc, "csv")).await?;
    anyhow::ensure!(
        csv.newlines == comments as u64 + 1,
        "CSV had {} lines",
        csv.newlines
    );
    let docx = fetch(ctx, &format!("/api/v1/documents/{doc}/report.docx")).await?;
    anyhow::ensure!(docx.head.starts_with(b"PK"), "the report is not a zip");
    let times = docx.seconds / csv.seconds;
    out.push(Outcome {
        scenario: format!("10b. Word report, {sections} sections, {comments} comments (reports/s)"),
        goal: "≤ 10× the CSV export's time, peak RSS ≤ 128 MB".into(),
        met: times <= 10.0 && docx.peak_mb <= 128.0,
        note: format!(
            "{times:.1}× the CSV's {:.2} s; gopy peak RSS {:.1} MB",
            csv.seconds, docx.peak_mb
        ),
        ratio: Some(csv.seconds / docx.seconds),
        native: Some(rows_per_second(1, csv.seconds)),
        native_name: "gopy CSV export, same comments",
        gopy: rows_per_second(1, docx.seconds),
    });
    Ok(out)
}
