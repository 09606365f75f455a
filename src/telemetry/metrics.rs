//! Prometheus metrics, one registry a process: requests by route pattern (actix-web-prom,
//! paths no route matched counted as one `UNMATCHED`), and gopy's own — the pool, the mail
//! outbox, the moderation queue, the comment writer's batches, the sign-in queue. Gauges that
//! need the database are read when scraped (`observe`); `startup` serves them on a port of
//! their own (`server.metrics_port`).

use std::sync::Mutex;

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, IntCounter, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub use super::store::{backlogs, Backlogs};

const NAMESPACE: &str = "gopy";

/// What a scrape reads of the process and the database.
pub struct Snapshot {
    pub at: chrono::NaiveDateTime,
    pub pool_connections: i64,
    pub pool_idle: i64,
    pub pool_max: i64,
    pub pool_waiting: i64,
    pub signin_queued: i64,
    pub signin_shed: u64,
    /// None when the database did not answer.
    pub backlogs: Option<Backlogs>,
}

pub struct Metrics {
    registry: Registry,
    /// The middleware counting requests (the same registry).
    pub http: PrometheusMetrics,
    /// Comments each group commit wrote.
    pub writer_batch: Histogram,
    pool: IntGaugeVec,
    pool_max: IntGauge,
    pool_waiting: IntGauge,
    outbox_pending: IntGauge,
    outbox_oldest: Gauge,
    queue_pending: IntGauge,
    queue_oldest: Gauge,
    signin_queue: IntGauge,
    signin_shed: IntCounter,
    /// The shed count already added to `signin_shed` (the hasher keeps the running total).
    shed_seen: Mutex<u64>,
    database_up: IntGauge,
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace(NAMESPACE)
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let http = PrometheusMetricsBuilder::new(NAMESPACE)
            .registry(registry.clone())
            .mask_unmatched_patterns("UNMATCHED")
            .buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .build()
            .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
        let writer_batch = Histogram::with_opts(
            HistogramOpts::new(
                "comment_writer_batch_size",
                "Comments written by one group commit",
            )
            .namespace(NAMESPACE)
            .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
        )?;
        let pool = IntGaugeVec::new(
            opts("db_pool_connections", "Database connections by state"),
            &["state"],
        )?;
        let m = Self {
            http,
            writer_batch,
            pool,
            pool_max: IntGauge::with_opts(opts("db_pool_max", "Size of the pool"))?,
            pool_waiting: IntGauge::with_opts(opts(
                "db_pool_waiting",
                "Requests waiting for a database connection",
            ))?,
            outbox_pending: IntGauge::with_opts(opts(
                "mail_outbox_pending",
                "Mails waiting in the outbox (queued or to be retried)",
            ))?,
            outbox_oldest: Gauge::with_opts(opts(
                "mail_outbox_oldest_pending_age_seconds",
                "Age of the oldest mail waiting in the outbox",
            ))?,
            queue_pending: IntGauge::with_opts(opts(
                "moderation_queue_pending",
                "Comments waiting for a moderator (pending or flagged)",
            ))?,
            queue_oldest: Gauge::with_opts(opts(
                "moderation_queue_oldest_pending_age_seconds",
                "Age of the oldest comment waiting for a moderator",
            ))?,
            signin_queue: IntGauge::with_opts(opts(
                "signin_queue",
                "Sign-ins (password hashes) queued or running",
            ))?,
            signin_shed: IntCounter::with_opts(opts(
                "signin_shed_total",
                "Sign-ins refused with 503 because the hashing queue was full",
            ))?,
            shed_seen: Mutex::new(0),
            database_up: IntGauge::with_opts(opts(
                "database_up",
                "1 if the database answered the last scrape's queries",
            ))?,
            registry,
        };
        m.registry.register(Box::new(m.writer_batch.clone()))?;
        m.registry.register(Box::new(m.pool.clone()))?;
        for g in [
            &m.pool_max,
            &m.pool_waiting,
            &m.outbox_pending,
            &m.queue_pending,
            &m.signin_queue,
            &m.database_up,
        ] {
            m.registry.register(Box::new(g.clone()))?;
        }
        m.registry.register(Box::new(m.outbox_oldest.clone()))?;
        m.registry.register(Box::new(m.queue_oldest.clone()))?;
        m.registry.register(Box::new(m.signin_shed.clone()))?;
        Ok(m)
    }

    /// Set the gauges that are read rather than kept up to date as things happen.
    pub fn observe(&self, now: &Snapshot) {
        self.pool.with_label_values(&["idle"]).set(now.pool_idle);
        self.pool
            .with_label_values(&["in_use"])
            .set(now.pool_connections - now.pool_idle);
        self.pool_max.set(now.pool_max);
        self.pool_waiting.set(now.pool_waiting);
        self.signin_queue.set(now.signin_queued);
        if let Ok(mut seen) = self.shed_seen.lock() {
            self.signin_shed
                .inc_by(now.signin_shed.saturating_sub(*seen));
            *seen = now.signin_shed.max(*seen);
        }
        let age = |oldest: Option<chrono::NaiveDateTime>| {
            oldest.map_or(0.0, |t| {
                (now.at - t).num_milliseconds().max(0) as f64 / 1000.0
            })
        };
        match &now.backlogs {
            Some(b) => {
                self.outbox_pending.set(b.outbox.0);
                self.outbox_oldest.set(age(b.outbox.1));
                self.queue_pending.set(b.moderation.0);
                self.queue_oldest.set(age(b.moderation.1));
                self.database_up.set(1);
            }
            None => self.database_up.set(0),
        }
    }

    /// The text exposition format (0.0.4).
    pub fn render(&self) -> Result<(String, Vec<u8>), prometheus::Error> {
        let encoder = TextEncoder::new();
        let mut out = Vec::new();
        encoder.encode(&self.registry.gather(), &mut out)?;
        Ok((encoder.format_type().to_owned(), out))
    }
}
