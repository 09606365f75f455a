//! `gopy bench`: gopy's speed relative to the database it runs on, measured in one run.
//! Each scenario runs gopy (a separate process on a fresh database) and the database's own
//! equivalent (pgbench, COPY, a raw SQLite loop), then prints ratios and writes JSON.

mod campaigns;
mod closing;
mod import;
pub mod load;
pub mod native;
mod operations;
mod pages;
mod scenarios;
pub mod setup;
mod signin;
mod soak;
mod soak_report;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::bench::load::Stats;
use crate::bench::setup::{Seeded, Server};
use crate::config::Settings;
use crate::db::{Backend, ConnectionManager};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// PostgreSQL (an admin URL: the bench creates its own `gopy_bench` database) or `sqlite://…`.
    /// The default turns TLS off: libpq would otherwise negotiate it over loopback, where it
    /// protects nothing (README, Deploying); gopy and pgbench get the same URL.
    #[arg(
        long,
        env = "GOPY_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
    )]
    pub database_url: String,
    /// Seconds per measured run.
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Concurrent clients for submission and reading.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Approved comments in the large export.
    #[arg(long, default_value_t = 1_000_000)]
    pub export_rows: usize,
    /// Comments submitted in scenario 9 (campaigns), each to both servers.
    #[arg(long, default_value_t = 100_000)]
    pub campaign_comments: usize,
    /// Approved comments in scenario 10's Word report (over 300 sections).
    #[arg(long, default_value_t = 20_000)]
    pub report_comments: usize,
    /// Only these scenarios (1–12).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<u8>,
    /// Instead of the scenarios: mixed load at 70 % of its measured capacity for this many
    /// seconds, reporting server errors, latency drift and memory growth (README: 600 s).
    #[arg(long)]
    pub soak: Option<u64>,
    /// Where the JSON results go.
    #[arg(long, default_value = "target/bench")]
    pub out: PathBuf,
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub scenario: String,
    pub gopy: Stats,
    pub native: Option<Stats>,
    pub native_name: &'static str,
    pub ratio: Option<f64>,
    pub goal: String,
    pub met: bool,
    pub note: String,
}

pub(crate) struct Ctx {
    pub(crate) args: BenchArgs,
    pub(crate) backend: Backend,
    pub(crate) url: String,
    pub(crate) seeded: Seeded,
    pub(crate) server: Server,
    pub(crate) http: reqwest::Client,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)?;
    let backend = ConnectionManager::new(&args.database_url)?.backend();
    let settings = Settings::built_in()?;
    let url = setup::fresh_database(&args.database_url, &args.out)?;
    eprintln!(
        "seeding {} (export {} rows)…",
        crate::config::redact_url(&url),
        args.export_rows
    );
    let t = Instant::now();
    let seeded = setup::seed(
        &url,
        &settings,
        args.clients,
        10_000,
        (10_000, args.export_rows),
    )?;
    eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    let server = Server::start(&url, &args.out, &[])?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        // Like a well-set balancer: idle connections go before gopy's keep-alive closes them,
        // never reused at the moment the server closes one (reqwest keeps them 90 s).
        .pool_idle_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(60))
        .build()?;
    let ctx = Arc::new(Ctx {
        args: args.clone(),
        backend,
        url,
        seeded,
        server,
        http,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if let Some(seconds) = args.soak {
        let report = rt.block_on(soak::soak(&ctx, seconds))?;
        soak_report::print(&report);
        let file = write_results(&args, backend, "soak", serde_json::to_value(&report)?)?;
        println!("\nresults written to {}", file.display());
        return Ok(());
    }
    let wanted = |n: u8| args.only.is_empty() || args.only.contains(&n);
    let mut outcomes = Vec::new();
    rt.block_on(async {
        if wanted(1) && backend == Backend::Postgres {
            outcomes.push(scenarios::submit(&ctx, 1).await?);
        }
        if wanted(2) {
            outcomes.push(scenarios::read_page(&ctx).await?);
        }
        if wanted(3) {
            outcomes.extend(scenarios::export(&ctx).await?);
        }
        if wanted(4) {
            outcomes.extend(signin::sign_ins(&ctx).await?);
        }
        if wanted(5) && backend == Backend::Sqlite {
            outcomes.push(scenarios::submit(&ctx, 5).await?);
        }
        if wanted(6) {
            outcomes.push(scenarios::search(&ctx).await?);
        }
        if wanted(7) {
            outcomes.push(import::import(&ctx).await?);
        }
        if wanted(8) {
            outcomes.push(pages::draft_page(&ctx).await?);
        }
        if wanted(9) {
            outcomes.push(campaigns::campaigns(&ctx).await?);
        }
        if wanted(10) {
            outcomes.extend(closing::closing(&ctx).await?);
        }
        if wanted(11) && backend == Backend::Sqlite {
            outcomes.push(operations::backup(&ctx).await?);
        }
        if wanted(12) {
            outcomes.push(operations::metrics(&ctx).await?);
        }
        anyhow::Ok(())
    })?;
    print_table(backend, &outcomes);
    let file = write_results(
        &args,
        backend,
        "bench",
        serde_json::json!({ "outcomes": outcomes }),
    )?;
    println!("\nresults written to {}", file.display());
    Ok(())
}

/// Write `results` with the machine's description to `<out>/<what>-<backend>-<time>.json`.
fn write_results(
    args: &BenchArgs,
    backend: Backend,
    what: &str,
    results: serde_json::Value,
) -> anyhow::Result<PathBuf> {
    let file = args.out.join(format!(
        "{what}-{}-{}.json",
        if backend == Backend::Postgres {
            "postgres"
        } else {
            "sqlite"
        },
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ));
    let machine = serde_json::json!({
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
    });
    let mut doc = serde_json::json!({ "machine": machine });
    if let (Some(doc), serde_json::Value::Object(results)) = (doc.as_object_mut(), results) {
        doc.extend(results);
    }
    std::fs::write(&file, serde_json::to_vec_pretty(&doc)?)?;
    Ok(file)
}

fn print_table(backend: Backend, outcomes: &[Outcome]) {
    println!(
        "\ngopy bench on {backend:?}, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<62} {:>11} {:>8} {:>8} {:>11} {:>7}  {:<5} goal",
        "scenario", "gopy /s", "p50 ms", "p99 ms", "native /s", "ratio", "met"
    );
    for o in outcomes {
        println!(
            "{:<62} {:>11.0} {:>8.2} {:>8.2} {:>11} {:>7}  {:<5} {}",
            o.scenario,
            o.gopy.throughput,
            o.gopy.p50_ms,
            o.gopy.p99_ms,
            o.native
                .as_ref()
                .map_or("-".into(), |n| format!("{:.0}", n.throughput)),
            o.ratio.map_or("-".into(), |r| format!("{r:.2}")),
            if o.met { "yes" } else { "NO" },
            o.goal
        );
        println!("{:<62} {}", "", o.note);
    }
}
