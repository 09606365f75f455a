//! A small load generator: closed-loop clients (each sends its next request when the last one
//! is answered) and an open-loop arrival stream, both bounded in time, loopback only.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    /// Successful requests (or rows, for exports) per second.
    pub throughput: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The slowest successful request (0 where latencies are not measured).
    pub max_ms: f64,
}

impl Stats {
    /// The same run counted in rows: `rows(lines read)`, and the throughput of those.
    pub fn with_rows(self, rows: impl FnOnce(u64) -> u64) -> Stats {
        let requests = rows(self.requests);
        Stats {
            requests,
            throughput: requests as f64 / self.seconds.max(1e-9),
            ..self
        }
    }

    /// From latencies in microseconds of successful requests.
    pub fn from_latencies(mut micros: Vec<u64>, errors: u64, seconds: f64) -> Stats {
        micros.sort_unstable();
        let pct = |p: f64| -> f64 {
            if micros.is_empty() {
                return 0.0;
            }
            let idx = ((micros.len() as f64 * p).ceil() as usize).clamp(1, micros.len()) - 1;
            micros[idx] as f64 / 1000.0
        };
        Stats {
            requests: micros.len() as u64,
            errors,
            seconds,
            throughput: micros.len() as f64 / seconds.max(1e-9),
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            max_ms: micros.last().map_or(0.0, |m| *m as f64 / 1000.0),
        }
    }
}

/// `clients` loops, each calling `request(client, n)` until `duration` is over.
pub async fn closed_loop<F, Fut>(clients: usize, duration: Duration, request: F) -> Stats
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    closed_loop_run(clients, duration, request).await.stats()
}

/// Turns of each side where gopy and a native reference are measured by turns (scenarios 1
/// and 4a): the machine's speed drifts by a fifth between runs a minute apart (a neighbour's
/// load), so the two take turns of a few seconds and each ratio compares them under the same
/// conditions.
pub(crate) const TURNS: u32 = 4;

/// Two workloads measured by turns, `slices` times each, `duration` in all for each: a ratio
/// between them is then taken under the same conditions, not across a drift of the machine
/// (a neighbour's load, a cache warming) between two long runs.
pub async fn closed_loop_by_turns<F, Fut, G, Gut>(
    clients: usize,
    duration: Duration,
    slices: u32,
    a: F,
    b: G,
) -> (Stats, Stats)
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
    G: Fn(usize, u64) -> Gut + Clone + Send + 'static,
    Gut: Future<Output = bool> + Send,
{
    let slice = duration / slices.max(1);
    let (mut ra, mut rb) = (Run::default(), Run::default());
    for _ in 0..slices.max(1) {
        ra.add(closed_loop_run(clients, slice, a.clone()).await);
        rb.add(closed_loop_run(clients, slice, b.clone()).await);
    }
    (
        Stats::from_latencies(ra.micros, ra.errors, ra.seconds),
        Stats::from_latencies(rb.micros, rb.errors, rb.seconds),
    )
}

/// Latencies (µs) of the successful requests of a run, its errors and its length.
#[derive(Default)]
pub(crate) struct Run {
    pub micros: Vec<u64>,
    pub errors: u64,
    pub seconds: f64,
}

impl Run {
    /// Another turn of the same workload.
    pub fn add(&mut self, other: Run) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
        self.seconds += other.seconds;
    }

    pub fn stats(self) -> Stats {
        Stats::from_latencies(self.micros, self.errors, self.seconds)
    }
}

/// One turn of `clients` closed loops (see `closed_loop`), kept raw so that turns add up.
pub(crate) async fn closed_loop_run<F, Fut>(clients: usize, duration: Duration, request: F) -> Run
where
    F: Fn(usize, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut errors) = (Vec::new(), 0u64);
            let mut n = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                if request(c, n).await {
                    ok.push(t.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
                n += 1;
            }
            (ok, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        if let Ok((ok, e)) = t.await {
            all.extend(ok);
            errors += e;
        }
    }
    Run {
        micros: all,
        errors,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// How a request was answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Served,
    /// Refused as the service means to under overload (503 with `Retry-After`).
    Refused,
    Failed,
}

/// What an open-loop stream got back: the served requests' latencies, how many were refused
/// or failed, and the slowest answer of any kind.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Answers {
    pub served: Stats,
    pub refused: u64,
    pub failed: u64,
    pub slowest_ms: f64,
}

/// Requests arriving at `rate` per second for `duration`, whatever the answers' speed.
pub async fn open_loop<F, Fut>(rate: f64, duration: Duration, request: F) -> Answers
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Answer> + Send + 'static,
{
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::new();
    let mut n = 0;
    while start.elapsed() < duration {
        tick.tick().await;
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            (request(n).await, t.elapsed().as_micros() as u64)
        }));
        n += 1;
    }
    let (mut served, mut refused, mut failed, mut slowest) = (Vec::new(), 0, 0, 0);
    for t in tasks {
        let Ok((answer, micros)) = t.await else {
            failed += 1;
            continue;
        };
        slowest = slowest.max(micros);
        match answer {
            Answer::Served => served.push(micros),
            Answer::Refused => refused += 1,
            Answer::Failed => failed += 1,
        }
    }
    Answers {
        served: Stats::from_latencies(served, refused + failed, start.elapsed().as_secs_f64()),
        refused,
        failed,
        slowest_ms: slowest as f64 / 1000.0,
    }
}

/// `clients` loops taking the next of `total` items (`request(client, item)`) until none is
/// left: for a fixed workload rather than a fixed time.
pub async fn drain<F, Fut>(clients: usize, total: usize, request: F) -> Stats
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let (next, request) = (next.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let (mut micros, mut errors) = (Vec::new(), 0u64);
            loop {
                let item = next.fetch_add(1, Ordering::Relaxed);
                if item >= total {
                    break;
                }
                let t = Instant::now();
                if request(client, item).await {
                    micros.push(t.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
            }
            (micros, errors)
        }));
    }
    let (mut micros, mut errors) = (Vec::new(), 0);
    for t in tasks {
        if let Ok((m, e)) = t.await {
            micros.extend(m);
            errors += e;
        }
    }
    Stats::from_latencies(micros, errors, start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let s = Stats::from_latencies((1..=100).map(|i| i * 1000).collect(), 3, 2.0);
        assert_eq!((s.requests, s.errors), (100, 3));
        assert_eq!((s.p50_ms, s.p99_ms, s.throughput), (50.0, 99.0, 50.0));
    }
}
