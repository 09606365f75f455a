//! Scenario 4: sign-ins against the same argon2 verification run by the bench itself on as
//! many threads as gopy hashes on, alone (4a) and as a flood at twice that rate beside a reader
//! (4b).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::bench::load::{closed_loop, closed_loop_run, open_loop, Answer, Run, Stats, TURNS};
use crate::bench::scenarios::{get_as_employee, ratio};
use crate::bench::setup::BENCH_PASSWORD;
use crate::bench::{Ctx, Outcome};
use crate::config::Settings;
use crate::context::hasher::{hash_with, params, verify_in_memory};

/// `threads` threads verifying the bench password against `hash` for `duration`.
fn native_verify(hash: &str, threads: usize, duration: Duration) -> anyhow::Result<Run> {
    let start = Instant::now();
    let deadline = start + duration;
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let hash = hash.to_owned();
            std::thread::spawn(move || -> anyhow::Result<Vec<u64>> {
                // gopy's own verification, its memory kept by the thread as gopy's are.
                let mut memory = Vec::new();
                let mut micros = Vec::new();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let ok = verify_in_memory(&mut memory, BENCH_PASSWORD.as_bytes(), &hash);
                    anyhow::ensure!(ok, "the bench password did not verify");
                    micros.push(t.elapsed().as_micros() as u64);
                }
                Ok(micros)
            })
        })
        .collect();
    let mut micros = Vec::new();
    for w in workers {
        micros.extend(
            w.join()
                .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))??,
        );
    }
    Ok(Run {
        micros,
        errors: 0,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// 4a: sign-ins by `clients` clients and the native verification on `threads` threads, by
/// turns, `d` in all for each.
async fn alone_by_turns(
    ctx: &Arc<Ctx>,
    threads: usize,
    clients: usize,
    d: Duration,
) -> anyhow::Result<(Stats, Stats)> {
    let settings = Settings::built_in()?;
    let hash = Arc::new(hash_with(&params(&settings.auth)?, BENCH_PASSWORD)?);
    let turn = d / TURNS;
    let (mut gopy, mut native) = (Run::default(), Run::default());
    for _ in 0..TURNS {
        let h = hash.clone();
        native.add(tokio::task::spawn_blocking(move || native_verify(&h, threads, turn)).await??);
        let c = ctx.clone();
        gopy.add(
            closed_loop_run(clients, turn, move |client, n| {
                let c = c.clone();
                async move { sign_in(&c, client + clients * n as usize).await == Answer::Served }
            })
            .await,
        );
    }
    Ok((gopy.stats(), native.stats()))
}

/// One sign-in as the `n`th of the seeded accounts.
async fn sign_in(c: &Ctx, n: usize) -> Answer {
    let emails = &c.seeded.login_emails;
    let res = c
        .http
        .post(format!("{}/api/v1/auth/login", c.server.base))
        .json(&serde_json::json!({ "email": emails[n % emails.len()], "password": BENCH_PASSWORD }))
        .send()
        .await;
    match res {
        Ok(r) if r.status() == StatusCode::OK => Answer::Served,
        Ok(r)
            if r.status() == StatusCode::SERVICE_UNAVAILABLE
                && r.headers().contains_key("retry-after") =>
        {
            Answer::Refused
        }
        Ok(r) => failed(format!("{} {:?}", r.status(), r.text().await)),
        Err(e) => failed(format!("{e:?}")),
    }
}

/// A sign-in that got neither an answer nor a 503: the first few are told, to be looked into.
fn failed(why: String) -> Answer {
    static TOLD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if TOLD.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 5 {
        eprintln!("a sign-in failed: {why}");
    }
    Answer::Failed
}

/// One client listing the drafts for `d`.
async fn reader(c: Arc<Ctx>, d: Duration) -> Stats {
    closed_loop(1, d, move |client, _| {
        let c = c.clone();
        async move {
            let url = format!("{}/api/v1/documents", c.server.base);
            get_as_employee(&c, url, client).await
        }
    })
    .await
}

pub(crate) async fn sign_ins(ctx: &Arc<Ctx>) -> anyhow::Result<Vec<Outcome>> {
    let settings = Settings::built_in()?;
    let threads = match settings.auth.max_concurrent_hashes {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let d = Duration::from_secs(ctx.args.duration);
    // 4a: alone, enough clients that a hashing thread never waits for work.
    let clients = 2 * threads;
    let (alone, native) = alone_by_turns(ctx, threads, clients, d / 2).await?;
    let r = ratio(&alone, &native);
    let a = Outcome {
        scenario: format!("4a. sign-ins alone, {clients} clients, {threads} hashing threads"),
        goal: "≥ 0.85× the same verification on as many threads".into(),
        met: r >= 0.85,
        note: format!(
            "one verification {:.1} ms natively; {} failed; {TURNS} turns each",
            native.p50_ms, alone.errors
        ),
        ratio: Some(r),
        native: Some(native.clone()),
        native_name: "argon2 verify, bench threads",
        gopy: alone,
    };

    // 4b: a flood at twice the native rate beside one reader, quiet first.
    let quiet = reader(ctx.clone(), d / 2).await;
    let rate = 2.0 * native.throughput;
    let c = ctx.clone();
    let flood = tokio::spawn(open_loop(rate, d, move |n| {
        let c = c.clone();
        async move { sign_in(&c, n as usize).await }
    }));
    let during = reader(ctx.clone(), d).await;
    let flood = flood.await?;
    let kept = during.throughput / quiet.throughput.max(1e-9);
    let slowest = flood.slowest_ms.max(during.max_ms);
    let b = Outcome {
        scenario: format!("4b. a reader during a sign-in flood at {rate:.0}/s (2× native)"),
        goal: "reader ≥ 0.5× quiet; every answer within 2 s".into(),
        met: kept >= 0.5 && slowest <= 2000.0 && flood.failed == 0 && during.errors == 0,
        note: format!(
            "reader {:.0}/s quiet → {:.0}/s (p99 {:.2} → {:.2} ms); sign-ins {:.0}/s served, {} refused with 503, {} failed; slowest answer {slowest:.0} ms",
            quiet.throughput,
            during.throughput,
            quiet.p99_ms,
            during.p99_ms,
            flood.served.throughput,
            flood.refused,
            flood.failed
        ),
        ratio: Some(kept),
        native: Some(quiet),
        native_name: "the reader, quiet",
        gopy: during,
    };
    Ok(vec![a, b])
}
