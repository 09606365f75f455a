//! `gopy bench --soak SECONDS`: mixed load (submission, page reads, moderation, a CSV export,
//! sign-in) at 70 % of the capacity the same mix reached just before, for a long time. What
//! it looks for is drift: server errors, each kind's p99 in the last window against the first,
//! and the server's resident memory growing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::Serialize;
use tokio::sync::{mpsc, Semaphore};

use crate::bench::load::{closed_loop, Stats};
use crate::bench::setup::{rss_kib, BENCH_PASSWORD};
use crate::bench::Ctx;
use crate::comments::types::Action;

/// Share of the load at which the soak runs, of the capacity measured first.
const LOAD: f64 = 0.7;
/// Requests the generator keeps in flight at most; beyond it an arrival counts as failed
/// (the server has stopped keeping up, which the soak is there to show).
const MAX_IN_FLIGHT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Submission,
    Read,
    Moderation,
    Export,
    SignIn,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Submission,
        Kind::Read,
        Kind::Moderation,
        Kind::Export,
        Kind::SignIn,
    ];

    /// The mix, in requests out of 100: people mostly write and read; a moderator decides
    /// (a claim and a decision), the secretariat exports now and then, people sign in.
    fn weight(self) -> u64 {
        match self {
            Kind::Submission => 45,
            Kind::Read => 40,
            Kind::Moderation => 12,
            Kind::Export => 1,
            Kind::SignIn => 2,
        }
    }

    /// The kind of the `n`th request: the mix spread evenly over every run of 100.
    fn of(n: u64) -> Kind {
        let mut slot = (n * 37) % 100;
        for k in Kind::ALL {
            if slot < k.weight() {
                return k;
            }
            slot -= k.weight();
        }
        Kind::Read
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Submission => "submission",
            Kind::Read => "page of 50 comments",
            Kind::Moderation => "claim + approve",
            Kind::Export => "CSV export, 10,000 rows",
            Kind::SignIn => "sign-in",
        }
    }
}

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Ok,
    /// A 5xx, or no answer at all.
    ServerError,
    /// Any other answer the request should not have had.
    Unexpected,
}

fn ending(res: &reqwest::Result<reqwest::Response>, wanted: StatusCode) -> Ending {
    match res {
        Ok(r) if r.status() == wanted => Ending::Ok,
        Ok(r) if !r.status().is_server_error() => Ending::Unexpected,
        _ => Ending::ServerError,
    }
}

/// One request of `kind`, the `n`th of the run.
async fn request(c: &Ctx, kind: Kind, n: u64) -> Ending {
    let s = &c.seeded;
    let base = &c.server.base;
    let employee = &s.employee_tokens[n as usize % s.employee_tokens.len()];
    match kind {
        Kind::Submission => {
            let res = c
                .http
                .post(format!("{base}/api/v1/documents/{}/comments", s.doc))
                .bearer_auth(employee)
                .header(
                    "Idempotency-Key",
                    format!("soak-{n}-{}", uuid::Uuid::new_v4()),
                )
                .json(&serde_json::json!({
                    "section_id": s.submit_section,
                    "body": "Góp ý chạy dài: đề nghị bổ sung quy định chuyển tiếp cho cán bộ.",
                }))
                .send()
                .await;
            ending(&res, StatusCode::CREATED)
        }
        Kind::Read => {
            let res = c
                .http
                .get(format!(
                    "{base}/api/v1/documents/{}/comments?section_id={}&limit=50",
                    s.doc, s.read_section
                ))
                .bearer_auth(employee)
                .send()
                .await;
            read_body(res, StatusCode::OK).await
        }
        Kind::Moderation => moderate(c, n).await,
        Kind::Export => {
            let res = c
                .http
                .get(format!(
                    "{base}/api/v1/documents/{}/feedback?format=csv",
                    s.export_small
                ))
                .bearer_auth(&s.secretariat_token)
                .send()
                .await;
            read_body(res, StatusCode::OK).await
        }
        Kind::SignIn => {
            let emails = &s.login_emails;
            let res = c
                .http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({
                    "email": emails[n as usize % emails.len()],
                    "password": BENCH_PASSWORD,
                }))
                .send()
                .await;
            ending(&res, StatusCode::OK)
        }
    }
}

