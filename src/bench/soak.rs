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
use crate::bench::scenarios::Poster;
use crate::bench::setup::{rss_kib, BENCH_PASSWORD};
use crate::bench::soak_report::{report, Done, SoakReport};
use crate::bench::Ctx;
use crate::comments::types::Action;

/// Share of the load at which the soak runs, of the capacity measured first.
pub(crate) const LOAD: f64 = 0.7;
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

    pub(crate) fn name(self) -> &'static str {
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
pub(crate) enum Ending {
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
async fn request(c: &Ctx, poster: &Poster, kind: Kind, n: u64) -> Ending {
    let s = &c.seeded;
    let base = &c.server.base;
    let employee = &s.employee_tokens[n as usize % s.employee_tokens.len()];
    match kind {
        Kind::Submission => {
            let res = poster.post(n as usize, &format!("soak-{n}")).await;
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

/// The mix's capacity: closed-loop clients for `d`, successful requests per second.
async fn capacity(ctx: &Arc<Ctx>, poster: &Poster, d: Duration) -> Stats {
    let (c, poster) = (ctx.clone(), poster.clone());
    closed_loop(ctx.args.clients, d, move |client, n| {
        let (c, poster) = (c.clone(), poster.clone());
        let n = n * c.args.clients as u64 + client as u64;
        async move { request(&c, &poster, Kind::of(n), n).await == Ending::Ok }
    })
    .await
}

pub(crate) async fn soak(ctx: &Arc<Ctx>, seconds: u64) -> anyhow::Result<SoakReport> {
    let poster = Poster::new(
        ctx,
        "Góp ý chạy dài: đề nghị bổ sung quy định chuyển tiếp cho cán bộ.",
    )?;
    let cap = capacity(ctx, &poster, Duration::from_secs(ctx.args.duration)).await;
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
                let (c, poster, tx) = (ctx.clone(), poster.clone(), tx.clone());
                tokio::spawn(async move {
                    let t = Instant::now();
                    let end = request(&c, &poster, kind, n).await;
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
