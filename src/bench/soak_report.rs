//! What the soak reports: for each kind of request its first and last window, its errors,
//! and the server's memory at the start and the end.

use serde::Serialize;

use crate::bench::load::Stats;
use crate::bench::soak::{Ending, Kind, LOAD};

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
pub(crate) type Done = (Kind, f64, Ending, u64);

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

pub(crate) fn report(
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