async fn read_body(res: reqwest::Result<reqwest::Response>, wanted: StatusCode) -> Ending {
    match (ending(&res, wanted), res) {
        (Ending::Ok, Ok(r)) => match r.bytes().await {
            Ok(_) => Ending::Ok,
            Err(_) => Ending::ServerError,
        },
        (other, _) => other,
    }
}

/// A moderator claims the oldest waiting comment of the draft and approves it.
async fn moderate(c: &Ctx, n: u64) -> Ending {
    let s = &c.seeded;
    let token = &s.moderator_tokens[n as usize % s.moderator_tokens.len()];
    let base = &c.server.base;
    let res = c
        .http
        .post(format!("{base}/api/v1/moderation/claims"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "document_id": s.doc, "limit": 1 }))
        .send()
        .await;
    if ending(&res, StatusCode::OK) != Ending::Ok {
        return ending(&res, StatusCode::OK);
    }
    let Ok(claimed) = res else {
        return Ending::ServerError;
    };
    let Ok(claimed) = claimed.json::<serde_json::Value>().await else {
        return Ending::ServerError;
    };
    let Some(id) = claimed["items"][0]["id"].as_i64() else {
        // Nothing waiting: the claim itself was the request.
        return Ending::Ok;
    };
    let res = c
        .http
        .post(format!("{base}/api/v1/comments/{id}/moderation"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "action": Action::Approve.as_str() }))
        .send()
        .await;
    ending(&res, StatusCode::OK)
}

/// What one kind of request did in one window of the run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Window {
    pub ok: u64,
    pub server_errors: u64,
    pub unexpected: u64,
    pub p99_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct KindReport {
    pub kind: Kind,
    pub first: Window,
    pub last: Window,
    pub server_errors: u64,
    pub unexpected: u64,
    /// Last window's p99 over the first's.
    pub p99_growth: f64,
}

#[derive(Debug, Serialize)]
pub struct SoakReport {
    pub seconds: u64,
    pub window_seconds: u64,
    pub capacity_per_s: f64,
    pub rate_per_s: f64,
    pub requests: u64,
    pub kinds: Vec<KindReport>,
    pub rss_first_mb: f64,
    pub rss_last_mb: f64,
    pub rss_growth: f64,
    pub met: bool,
}

/// One finished request: its kind, when it began (seconds into the run), how it ended, and how
/// long it took (µs).
type Done = (Kind, f64, Ending, u64);

/// The mix's capacity: closed-loop clients for `d`, successful requests per second.
async fn capacity(ctx: &Arc<Ctx>, d: Duration) -> Stats {
    let c = ctx.clone();
    closed_loop(ctx.args.clients, d, move |client, n| {
        let c = c.clone();
        let n = n * c.args.clients as u64 + client as u64;
        async move { request(&c, Kind::of(n), n).await == Ending::Ok }
    })
    .await
}

pub(crate) async fn soak(ctx: &Arc<Ctx>, seconds: u64) -> anyhow::Result<SoakReport> {
    let cap = capacity(ctx, Duration::from_secs(ctx.args.duration)).await;
    anyhow::ensure!(
        cap.throughput > 0.0,
        "the mix served nothing while measuring capacity"
    );
    let rate = LOAD * cap.throughput;
    // A minute at a time; a short soak (a test) in thirds.
    let window = (seconds / 3).clamp(1, 60);
    eprintln!(
        "soak: capacity {:.0}/s ({} errors); {seconds} s at {rate:.0}/s, windows of {window} s",
        cap.throughput, cap.errors
    );

    let pid = ctx.server.pid();
    let rss = Arc::new(std::sync::Mutex::new(Vec::<(f64, u64)>::new()));
    let start = Instant::now();
    let sampler = {
        let rss = rss.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            while start.elapsed().as_secs() < seconds {
                tick.tick().await;
                if let (Some(kib), Ok(mut v)) = (rss_kib(pid), rss.lock()) {
                    v.push((start.elapsed().as_secs_f64(), kib));
                }
            }
        })
    };

    let (tx, mut rx) = mpsc::unbounded_channel::<Done>();
    let collector = tokio::spawn(async move {
        let mut all = Vec::new();
        while let Some(d) = rx.recv().await {
            all.push(d);
        }
        all
    });
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut n = 0u64;
    while start.elapsed().as_secs() < seconds {
        tick.tick().await;
        let kind = Kind::of(n);
        let at = start.elapsed().as_secs_f64();
        match slots.clone().try_acquire_owned() {
            Ok(permit) => {
                let (c, tx) = (ctx.clone(), tx.clone());
                tokio::spawn(async move {
                    let t = Instant::now();
                    let end = request(&c, kind, n).await;
                    let _ = tx.send((kind, at, end, t.elapsed().as_micros() as u64));
                    drop(permit);
                });
            }
            Err(_) => {
                let _ = tx.send((kind, at, Ending::ServerError, 0));
            }
        }
        n += 1;
    }
    drop(tx);
    let done = collector.await?;
    sampler.abort();
    let rss = rss.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(report(seconds, window, cap.throughput, rate, &done, &rss))
}

fn window_of(done: &[Done], kind: Kind, from: f64, to: f64) -> Window {
    let mut w = Window::default();
    let mut micros = Vec::new();
    for (k, at, end, us) in done {
        if *k != kind || *at < from || *at >= to {
            continue;
        }
        match end {
            Ending::Ok => micros.push(*us),
            Ending::ServerError => w.server_errors += 1,
            Ending::Unexpected => w.unexpected += 1,
        }
    }
    let stats = Stats::from_latencies(micros, 0, to - from);
    w.ok = stats.requests;
    w.p99_ms = stats.p99_ms;
    w
}

/// The largest sample in `[from, to)`, in MB.
fn peak_mb(rss: &[(f64, u64)], from: f64, to: f64) -> f64 {
    rss.iter()
        .filter(|(at, _)| *at >= from && *at < to)
        .map(|(_, kib)| *kib)
        .max()
        .unwrap_or(0) as f64
        / 1024.0
}

fn report(
    seconds: u64,
    window: u64,
    capacity: f64,
    rate: f64,
    done: &[Done],
    rss: &[(f64, u64)],
) -> SoakReport {
    let (w, end) = (window as f64, seconds as f64);
    let kinds: Vec<KindReport> = Kind::ALL
        .iter()
        .map(|&kind| {
            let first = window_of(done, kind, 0.0, w);
            let last = window_of(done, kind, end - w, end);
            let all = window_of(done, kind, 0.0, f64::MAX);
            KindReport {
                kind,
                p99_growth: last.p99_ms / first.p99_ms.max(1e-9),
                first,
                last,
                server_errors: all.server_errors,
                unexpected: all.unexpected,
            }
        })
        .collect();
    let (rss_first_mb, rss_last_mb) = (peak_mb(rss, 0.0, w), peak_mb(rss, end - w, end));
    let rss_growth = rss_last_mb / rss_first_mb.max(1e-9) - 1.0;
    let met = rss_growth <= 0.10
        && kinds
            .iter()
            .all(|k| k.server_errors == 0 && k.unexpected == 0 && k.p99_growth <= 1.5);
    SoakReport {
        seconds,
        window_seconds: window,
        capacity_per_s: capacity,
        rate_per_s: rate,
        requests: done.len() as u64,
        kinds,
        rss_first_mb,
        rss_last_mb,
        rss_growth,
        met,
    }
}

pub(crate) fn print(r: &SoakReport) {
    println!(
        "\nsoak: {} s at {:.0} requests/s ({:.0} % of the mix's capacity, {:.0}/s), {} requests, windows of {} s",
        r.seconds,
        r.rate_per_s,
        LOAD * 100.0,
        r.capacity_per_s,
        r.requests,
        r.window_seconds
    );
    println!(
        "{:<26} {:>9} {:>9} {:>12} {:>12} {:>7} {:>14} {:>11}",
        "kind",
        "first ok",
        "last ok",
        "first p99 ms",
        "last p99 ms",
        "growth",
        "server errors",
        "unexpected"
    );
    for k in &r.kinds {
        println!(
            "{:<26} {:>9} {:>9} {:>12.2} {:>12.2} {:>7.2} {:>14} {:>11}",
            k.kind.name(),
            k.first.ok,
            k.last.ok,
            k.first.p99_ms,
            k.last.p99_ms,
            k.p99_growth,
            k.server_errors,
            k.unexpected
        );
    }
    println!(
        "RSS (peak of the window): {:.1} MB first → {:.1} MB last ({:+.1} %)",
        r.rss_first_mb,
        r.rss_last_mb,
        100.0 * r.rss_growth
    );
    println!(
        "goal: 0 server errors, each kind's last-window p99 ≤ 1.5× its first, RSS growth ≤ 10 %: {}",
        if r.met { "met" } else { "NOT met" }
    );
}
